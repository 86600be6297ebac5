"""hypercorn (a third-party HTTP/2 and HTTP/3 server) in a thread of the test process.

    with serve_hypercorn(app, server.server_pem, quic=True) as served:
        served.url        # https://127.0.0.1:PORT (TLS over TCP, HTTP/2 by ALPN)
        served.udp_port   # its HTTP/3 (QUIC) port, announced with Alt-Svc: h3=":PORT"

Sockets are bound here on free loopback ports and handed over, so clients queue on them
until hypercorn serves (no port race, no start-up sleep).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# hypercorn imports its QUIC side (aioquic: many dataclasses, made by exec) only when a
# server first binds UDP, in the server's thread. Imported here, on the main thread at
# collection, it cannot run beside another thread's compile(): CPython 3.11 before 3.11.8
# fails such a pair with "SystemError: AST constructor recursion depth mismatch".
import hypercorn.protocol.quic  # noqa: F401
from hypercorn.asyncio import serve
from hypercorn.config import Config


@dataclass
class Served:
    url: str
    udp_port: int | None  # None: no HTTP/3 listener


@contextmanager
def serve_hypercorn(
    app: Any,
    pem: str,
    *,
    quic: bool = False,
    alt_svc: list[str] | None = None,
    udp_host: str = "127.0.0.1",
) -> Iterator[Served]:
    """hypercorn over TLS with default settings; quic=True adds its HTTP/3 listener (it then
    sends Alt-Svc itself) on udp_host; alt_svc replaces the Alt-Svc header values it sends."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = Config()
    config.certfile = config.keyfile = pem
    config.bind = [f"fd://{listener.detach()}"]
    config.accesslog = None
    config.graceful_timeout = 0.5  # shutdown waits this long for open connections (3 s)
    udp_port = None
    if quic:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((udp_host, 0))
        udp_port = udp.getsockname()[1]
        config.quic_bind = [f"fd://{udp.detach()}"]
    if alt_svc is not None:
        config.alt_svc_headers = alt_svc
    loop = asyncio.new_event_loop()
    udp_transports = _track_datagram_endpoints(loop)
    stop = asyncio.Event()
    serving = serve(app, config, shutdown_trigger=stop.wait)
    thread = threading.Thread(target=loop.run_until_complete, args=(serving,), daemon=True)
    thread.start()
    try:
        yield Served(f"https://127.0.0.1:{port}", udp_port)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        # hypercorn does not wait for its QUIC side when it stops: its tasks (a connection's
        # timer sleeping, say) would be collected after the loop closed, and their cleanup
        # then fails as an unraisable exception. End them here, on the loop, first.
        leftover = asyncio.all_tasks(loop)
        if leftover:
            loop.run_until_complete(_cancelled(leftover))
        for transport in udp_transports:
            transport.close()  # hypercorn leaves its QUIC socket open when it stops
        loop.run_until_complete(asyncio.sleep(0))  # the close callbacks
        loop.close()


async def _cancelled(tasks: set[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _track_datagram_endpoints(loop: asyncio.AbstractEventLoop) -> list[asyncio.BaseTransport]:
    """The UDP transports loop opens from now on."""
    transports: list[asyncio.BaseTransport] = []
    create = loop.create_datagram_endpoint

    async def tracked(*args: Any, **kwargs: Any) -> Any:
        transport, protocol = await create(*args, **kwargs)
        transports.append(transport)
        return transport, protocol

    loop.create_datagram_endpoint = tracked  # type: ignore[method-assign]
    return transports
