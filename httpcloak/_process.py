"""Process-wide helpers under the upstream binding's names."""

from __future__ import annotations

from collections.abc import Iterable

from . import _abi


def version() -> str:
    """This package's version."""
    from . import __version__

    return __version__


def trim_memory() -> None:
    """Give memory the engine freed back to the system now (Go returns it lazily, so RSS
    stays high after many sessions closed); blocks until done."""
    _abi.memory_trim()


def set_ech_dns_servers(servers: Iterable[str] | None = None) -> None:
    """The DNS servers (``"ip"`` or ``"ip:port"``, asked in order over UDP) that ECH
    configurations are looked up with, for every session of this process; None or [] for
    the system's (/etc/resolv.conf). Cached answers are dropped."""
    if servers is None:
        servers = []
    if isinstance(servers, (str, bytes)) or not isinstance(servers, Iterable):
        raise TypeError(f"servers must be a list of str, not {type(servers).__name__}")
    listed = list(servers)
    for server in listed:
        if not isinstance(server, str):
            raise TypeError(f"servers holds str, not {type(server).__name__}")
    _abi.ech_dns_servers_set(listed)


def get_ech_dns_servers() -> list[str]:
    """The DNS servers ECH lookups ask now, as "ip:port"."""
    return _abi.ech_dns_servers_get()
