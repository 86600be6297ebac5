"""The C ABI as typed Python functions: every call into libhttpcloak goes through here.

One function per export, and per operation of the ``*_call`` exports (go/ops.go), each
doing the same steps once: refuse in a forked child, pass this thread's error slot and raise
its kind's exception, decode the result. Streams and notifiers are small classes over their
handles; ``NativeStream.readinto`` is the per-read path: one native call with nothing on top.
_ffi.py loads the library; no other module names cffi or ``lib.hc_*``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

from . import _exceptions as exc
from ._abi_types import (
    CertificatePin,
    CookieJSON,
    PendingRedirect,
    PresetJSON,
    RequestSpec,
    ResponseMeta,
)
from ._body import BORROW_MIN_SIZE, InlineBody
from ._ffi import KIND_TO_ERROR, ffi, lib, take_json

# How long one native call may wait before handing control back to Python, so that
# Ctrl-C and other threads are answered promptly (go/httpcloak.h: no call blocks longer
# than its wait_ms).
WAIT_SLICE_MS = 100

# hc_stream_read / hc_stream_write results besides a byte count.
READ_PENDING: int = lib.HC_READ_PENDING  # nothing within the wait
WRITE_RESPONDED: int = lib.HC_WRITE_RESPONDED  # the server answered before the body ended
_READ_ERROR: int = lib.HC_READ_ERROR
_WAIT_ARM: int = lib.HC_WAIT_ARM  # read_or_arm: no wait, and arm when nothing is there
_CLOSED: int = lib.HC_ERR_CLOSED

# ---- fork -------------------------------------------------------------------------------


class ForkGuard:
    """The Go runtime's threads do not survive fork(); in a child every call must refuse."""

    forked = False

    @classmethod
    def check(cls) -> None:
        if cls.forked:
            raise exc.ForkedProcessError(
                "httpcloak cannot be used in a process forked after it was loaded: the Go "
                "runtime does not survive fork(). Import httpcloak only in the child (never "
                "before the fork), or use multiprocessing with the 'spawn' start method."
            )


def _mark_forked() -> None:
    ForkGuard.forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_mark_forked)

check_not_forked = ForkGuard.check

# ---- errors -----------------------------------------------------------------------------


class _ThreadSlots(threading.local):
    # Made on a thread's first call; the class defaults are read without an AttributeError.
    err: Any = None
    meta: tuple[Any, Any] | None = None


_local = _ThreadSlots()


def error_slot() -> Any:
    """A per-thread hc_error, reused so the read loop allocates nothing."""
    slot = _local.err
    if slot is None:
        slot = _local.err = ffi.new("hc_error *")
    return slot


def _meta_slots() -> tuple[Any, Any]:
    """A per-thread pair of out-parameters for hc_stream_meta and hc_stream_trailers (the
    JSON and its length), reused as error_slot is: the library fills them just before it
    returns."""
    slots = _local.meta
    if slots is None:
        slots = _local.meta = (ffi.new("char **"), ffi.new("int64_t *"))
    return slots


def error_message(err: Any) -> str:
    raw: bytes = ffi.string(err.message)  # type: ignore[assignment]
    return raw.decode("utf-8", "replace")


def raise_error(err: Any) -> NoReturn:
    """Raise the exception class mapped from err's kind, carrying the Go reason."""
    kind = int(err.kind)
    cls = KIND_TO_ERROR.get(kind, exc.InternalError)
    message = error_message(err) or f"native error kind {kind}"
    raise cls(message)


# One encoder for every call: json.dumps with options builds a new one each time.
_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def encode_json(value: Any) -> bytes:
    try:
        return _encode(value).encode()
    except RecursionError:
        # Only a caller's own option or state can nest this deep: bad input, said so.
        raise exc.InvalidArgument(
            "an argument nests lists or dicts too deeply to be sent to the engine"
        ) from None


class OwnedHandle:
    """A native handle released exactly once, whichever thread gets there first.

    ``value`` reads 0 once released, which the library refuses as closed."""

    __slots__ = ("_lock", "_release", "value")

    def __init__(self, value: int, release: Callable[[int, Any], int]) -> None:
        self.value = value
        self._release = release
        self._lock = threading.Lock()

    def release(self) -> bool:
        """Release the handle; True for the one call that did (once it is done)."""
        with self._lock:
            handle, self.value = self.value, 0
        if handle == 0:
            return False
        if ForkGuard.forked:
            return True
        err = error_slot()
        if self._release(handle, err) != 0 and int(err.kind) != _CLOSED:
            raise_error(err)
        return True


# ---- caller buffers ---------------------------------------------------------------------

# A cdata view of the caller's memory, for a read to copy into or a write to send from.
# Partials of cffi's own function with the type resolved once: no frame of ours per read.
_BYTES = ffi.typeof("uint8_t[]")
buffer_target = partial(ffi.from_buffer, _BYTES)
writable_target = partial(ffi.from_buffer, _BYTES, require_writable=True)
# Let go of the caller's memory now, not when a traceback cycle is collected: a memoryview
# still exported to cffi at that point crashes the interpreter.
release_target = ffi.release


# A body iterator's buffer is not cleared first: a read returns how many bytes the library
# wrote, and only those are copied out (clearing 64 KiB was about 1 % of a 64 KiB GET).
_uncleared = ffi.new_allocator(should_clear_after_alloc=False)
_BYTES = ffi.typeof("uint8_t[]")  # looked up once, not at every allocation


def read_buffer(size: int) -> tuple[Any, Any]:
    """A buffer for a body iterator's reads: the cdata to read into, and its ffi.buffer,
    whose slices are bytes copied out of it."""
    target = _uncleared(_BYTES, size)
    return target, ffi.buffer(target)


def _release_buffer(buffer: Any) -> None:
    if buffer != ffi.NULL:
        ffi.release(buffer)


# ---- JSON operations (hc_session_call, hc_call, hc_local_proxy_call) --------------------


def _run_op(function: Callable[..., int], op: str, args: dict[str, Any], *target: int) -> Any:
    """Run {"op","args"} through one of the *_call exports (after the target's handle, if
    it takes one) and return the decoded JSON result."""
    check_not_forked()
    encoded = encode_json({"op": op, "args": args})
    out = ffi.new("char **")
    err = error_slot()
    length = function(*target, encoded, len(encoded), out, err)
    if length < 0:
        raise_error(err)
    return take_json(out[0], length)


def session_call(session: int, op: str, **args: Any) -> Any:
    """hc_session_call: one operation of a session (go/ops.go), by name."""
    return _run_op(lib.hc_session_call, op, args, session)


def process_call(op: str, **args: Any) -> Any:
    """hc_call: one process-wide operation (go/ops.go), by name."""
    return _run_op(lib.hc_call, op, args)


def local_proxy_call(proxy: int, op: str, **args: Any) -> Any:
    """hc_local_proxy_call: one operation of a local proxy, by name."""
    return _run_op(lib.hc_local_proxy_call, op, args, proxy)


def _take_out(function: Callable[..., int]) -> Any:
    """Run an export that only hands out JSON (hc_presets, hc_stats); its result."""
    check_not_forked()
    out = ffi.new("char **")
    err = error_slot()
    length = function(out, err)
    if length < 0:
        raise_error(err)
    return take_json(out[0], length)


# ---- sessions ---------------------------------------------------------------------------


def session_new(options: dict[str, Any]) -> OwnedHandle:
    """hc_session_new from the options JSON (go/session_options.go); closed on release."""
    check_not_forked()
    encoded = encode_json(options)
    err = error_slot()
    handle = lib.hc_session_new(encoded, len(encoded), err)
    if handle == 0:
        raise_error(err)
    return OwnedHandle(handle, lib.hc_session_close)


def cookies_list(session: int, url: str | None = None) -> list[CookieJSON]:
    """The jar, oldest first; with url only what a request to it would carry, in order."""
    cookies: list[CookieJSON] = session_call(
        session, "cookies.list", **({} if url is None else {"url": url})
    )
    return cookies


def cookies_set(session: int, cookie: CookieJSON) -> None:
    session_call(session, "cookies.set", **cookie)


def cookies_delete(
    session: int, name: str, domain: str | None = None, path: str | None = None
) -> int:
    """Remove the cookies called name (only of domain and path, when given); the count."""
    args: dict[str, Any] = {"name": name}
    if domain is not None:
        args["domain"] = domain
    if path is not None:
        args["path"] = path
    removed: int = session_call(session, "cookies.delete", **args)
    return removed


def cookies_clear(session: int) -> None:
    session_call(session, "cookies.clear")


def headers_set(session: int, headers: list[tuple[str, str]]) -> None:
    """Replace the session's own headers (sent over the preset's)."""
    session_call(session, "headers.set", headers=headers)


def proxy_set(session: int, proxy: str) -> None:
    """The proxy for new requests; "" connects directly."""
    session_call(session, "proxy.set", proxy=proxy)


def proxy_get(session: int) -> str:
    proxy: str = session_call(session, "proxy.get")
    return proxy


def udp_proxy_set(session: int, proxy: str) -> None:
    session_call(session, "udp_proxy.set", proxy=proxy)


def udp_proxy_get(session: int) -> str:
    proxy: str = session_call(session, "udp_proxy.get")
    return proxy


def header_order_set(session: int, order: list[str]) -> None:
    session_call(session, "header_order.set", order=order)


def header_order_get(session: int) -> list[str]:
    order: list[str] = session_call(session, "header_order.get")
    return order


def client_hints_set(session: int, enabled: bool) -> None:
    session_call(session, "client_hints.set", enabled=enabled)


def client_hints_get(session: int) -> bool:
    enabled: bool = session_call(session, "client_hints.get")
    return enabled


def high_entropy_client_hints_set(session: int, enabled: bool) -> None:
    session_call(session, "high_entropy_client_hints.set", enabled=enabled)


def high_entropy_client_hints_get(session: int) -> bool:
    enabled: bool = session_call(session, "high_entropy_client_hints.get")
    return enabled


def conditional_cache_set(session: int, enabled: bool) -> None:
    session_call(session, "conditional_cache.set", enabled=enabled)


def conditional_cache_get(session: int) -> bool:
    enabled: bool = session_call(session, "conditional_cache.get")
    return enabled


def conditional_cache_clear(session: int) -> None:
    session_call(session, "conditional_cache.clear")


def session_identifier_set(session: int, identifier: str) -> None:
    session_call(session, "session.identifier.set", identifier=identifier)


def session_touch(session: int) -> None:
    session_call(session, "session.touch")


def session_refresh(session: int, protocol: str = "") -> None:
    session_call(session, "session.refresh", protocol=protocol)


def pins_add(session: int, *, host: str, subdomains: bool, pin: str = "", file: str = "") -> None:
    """A certificate pin: pin (a hash) or file (a PEM certificate), for host ("" any)."""
    session_call(session, "pins.add", pin=pin, file=file, host=host, include_subdomains=subdomains)


def pins_clear(session: int) -> None:
    session_call(session, "pins.clear")


def pins_list(session: int) -> list[CertificatePin]:
    pins: list[CertificatePin] = session_call(session, "pins.list")
    return pins


def session_stats(session: int) -> dict[str, Any]:
    stats: dict[str, Any] = session_call(session, "session.stats")
    return stats


def session_fork(session: int, n: int) -> list[OwnedHandle]:
    """n new sessions sharing this one's jar and settings (the engine checks n)."""
    handles: list[int] = session_call(session, "session.fork", n=n)
    return [OwnedHandle(handle, lib.hc_session_close) for handle in handles]


def state_export(session: int) -> dict[str, Any]:
    """{"cookies": [...], "tls_sessions": [...]} for a saved state."""
    state: dict[str, Any] = session_call(session, "state.export")
    return state


def state_import(session: int, cookies: list[Any], tls_sessions: list[Any]) -> None:
    session_call(session, "state.import", cookies=cookies, tls_sessions=tls_sessions)


# ---- process-wide -----------------------------------------------------------------------


def presets() -> list[PresetJSON]:
    """hc_presets: every preset, built-in and registered."""
    found: list[PresetJSON] = _take_out(lib.hc_presets)
    return found


def stats() -> dict[str, int]:
    """hc_stats: live sessions, streams, notifiers and goroutines."""
    counts: dict[str, int] = _take_out(lib.hc_stats)
    return counts


def preset_register(json_text: str) -> str:
    """Register (or replace) a custom preset from its JSON document; its name."""
    result: dict[str, str] = process_call("preset.register", json=json_text)
    return result["name"]


def preset_unregister(name: str) -> None:
    process_call("preset.unregister", name=name)


def ech_dns_servers_set(servers: list[str]) -> None:
    process_call("ech_dns_servers.set", servers=servers)


def ech_dns_servers_get() -> list[str]:
    servers: list[str] = process_call("ech_dns_servers.get")
    return servers


def memory_trim() -> None:
    process_call("memory.trim")


def session_cache_stats() -> dict[str, Any]:
    stats: dict[str, Any] = process_call("session_cache_stats")
    return stats


# The shared TLS session cache: Python functions the library calls from its own threads.
CacheGet = Callable[[str], "bytes | None"]  # the stored value, or None
CachePut = Callable[[str, str, int], None]  # key, value, ttl seconds
CacheDelete = Callable[[str], None]
CacheError = Callable[[str, str, str], None]  # operation, key, what went wrong
Unexpected = Callable[[Any, Any, Any], None]  # cffi's onerror: (type, value, traceback)

# Every callback ever registered stays alive for the life of the process: a get that timed
# out in the engine may still be running in Python after its backend was replaced.
_cache_callbacks_alive: list[object] = []


def _text(pointer: Any, length: int) -> str:
    return bytes(ffi.buffer(pointer, length)).decode("utf-8", "replace")


def session_cache_configure(
    get: CacheGet,
    put: CachePut,
    delete: CacheDelete,
    on_error: CacheError,
    unexpected: Unexpected,
    options: dict[str, Any],
) -> None:
    """hc_session_cache_configure with these functions ({"timeout", "ttl", "hmac_key"}).
    They must not raise; should one, ``unexpected`` is told instead of the engine."""

    def c_get(key: Any, key_len: int, buf: Any, cap: int) -> int:
        if ForkGuard.forked:
            return -1
        data = get(_text(key, key_len))
        if data is None:
            return -1
        if len(data) <= cap:
            ffi.memmove(buf, data, len(data))
        return len(data)

    def c_put(key: Any, key_len: int, value: Any, value_len: int, ttl: int) -> None:
        if not ForkGuard.forked:
            put(_text(key, key_len), _text(value, value_len), int(ttl))

    def c_delete(key: Any, key_len: int) -> None:
        if not ForkGuard.forked:
            delete(_text(key, key_len))

    def c_error(op: Any, op_len: int, key: Any, key_len: int, msg: Any, msg_len: int) -> None:
        if not ForkGuard.forked:
            on_error(_text(op, op_len), _text(key, key_len), _text(msg, msg_len))

    callbacks = (
        ffi.callback("hc_cache_get_fn", c_get, error=-1, onerror=unexpected),
        ffi.callback("hc_cache_put_fn", c_put, onerror=unexpected),
        ffi.callback("hc_cache_delete_fn", c_delete, onerror=unexpected),
        ffi.callback("hc_cache_error_fn", c_error, onerror=unexpected),
    )
    _cache_callbacks_alive.append(callbacks)
    _configure_session_cache(callbacks, options)


def session_cache_clear() -> None:
    """Unregister the session cache (waits for its puts and deletes still running)."""
    _configure_session_cache((ffi.NULL,) * 4, {})


def _configure_session_cache(callbacks: tuple[Any, ...], options: dict[str, Any]) -> None:
    check_not_forked()
    encoded = encode_json(options)
    err = error_slot()
    if lib.hc_session_cache_configure(*callbacks, encoded, len(encoded), err) != 0:
        raise_error(err)


# ---- local proxies ----------------------------------------------------------------------


def local_proxy_start(options: dict[str, Any]) -> OwnedHandle:
    """hc_local_proxy_start; the proxy stops when the handle is released."""
    check_not_forked()
    encoded = encode_json(options)
    err = error_slot()
    handle = lib.hc_local_proxy_start(encoded, len(encoded), err)
    if handle == 0:
        raise_error(err)
    return OwnedHandle(handle, lib.hc_local_proxy_close)


def local_proxy_stats(proxy: int) -> dict[str, Any]:
    """running, port, active_connections, total_requests, tunnels, failures, sessions."""
    stats: dict[str, Any] = local_proxy_call(proxy, "stats")
    return stats


def local_proxy_register(proxy: int, session_id: str, session: int) -> None:
    local_proxy_call(proxy, "register", session_id=session_id, session=session)


def local_proxy_unregister(proxy: int, session_id: str) -> bool:
    found: bool = local_proxy_call(proxy, "unregister", session_id=session_id)
    return found


def local_proxy_sessions(proxy: int) -> list[str]:
    names: list[str] = local_proxy_call(proxy, "sessions")
    return names


# ---- interrupts -------------------------------------------------------------------------
# The check the library calls while hc_stream_meta runs an exchange on the calling thread
# (hc_set_interrupt_check), at least every 100 ms of waiting. Entering any Python function
# lets the interpreter run the signal handlers that are due (in the main thread). One that
# raises, as Ctrl-C's KeyboardInterrupt does, is kept for this thread and the check answers
# 1: the exchange ends, and the wait raises what the handler raised (raise_pending), as it
# would have between two wait slices.


class _PendingInterrupt(threading.local):
    # A class default: reading it before any handler raised takes no AttributeError.
    error: BaseException | None = None


_pending_interrupt = _PendingInterrupt()


def _interrupt_check() -> int:
    return 0  # reaching here ran the due handlers; none raised


def _keep_interrupt(kind: Exception, value: Any, traceback: Any) -> None:
    _pending_interrupt.error = value  # the callback then answers its error value, 1


_interrupt_callback = ffi.callback(
    "hc_interrupt_check_fn", _interrupt_check, error=1, onerror=_keep_interrupt
)
lib.hc_set_interrupt_check(_interrupt_callback)


def raise_pending() -> None:
    """Raise what a signal handler raised during this thread's last check, if anything."""
    error = _pending_interrupt.error
    if error is not None:
        _pending_interrupt.error = None
        raise error


# ---- streams ----------------------------------------------------------------------------


# The fields of a request that hc_stream_open_plain takes without JSON (with no headers).
_PLAIN_FIELDS = {"method", "url", "headers", "timeout", "allow_redirects", "max_redirects"}
_NO_TIMEOUT = -1.0  # hc_stream_open_plain's null
_INT32_LIMIT = 1 << 31  # max_redirects must stay below it


def _is_plain(request: RequestSpec) -> bool:
    """True for a request hc_stream_open_plain sends as hc_stream_open would: no headers or
    switches of its own, and text and numbers its arguments carry unchanged (non-ASCII
    and out-of-range values go as JSON, which decides what they mean)."""
    return (
        request.keys() == _PLAIN_FIELDS
        and not request["headers"]
        and request["method"].isascii()
        and request["url"].isascii()
        and 0 <= request["max_redirects"] < _INT32_LIMIT
    )


def _open_plain(session: int, request: RequestSpec, err: Any) -> int:
    method, url = request["method"].encode(), request["url"].encode()
    timeout = request["timeout"]
    handle: int = lib.hc_stream_open_plain(
        session,
        method,
        len(method),
        url,
        len(url),
        _seconds_or_none(timeout["connect"]),
        _seconds_or_none(timeout["read"]),
        _seconds_or_none(timeout["total"]),
        request["allow_redirects"],
        request["max_redirects"],
        err,
    )
    return handle


def _seconds_or_none(seconds: float | None) -> float:
    return _NO_TIMEOUT if seconds is None else seconds


class NativeStream:
    """One stream handle: open, wait for headers, read into caller buffers, close.

    Every blocking call waits at most WAIT_SLICE_MS and then returns to Python, so signals
    and other threads get through."""

    __slots__ = ("_borrowed", "_owned", "on_redirect", "__weakref__")

    def __init__(self, session: int, request: RequestSpec, body: InlineBody | None) -> None:
        """Start the request; body None means it will be written with write()/end_body().
        A large body is lent to the library, not copied: it stays exported until close()."""
        check_not_forked()
        err = error_slot()
        self._borrowed: Any = None
        if body is not None and not body and _is_plain(request):
            handle = _open_plain(session, request, err)
        else:
            handle = self._open(session, request, body, err)
        if handle == 0:
            raise_error(err)
        self._owned = OwnedHandle(handle, lib.hc_stream_close)
        # For a request opened with on_redirect: decides each hop the blocking waits meet
        # (True: follow). Async readers answer hops themselves (meta_or_redirect).
        self.on_redirect: Callable[[PendingRedirect], bool] | None = None

    def _open(self, session: int, request: RequestSpec, body: InlineBody | None, err: Any) -> int:
        """hc_stream_open (or _borrowed) of the request as JSON: the handle, or 0."""
        encoded = encode_json(request)
        open_stream = lib.hc_stream_open  # copies the body before it returns
        if body is None:
            body_ptr, body_len = ffi.NULL, lib.HC_BODY_STREAMED
        else:
            body_ptr = buffer_target(body) if body else ffi.NULL
            body_len = len(body)
            if body_len >= BORROW_MIN_SIZE:
                open_stream = lib.hc_stream_open_borrowed
                self._borrowed = body_ptr
        handle: int = 0
        try:
            handle = open_stream(session, encoded, len(encoded), body_ptr, body_len, err)
        finally:
            if handle == 0 or self._borrowed is None:
                self._borrowed = None
                _release_buffer(body_ptr)
        return handle

    @property
    def handle(self) -> int:
        """The native handle; 0 once closed."""
        return self._owned.value

    def _live(self) -> int:
        """The handle for a call that needs an open stream (closed here, by another task or
        thread, or with the session: the library would only know a handle number)."""
        handle = self._owned.value
        if handle == 0:
            raise exc.StreamClosed("the stream is closed")
        return handle

    def wait_meta(self) -> ResponseMeta:
        """Block until the response headers arrive, in slices so Ctrl-C gets through."""
        while (meta := self._meta(WAIT_SLICE_MS)) is None:
            pass
        return meta

    def poll_meta(self) -> ResponseMeta | None:
        """The response headers if they have arrived, without waiting."""
        return self._meta(0)

    def _meta(self, wait_ms: int) -> ResponseMeta | None:
        meta = self.meta_or_redirect(wait_ms)
        if meta is None or "redirect" not in meta:
            return meta  # type: ignore[return-value]
        decide = self.on_redirect
        if decide is None:
            raise exc.InternalError("a redirect waits for a decision no one was asked for")
        self.decide_redirect(decide(meta["redirect"]))  # type: ignore[typeddict-item]
        return None

    def meta_or_redirect(self, wait_ms: int) -> ResponseMeta | dict[str, PendingRedirect] | None:
        """The response headers, {"redirect": hop} while a hop waits for decide_redirect
        (on_redirect requests), or None if neither came within wait_ms."""
        check_not_forked()
        out, out_len = _meta_slots()
        err = error_slot()
        ready = lib.hc_stream_meta(self._live(), wait_ms, out, out_len, err)
        meta: ResponseMeta | dict[str, PendingRedirect] | None = (
            take_json(out[0], out_len[0]) if ready > 0 else None
        )
        raise_pending()  # Ctrl-C while the exchange ran on this thread (interrupts, above)
        if ready < 0:
            raise_error(err)
        return meta

    def trailers(self) -> list[list[str]]:
        """The trailer fields, once a read returned the end of the body."""
        check_not_forked()
        out, out_len = _meta_slots()
        err = error_slot()
        found = lib.hc_stream_trailers(self._live(), out, out_len, err)
        if found < 0:
            raise_error(err)
        pairs: list[list[str]] = take_json(out[0], out_len[0]) if found else []
        return pairs

    def decide_redirect(self, follow: bool) -> None:
        """Follow the waiting redirect, or stop on it (its 3xx becomes the response)."""
        process_call("redirect.decide", stream=self._live(), follow=follow)

    def readinto(self, target: Any, size: int) -> int:
        """Copy up to size bytes into the cdata buffer target; 0 means end of body.
        The per-read path: the checks are inlined, not calls."""
        read, err = lib.hc_stream_read, _local.err or error_slot()
        while True:
            if ForkGuard.forked:  # before every call: in a forked child it would never return
                ForkGuard.check()
            handle = self._owned.value
            if handle == 0:
                raise exc.StreamClosed("the stream is closed")
            n: int = read(handle, target, size, WAIT_SLICE_MS, err)
            if n >= 0:
                return n
            if n != READ_PENDING:
                raise_error(err)

    def read_or_arm(self, target: Any, size: int) -> int:
        """One read that does not wait: bytes copied, 0 at the end, or READ_PENDING, and then
        the stream is armed (hc_stream_arm) in the same call. An event loop's read path."""
        check_not_forked()
        err = error_slot()
        n: int = lib.hc_stream_read(self._live(), target, size, _WAIT_ARM, err)
        if n == _READ_ERROR:
            raise_error(err)
        return n

    def write_once(self, data: bytes, wait_ms: int = WAIT_SLICE_MS) -> int:
        """One write slice: len(data) when taken, READ_PENDING, or WRITE_RESPONDED."""
        check_not_forked()
        source = buffer_target(data)
        err = error_slot()
        try:
            n: int = lib.hc_stream_write(self._live(), source, len(data), wait_ms, err)
        finally:
            release_target(source)
        if n == _READ_ERROR:
            raise_error(err)
        return n

    def write(self, data: bytes) -> bool:
        """Send a piece of a streamed body; False when the server already answered."""
        while True:
            n = self.write_once(data)
            if n == len(data):
                return True
            if n == WRITE_RESPONDED:
                return False

    def write_nowait(self, data: bytes) -> int:
        """One write that does not wait: len(data), READ_PENDING or WRITE_RESPONDED."""
        return self.write_once(data, 0)

    def end_body(self) -> None:
        """hc_stream_write_close: the streamed body is complete."""
        check_not_forked()
        err = error_slot()
        if lib.hc_stream_write_close(self._live(), err) != 0:
            raise_error(err)

    def watch(self, notifier: int) -> None:
        """Report news of this stream to the notifier (hc_stream_watch)."""
        check_not_forked()
        err = error_slot()
        if lib.hc_stream_watch(self._live(), notifier, err) != 0:
            raise_error(err)

    def cancel(self) -> None:
        if not ForkGuard.forked:
            lib.hc_stream_cancel(self.handle)

    def close(self) -> None:
        """Release the handle; safe to call twice and from any thread. A lent body is given
        back only after: once hc_stream_close returns, the library no longer reads it."""
        owned = getattr(self, "_owned", None)  # None: the open failed (nothing was lent)
        if owned is not None and owned.release() and self._borrowed is not None:
            # Only the call that closed the handle: another one may return before it is done.
            _release_buffer(self._borrowed)
            self._borrowed = None

    def __del__(self) -> None:
        # A stream dropped unclosed must not give back a lent body the library still reads.
        if getattr(self, "_borrowed", None) is not None:
            self.close()


def stream_arm(stream: int) -> None:
    """Put the stream on its notifier's ready list at its next news (hc_stream_arm)."""
    check_not_forked()
    err = error_slot()
    if lib.hc_stream_arm(stream, err) != 0:
        raise_error(err)


# ---- notifiers (event loops) ------------------------------------------------------------


class Notifier:
    """hc_notifier_*: a descriptor that becomes readable when a watched stream has news."""

    BATCH = 256  # ids one drain() hands back at most

    def __init__(self) -> None:
        check_not_forked()
        fd_out = ffi.new("int32_t *")
        err = error_slot()
        handle = lib.hc_notifier_new(fd_out, err)
        if handle == 0:
            raise_error(err)
        self.handle: int = handle
        self.fd: int = fd_out[0]
        self._ids = ffi.new(f"int64_t[{self.BATCH}]")

    def drain(self) -> list[int]:
        """The ids of streams with news (at most BATCH; ask again when that many came).
        Nothing in a forked child: there the streams' own calls raise the error."""
        if ForkGuard.forked or self.handle == 0:
            return []
        count = lib.hc_notifier_drain(self.handle, self._ids, self.BATCH, error_slot())
        return [int(self._ids[i]) for i in range(count)] if count > 0 else []

    def close(self) -> None:
        handle, self.handle = self.handle, 0
        if handle and not ForkGuard.forked:
            lib.hc_notifier_close(handle)
