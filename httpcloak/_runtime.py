"""Settings a session can change while it runs (go/internal/client/runtime.go). A change applies to
requests started after it; streams already open keep their connection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from . import _abi
from ._open_streams import OpenStreams

if TYPE_CHECKING:
    from typing_extensions import Self


class RuntimeSettings:
    """Proxy, header order and connection refresh of a live session."""

    http_version: str  # provided by BaseSession, as are the options marshal() saves
    _options: dict[str, Any]
    _switch_protocol: str | None = None  # the protocol a plain refresh() lands on

    def _live_handle(self) -> int:  # provided by BaseSession
        raise NotImplementedError

    def _hand_over_headers(self) -> None:  # provided by BaseSession
        raise NotImplementedError

    def set_proxy(self, proxy_url: str | None) -> None:
        """Use this proxy (http://, https://, socks5://, with credentials if needed) for new
        requests, or None to connect directly. Pooled connections are dropped. (The
        parameter has the upstream binding's name.)"""
        if proxy_url is not None and not isinstance(proxy_url, str):
            raise TypeError(f"proxy_url must be a str or None, not {type(proxy_url).__name__}")
        _abi.proxy_set(self._live_handle(), proxy_url or "")

    def get_proxy(self) -> str | None:
        """The proxy URL as given (credentials included), or None when direct."""
        return _abi.proxy_get(self._live_handle()) or None

    # With this engine proxy= is the TCP proxy of "auto", "h1" and "h2" sessions (and the
    # SOCKS5 proxy of an "h3" session), so the TCP names are aliases.
    set_tcp_proxy = set_proxy
    get_tcp_proxy = get_proxy

    def set_udp_proxy(self, proxy_url: str | None) -> None:
        """Carry this http_version="h3" session's QUIC through another SOCKS5 proxy's UDP
        relay (socks5:// or socks5h://, credentials in the URL), or None for direct UDP.
        Refused on other sessions, for http:// proxies, and while proxy= is set."""
        if proxy_url is not None and not isinstance(proxy_url, str):
            raise TypeError(f"proxy_url must be a str or None, not {type(proxy_url).__name__}")
        _abi.udp_proxy_set(self._live_handle(), proxy_url or "")

    def get_udp_proxy(self) -> str | None:
        """The udp_proxy URL as given (credentials included), or None. A socks5 proxy=
        that carries an "h3" session's QUIC is reported by get_proxy(), not here."""
        return _abi.udp_proxy_get(self._live_handle()) or None

    def set_header_order(self, order: Iterable[str]) -> None:
        """Send these headers first, in this order, then the others as before; an empty
        list restores the default. Names are case-insensitive. On HTTP/1.1 Host stays
        first, as browsers send it."""
        if isinstance(order, (str, bytes)) or not isinstance(order, Iterable):
            raise TypeError(f"order must be a list of header names, not {type(order).__name__}")
        names = list(order)
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"header names are str, not {type(name).__name__}")
        _abi.header_order_set(self._live_handle(), names)

    def get_header_order(self) -> list[str]:
        """The order set with set_header_order, or the session's header names in the order
        they are sent (lower case)."""
        self._hand_over_headers()  # s.headers as edited since the last request, too
        return _abi.header_order_get(self._live_handle())

    def set_client_hints(self, enabled: bool) -> None:
        """Send the preset's client hints (the sec-ch-* headers) or leave them out."""
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        _abi.client_hints_set(self._live_handle(), enabled)

    def get_client_hints(self) -> bool:
        return _abi.client_hints_get(self._live_handle())

    def set_high_entropy_client_hints(self, enabled: bool) -> None:
        """Answer an origin's Accept-CH with the preset's high-entropy client hints (those
        it names, on its later requests; Chromium presets; on by default), or send none."""
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        _abi.high_entropy_client_hints_set(self._live_handle(), enabled)

    def get_high_entropy_client_hints(self) -> bool:
        return _abi.high_entropy_client_hints_get(self._live_handle())

    def set_conditional_cache(self, enabled: bool) -> None:
        """Send back each URL's ETag / Last-Modified as If-None-Match / If-Modified-Since on
        its next GET (as browsers and the upstream binding do; on by default), or stop
        sending and keeping them. What was kept stays for when it is turned on again."""
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, not {type(enabled).__name__}")
        _abi.conditional_cache_set(self._live_handle(), enabled)

    def get_conditional_cache(self) -> bool:
        return _abi.conditional_cache_get(self._live_handle())

    def clear_cache(self) -> None:
        """Forget every URL's validators (the conditional cache stays on)."""
        _abi.conditional_cache_clear(self._live_handle())

    def set_session_identifier(self, session_id: str) -> None:
        """Isolate this session's TLS tickets in a shared session cache
        (configure_session_cache): its keys carry session_id. "" clears it."""
        if not isinstance(session_id, str):
            raise TypeError(f"session_id must be a str, not {type(session_id).__name__}")
        _abi.session_identifier_set(self._live_handle(), session_id)

    def touch(self) -> None:
        """Mark the session used now without a request (resets idle_time())."""
        _abi.session_touch(self._live_handle())

    def refresh(self, switch_protocol: str | None = None) -> None:
        """Drop pooled connections, as a browser reload on a new connection would; cookies,
        TLS sessions and settings stay. Open streams finish on their connection.

        ``switch_protocol`` ("h1", "h2", "h3", "auto", or upstream's spellings "http2",
        "2", ...) makes new connections use that protocol from now on, as the upstream
        binding's does; a plain ``refresh()`` then keeps it. Without it, the session's
        ``switch_protocol=`` (if it was made with one) applies. A switch the engine refuses
        (HTTP/3 with a custom ja3, say) raises InvalidArgument and changes nothing."""
        from ._base_session import check_http_version  # a cycle at import time

        wanted = getattr(self, "_switch_protocol", None)
        if switch_protocol is not None:
            wanted = check_http_version(switch_protocol)
        _abi.session_refresh(self._live_handle(), wanted or "")
        if wanted is not None:
            self._switch_protocol = wanted
            self.http_version = wanted
            self._options["http_version"] = wanted

    def fork(self, n: int = 1) -> list[Self]:
        """n new sessions like this one, as more tabs of the same browser: same preset,
        options, headers, header order, retries and proxy, the same cookie jar (shared:
        a cookie set in one is sent by all), their own connections. Close each."""
        # The type is checked here, the count (1 to 256) by the engine.
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int, not {type(n).__name__}")
        return [self._adopt(owned) for owned in _abi.session_fork(self._live_handle(), n)]

    def _adopt(self, owned: _abi.OwnedHandle) -> Self:
        """A copy of this session object around another native session."""
        clone: Any = object.__new__(type(self))
        state = dict(self.__dict__)
        state.pop("_notifier", None)  # an AsyncSession's clone finds its own event loop
        clone.__dict__.update(state)
        clone.headers = clone.headers.copy()
        clone._owned = owned
        clone._open_streams = OpenStreams()
        return cast("Self", clone)
