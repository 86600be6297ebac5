"""LocalProxy: an HTTP proxy on 127.0.0.1 that gives any other client a preset's fingerprint.

Point a client at ``proxy.proxy_url``. Plain-HTTP requests go out through a session (its
TLS/HTTP2 fingerprint, headers, cookie jar). For an https origin, request its ``http://``
URL with the header ``X-HTTPCloak-Scheme: https``: the proxy upgrades it and the TLS
handshake is the preset's. A CONNECT tunnel (what most clients do for https URLs) carries
the client's own TLS, untouched. ``X-HTTPCloak-Session: <id>`` routes a request through a
session registered with ``register_session``. ``X-Upstream-Proxy: <url>`` or
``Proxy-Authorization: HTTPCloak <url>`` sends that request or tunnel out through another
proxy (checked by the same target guard; its credentials never appear in an answer).
``udp_proxy`` is refused: the proxy speaks HTTP/1.1 and HTTP/2 only, so it has no UDP to carry.

Every local process (every user of the machine) can reach 127.0.0.1: whoever does speaks
with the session's identity and cookies. ``auth=(user, password)`` makes clients prove they
may (Proxy-Authorization, which clients send when the proxy URL carries credentials; then
``proxy_url`` carries them). Targets in loopback, private and reserved networks are refused
unless ``allow_private_networks=True``; ``allowed_targets`` narrows the rest to host:port
patterns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

from . import _abi
from ._exceptions import InvalidArgument, StreamClosed
from ._session import Session
from ._timeouts import DEFAULT_TIMEOUT, TimeoutTypes, to_timeout


class LocalProxy:
    """A running local proxy; stop it with ``close()`` or a ``with`` block."""

    def __init__(
        self,
        port: int = 0,
        preset: str = "chrome-latest",
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_connections: int = 1000,
        tcp_proxy: str | None = None,
        udp_proxy: str | None = None,
        tls_only: bool = False,
        verify: bool | str | os.PathLike[str] = True,
        *,
        auth: tuple[str, str] | None = None,
        allowed_targets: Sequence[str] | None = None,
        allow_private_networks: bool = False,
        tunnel_idle_timeout: float | None = 300.0,
    ) -> None:
        """``auth``: (user, password) every client must send (Proxy-Authorization, Basic).
        ``allowed_targets``: host:port patterns clients may reach ("example.com:443",
        "*.example.com:*", "*:443", "[::1]:8080"); None allows any. Loopback, private,
        link-local and reserved addresses are refused unless ``allow_private_networks``.
        ``tunnel_idle_timeout``: seconds a CONNECT tunnel may carry nothing either way
        before it is closed (None: never)."""
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"port must be an int, not {type(port).__name__}")
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise TypeError(f"max_connections must be an int, not {type(max_connections).__name__}")
        if udp_proxy is not None:
            raise InvalidArgument(
                "udp_proxy: the local proxy speaks HTTP/1.1 and HTTP/2 upstream only, so it has "
                "no UDP traffic to send through a proxy"
            )
        guard = _guard_options(auth, allowed_targets, allow_private_networks, tunnel_idle_timeout)
        self._auth = auth
        self._session = Session(preset, timeout=timeout, proxy=tcp_proxy, verify=verify)
        options: dict[str, Any] = {
            "port": port,
            "session": self._session._live_handle(),
            "timeout": to_timeout(timeout).as_json(),
            "max_connections": max_connections,
            "tls_only": bool(tls_only),
            **guard,
        }
        if tcp_proxy is not None:
            options["tcp_proxy"] = tcp_proxy
        try:
            self._owned = _abi.local_proxy_start(options)
        except BaseException:
            self._session.close()
            raise
        self._port: int = self.get_stats()["port"]

    @property
    def port(self) -> int:
        """The TCP port it listens on (on 127.0.0.1)."""
        return self._port

    @property
    def proxy_url(self) -> str:
        """The URL to give a client as its HTTP proxy; with ``auth``, it carries the
        credentials (percent-encoded), as clients expect them."""
        if self._auth is None:
            return self._address
        user, password = (quote(part, safe="") for part in self._auth)
        return f"http://{user}:{password}@127.0.0.1:{self._port}"

    @property
    def _address(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def is_running(self) -> bool:
        return self._owned.value != 0 and bool(self.get_stats()["running"])

    @property
    def session(self) -> Session:
        """The proxy's own session, used when a request names no registered one."""
        return self._session

    def get_stats(self) -> dict[str, Any]:
        """running, port, active_connections, total_requests, tunnels, failures, sessions."""
        return _abi.local_proxy_stats(self._live_handle())

    def register_session(self, session_id: str, session: Session) -> None:
        """Route requests carrying ``X-HTTPCloak-Session: session_id`` through ``session``.

        The session keeps its own cookies, connections and proxy; close it yourself."""
        if not isinstance(session_id, str):
            raise TypeError(f"session_id must be a str, not {type(session_id).__name__}")
        if not isinstance(session, Session):
            raise TypeError(f"session must be a httpcloak.Session, not {type(session).__name__}")
        _abi.local_proxy_register(self._live_handle(), session_id, session._live_handle())

    def unregister_session(self, session_id: str) -> bool:
        """Stop routing session_id; True if it was registered. The session stays open."""
        return _abi.local_proxy_unregister(self._live_handle(), session_id)

    def has_session(self, session_id: str) -> bool:
        """Whether session_id is registered."""
        return session_id in self.list_sessions()

    def list_sessions(self) -> list[str]:
        """The registered session ids, sorted."""
        return _abi.local_proxy_sessions(self._live_handle())

    def _live_handle(self) -> int:
        handle = self._owned.value
        if handle == 0:
            raise StreamClosed("the local proxy is closed")
        return handle

    def close(self) -> None:
        """Stop listening, drop open connections, close the proxy's own session. Idempotent."""
        if hasattr(self, "_owned"):
            self._owned.release()
        self._session.close()

    def __enter__(self) -> LocalProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if hasattr(self, "_session"):
            self.close()

    def __repr__(self) -> str:
        state = f"on {self._address}" if self._owned.value else "closed"  # no credentials
        return f"<LocalProxy {state}>"


def _guard_options(
    auth: tuple[str, str] | None,
    allowed_targets: Sequence[str] | None,
    allow_private_networks: bool,
    tunnel_idle_timeout: float | None,
) -> dict[str, Any]:
    """The start options for who may use the proxy and where it may go (checked in Go)."""
    options: dict[str, Any] = {"allow_private_networks": bool(allow_private_networks)}
    if auth is not None:
        if (
            not isinstance(auth, tuple)
            or len(auth) != 2
            or not all(isinstance(part, str) for part in auth)
        ):
            raise TypeError("auth must be a (username, password) tuple of str")
        options["username"], options["password"] = auth
        if not auth[0] or not auth[1]:
            raise InvalidArgument("auth needs a non-empty username and password")
    if allowed_targets is not None:
        if isinstance(allowed_targets, str) or not all(
            isinstance(target, str) for target in allowed_targets
        ):
            raise TypeError("allowed_targets must be a sequence of 'host:port' strings")
        options["allowed_targets"] = list(allowed_targets)
    if tunnel_idle_timeout is None:
        options["tunnel_idle_timeout"] = 0  # no limit
    elif isinstance(tunnel_idle_timeout, bool) or not isinstance(tunnel_idle_timeout, (int, float)):
        raise TypeError(
            f"tunnel_idle_timeout must be seconds or None, not {type(tunnel_idle_timeout).__name__}"
        )
    elif not 0 < tunnel_idle_timeout <= 7 * 86400:
        raise InvalidArgument(
            f"tunnel_idle_timeout must be in (0, 604800] seconds or None, got {tunnel_idle_timeout}"
        )
    else:
        options["tunnel_idle_timeout"] = float(tunnel_idle_timeout)
    return options
