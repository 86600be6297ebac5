"""TLS sessions shared beyond one process: a backend (Redis, memcached, a database...)
that every session consults for a ticket it does not hold, and tells about new ones.

    backend = httpcloak.SessionCacheBackend(get=..., put=..., delete=...)
    httpcloak.configure_session_cache(backend)   # process-wide, like the upstream binding

The engine calls these functions from its own threads (each call takes the GIL, which no
blocking call of this package holds), so they must be thread-safe: redis-py's client is.

- ``get(key) -> str | bytes | None``: the stored value, or ``None``. One that does not
  answer within ``timeout`` seconds is a miss: the handshake goes on without resumption.
- ``put(key, value, ttl_seconds)`` and ``delete(key)`` run in the background. Their
  return values are ignored (so ``redis.setex`` / ``redis.delete`` fit as they are): an
  exception is a failure. (The upstream binding read a non-zero return as one.)
- ``on_error(operation, key, error)``: what went wrong (an exception in a function, a
  timeout, a malformed value); without it, failures are logged to the ``httpcloak`` logger.
  A failure is never raised into a request: it only costs the resumption.

Keys are ``httpcloak:sessions:<ClientHello id>:<trust>:<server name>``, with the session's
identifier in front of the ClientHello id when it has one (``set_session_identifier``), so
one fingerprint (or user) never resumes another's session. ``<trust>`` names the session's
certificate checks (``system``, ``ca-<first 16 hex digits of the CA bundle's SHA-256>``,
``insecure``), and a session fetched from the store is resumed only if its server's
certificate chain verifies with the fetching session's own settings. Values are JSON text
``{"ticket", "state", "created_at"}`` (plus ``"mac"`` with ``hmac_key``).

Trust model: a value holds a resumption secret, and resuming authenticates the server by
that secret alone. Whoever can write to the store can plant a session whose secret they
know, for any server name with that server's public certificate chain, and then answer as
that server to any worker that resumes it (given a place on its network path). So keep the
store writable only by the fleet, and/or give every worker the same ``hmac_key`` (at least
16 random bytes, kept secret like a password): values then carry an HMAC-SHA256 over their
key and content, and a value without a valid one is a miss, reported to ``on_error``.
"""

from __future__ import annotations

import atexit
import base64
import logging
import threading
from collections.abc import Callable
from typing import Any

from . import _abi
from ._exceptions import InvalidArgument

GetFunction = Callable[[str], "str | bytes | None"]
PutFunction = Callable[[str, str, int], object]
DeleteFunction = Callable[[str], object]
ErrorFunction = Callable[[str, str, str], object]

_log = logging.getLogger("httpcloak")

_lock = threading.Lock()
_current: SessionCacheBackend | None = None
_atexit_registered = False


class SessionCacheBackend:
    """The functions of a shared TLS session store (see the module documentation).

    ``timeout`` bounds a get, in seconds (default 1); ``ttl`` is the ``ttl_seconds`` given
    to put (default one day). ``get_ech`` / ``put_ech`` exist in the upstream binding but
    not here (ECH configurations are cached in the process for their DNS TTL): giving one
    raises ``InvalidArgument``.
    ``hmac_key`` (bytes, 16 to 1024) authenticates every value the fleet writes; values
    without its HMAC are refused (see the module documentation's trust model)."""

    def __init__(
        self,
        get: GetFunction | None = None,
        put: PutFunction | None = None,
        delete: DeleteFunction | None = None,
        get_ech: Callable[[str], str | None] | None = None,
        put_ech: Callable[[str, str, int], object] | None = None,
        on_error: ErrorFunction | None = None,
        *,
        timeout: float = 1.0,
        ttl: int = 86400,
        hmac_key: bytes | None = None,
    ) -> None:
        if get_ech is not None or put_ech is not None:
            raise InvalidArgument(
                "get_ech/put_ech are not supported: ECH configurations are cached in this process"
                " for their DNS TTL, not in a shared store"
            )
        for name, fn in (("get", get), ("put", put), ("delete", delete), ("on_error", on_error)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable, not {type(fn).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
        if isinstance(ttl, bool) or not isinstance(ttl, int):
            raise TypeError(f"ttl must be an int of seconds, not {type(ttl).__name__}")
        if not 0 < timeout <= 3600:
            raise InvalidArgument(f"timeout must be in (0, 3600] seconds, got {timeout}")
        if not 1 <= ttl <= 365 * 86400:
            raise InvalidArgument(f"ttl must be in [1, 31536000] seconds, got {ttl}")
        if hmac_key is not None:
            if not isinstance(hmac_key, (bytes, bytearray, memoryview)):
                raise TypeError(f"hmac_key must be bytes, not {type(hmac_key).__name__}")
            if not 16 <= len(hmac_key) <= 1024:
                raise InvalidArgument(f"hmac_key must be 16 to 1024 bytes, got {len(hmac_key)}")
        self._hmac_key = None if hmac_key is None else bytes(hmac_key)
        self._get = get
        self._put = put
        self._delete = delete
        self._on_error = on_error
        self.timeout = float(timeout)
        self.ttl = ttl

    @property
    def registered(self) -> bool:
        """Whether this backend is the process's session cache now."""
        return _current is self

    def register(self) -> None:
        """Make this the process-wide session cache (replacing any other)."""
        configure_session_cache(self)

    def unregister(self) -> None:
        """Stop using this backend, if it is the registered one (see clear_session_cache)."""
        with _lock:
            if _current is not self:
                return
        clear_session_cache()

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"timeout": self.timeout, "ttl": self.ttl}
        if self._hmac_key is not None:
            options["hmac_key"] = base64.b64encode(self._hmac_key).decode("ascii")
        return options

    # What the engine calls (from its own threads): nothing raised here may reach it.

    def report(self, operation: str, key: str, error: str) -> None:
        if self._on_error is None:
            _log.warning("session cache %s %s failed: %s", operation, key, error)
            return
        try:
            self._on_error(operation, key, error)
        except Exception:
            _log.exception("session cache on_error raised")

    def _fetch(self, key: str) -> bytes | None:
        if self._get is None:
            return None
        try:
            value = self._get(key)
            if value is None:
                return None
            return value.encode() if isinstance(value, str) else bytes(value)
        except Exception as error:
            self.report("get", key, f"{type(error).__name__}: {error}")
            return None

    def _store(self, key: str, value: str, ttl: int) -> None:
        if self._put is not None:
            self._checked("put", key, self._put, key, value, ttl)

    def _forget(self, key: str) -> None:
        if self._delete is not None:
            self._checked("delete", key, self._delete, key)

    def _checked(self, operation: str, key: str, fn: Callable[..., object], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as error:
            self.report(operation, key, f"{type(error).__name__}: {error}")


def _unexpected(exc_type: Any, value: Any, tb: Any) -> None:
    _log.error("session cache callback failed", exc_info=(exc_type, value, tb))


def configure_session_cache(
    backend: SessionCacheBackend | None = None,
    *,
    get: GetFunction | None = None,
    put: PutFunction | None = None,
    delete: DeleteFunction | None = None,
    on_error: ErrorFunction | None = None,
    timeout: float = 1.0,
    ttl: int = 86400,
    hmac_key: bytes | None = None,
) -> SessionCacheBackend:
    """Share TLS sessions through ``backend`` (or one made from the keyword functions), for
    every session of this process, existing or future; returns the backend.

    Replaces any backend registered before. Only sessions whose preset's ClientHello offers
    ``pre_shared_key`` resume (the Chrome presets and firefox-148; Safari's does not)."""
    global _current, _atexit_registered
    if backend is None:
        backend = SessionCacheBackend(
            get=get,
            put=put,
            delete=delete,
            on_error=on_error,
            timeout=timeout,
            ttl=ttl,
            hmac_key=hmac_key,
        )
    elif not isinstance(backend, SessionCacheBackend):
        raise TypeError(f"backend must be a SessionCacheBackend, not {type(backend).__name__}")
    elif any(fn is not None for fn in (get, put, delete, on_error, hmac_key)):
        raise TypeError("give either a backend or get/put/delete/on_error/hmac_key, not both")
    _abi.check_not_forked()
    with _lock:
        _abi.session_cache_configure(
            backend._fetch,
            backend._store,
            backend._forget,
            backend.report,
            _unexpected,
            backend._options(),
        )
        _current = backend
        if not _atexit_registered:
            atexit.register(_hand_over_at_exit)
            _atexit_registered = True
    return backend


def clear_session_cache() -> None:
    """Stop sharing TLS sessions. Puts and deletes still running are waited for (up to
    the backend's timeout), so a worker that clears before it exits has handed its tickets
    over; the same happens at interpreter exit. Sessions keep the tickets they hold."""
    global _current
    _abi.check_not_forked()
    with _lock:
        _abi.session_cache_clear()
        _current = None


def session_cache_stats() -> dict[str, Any]:
    """Counters of the shared cache: configured, gets, hits, puts, deletes, timeouts,
    errors, in_flight (calls of the backend running now)."""
    return _abi.session_cache_stats()


def _hand_over_at_exit() -> None:
    if _current is not None and not _abi.ForkGuard.forked:
        clear_session_cache()
