"""Responses: the buffered Response and the incremental StreamResponse.

Both expose the same attributes and iterators. The iterators are layered, each adding one
step and ending with its decoder's flush(): raw chunks -> text -> lines -> JSON / events.
Only where the raw chunks come from differs (memory, or the network).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json as jsonlib
import warnings
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import _abi
from ._abi import NativeStream
from ._abi_types import RedirectHop, ResponseMeta
from ._async_refused import AsyncNamesRefused
from ._body_limit import MaxBodySize, check_received, refuse_declared
from ._decoders import (
    ServerSentEvent,
)
from ._exceptions import (
    BodyTooLarge,
    HTTPStatusError,
    IncompleteRead,
    InvalidArgument,
    ResponseNotRead,
    StreamClosed,
    StreamConsumed,
    StreamError,
)
from ._headers import Headers
from ._open_streams import Closable
from ._pipelines import (
    EventPipeline,
    JSONLinesPipeline,
    Pipeline,
    TextPipeline,
    line_pipeline,
)

if TYPE_CHECKING:
    from ._warmup import WarmupResult

T = TypeVar("T")

# What a read asks for when the caller did not say: big enough to stream at full speed,
# small enough to stay flat in memory.
DEFAULT_CHUNK_SIZE = 64 * 1024


# What a response read whole takes over from the stream it was read from.
_STREAM_METADATA = (
    "status_code",
    "reason",
    "_header_pairs",
    "_headers",
    "url",
    "protocol",
    "content_length",
    "trailers",
    "_wire_names",
    "method",
    "history",
    "elapsed",
)


class _ResponseBase:
    """Metadata and the layered iterators shared by Response and StreamResponse."""

    def __init__(self, meta: ResponseMeta, method: str) -> None:
        self.status_code: int = meta["status"]
        self.reason: str = meta["reason"]
        # Checked and indexed on first use: most streamed responses are read without a look.
        self._header_pairs: list[list[str]] = meta["headers"]
        self._headers: Headers | None = None
        self.url: str = meta["url"]
        self.protocol: str = meta["proto"]
        self.content_length: int = meta["content_length"]
        self._wire_names: list[str] | None = meta.get("wire_names")
        # Trailer fields (HTTP/1.1 chunked, HTTP/2): filled when the body is read to its end.
        self.trailers = Headers()
        self.method = method
        hops = meta.get("history")
        self.history: list[Response] = (
            [Response.from_hop(hop, method) for hop in hops] if hops else []
        )
        self._encoding: str | None = None

    def _take_metadata(self, streamed: _ResponseBase) -> None:
        """Take streamed's metadata as it is (already parsed): for a body read whole."""
        for name in _STREAM_METADATA:
            setattr(self, name, getattr(streamed, name))
        self._encoding = None

    # The session that made this response, held until the response is closed, so that
    # `Session().get(url, stream=True)` outlives its temporary session (the session's
    # finalizer would close the stream). The session keeps its responses only weakly.
    _session: object | None = None

    # From sending the request to having its response headers (as requests measures it);
    # the session sets it.
    elapsed: timedelta = timedelta(0)

    # ---- metadata -------------------------------------------------------------------

    @property
    def headers(self) -> Headers:
        # The pairs stay: two threads that both look first each build the same headers.
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers.from_pairs(self._header_pairs)
        return headers

    @headers.setter
    def headers(self, headers: Headers) -> None:
        self._headers = headers

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def trailer(self) -> Headers:
        """``trailers``, by the other spelling."""
        return self.trailers

    @property
    def header_order(self) -> list[str]:
        """The response's header names (lowercase) in the order they were received, each
        once."""
        return list(dict.fromkeys(name.lower() for name, _ in self.headers.multi_items()))

    @property
    def header_casing(self) -> dict[str, str]:
        """Each header name (lowercase) as the server wrote it: HTTP/1.1 keeps the server's
        casing; HTTP/2 and HTTP/3 names are lowercase on the wire."""
        names = self._wire_names or [name for name, _ in self.headers.multi_items()]
        casing: dict[str, str] = {}
        for name in names:
            casing.setdefault(name.lower(), name)
        return casing

    @property
    def final_url(self) -> str:
        """The upstream binding's name for ``url`` (where the redirects ended)."""
        return self.url

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies this response set (its own Set-Cookie headers)."""
        jar: dict[str, str] = {}
        for line in self.headers.get_all("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(line)
            except Exception:  # a malformed Set-Cookie is skipped, as browsers do
                continue
            for name, morsel in parsed.items():
                jar[name] = morsel.value
        return jar

    @property
    def encoding(self) -> str | None:
        """The charset from Content-Type, or what the caller set; None if unknown."""
        if self._encoding is None:
            self._encoding = _charset_of(self.headers.get("content-type", ""))
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value

    def raise_for_status(self) -> None:
        if 400 <= self.status_code < 600:
            side = "Client" if self.status_code < 500 else "Server"
            raise HTTPStatusError(
                f"{self.status_code} {side} Error: {self.reason} for url {self.url}", self
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}] {self.protocol} {self.url}>"


def body_is_encoded(headers: Headers) -> bool:
    """True when the body arrives compressed (Content-Encoding other than identity):
    content_length then counts encoded bytes, and what is read is decoded."""
    encoding = headers.get("content-encoding", "identity").strip().lower()
    return encoding not in ("", "identity")


def _charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value (quoted or not), if Python has a text
    codec by that name; None otherwise, so text falls back to UTF-8 (the server's
    "utf8mb4" or "hex" must not break .text)."""
    for param in content_type.split(";")[1:]:
        name, sep, value = param.partition("=")
        if sep and name.strip().lower() == "charset":
            charset = value.strip().strip("'\"").strip()
            return charset if charset and _is_text_codec(charset) else None
    return None


def _is_text_codec(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return getattr(info, "_is_text_encoding", True) is not False


# The most one read asks for, whatever chunk_size says: a piece is "at most chunk_size",
# so a huge chunk_size must not cost a huge buffer (a 10-byte body with chunk_size=1 GiB).
MAX_READ_SIZE = 4 << 20


def check_chunk_size(chunk_size: int | None) -> None:
    if chunk_size is None:
        return
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
        raise TypeError(f"chunk_size must be an int or None, not {type(chunk_size).__name__}")
    if chunk_size <= 0:
        raise InvalidArgument(f"chunk_size must be a positive int or None, got {chunk_size!r}")


def read_size(chunk_size: int | None) -> int:
    """The buffer a body iterator reads into for this chunk_size."""
    return min(chunk_size or DEFAULT_CHUNK_SIZE, MAX_READ_SIZE)


class _SyncIterators(_ResponseBase):
    """The body iterators over a blocking source of raw chunks (_iter_raw)."""

    def _iter_raw(self, chunk_size: int | None) -> Iterator[bytes]:
        raise NotImplementedError

    def _drive(self, pipeline: Pipeline[T], chunk_size: int | None = None) -> Iterator[T]:
        for chunk in self._iter_raw(chunk_size):
            yield from pipeline.feed(chunk)
        yield from pipeline.finish()

    @overload
    def iter_content(
        self, chunk_size: int | None = None, decode_unicode: Literal[False] = False
    ) -> Iterator[bytes]: ...
    @overload
    def iter_content(
        self, chunk_size: int | None = None, *, decode_unicode: Literal[True]
    ) -> Iterator[str]: ...
    @overload
    def iter_content(
        self, chunk_size: int | None, decode_unicode: Literal[True]
    ) -> Iterator[str]: ...
    def iter_content(
        self, chunk_size: int | None = None, decode_unicode: bool = False
    ) -> Iterator[bytes] | Iterator[str]:
        """Body pieces of at most chunk_size bytes, each yielded as soon as it arrives
        (never held back to fill chunk_size). decode_unicode yields text instead."""
        check_chunk_size(chunk_size)
        if decode_unicode:
            return self._drive(TextPipeline(self.encoding or "utf-8"), chunk_size)
        return self._iter_raw(chunk_size)

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.iter_content(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.iter_content(chunk_size, decode_unicode=True)

    @overload
    def iter_lines(
        self,
        chunk_size: int | None = None,
        decode_unicode: Literal[False] = False,
        keepends: bool = False,
    ) -> Iterator[bytes]: ...
    @overload
    def iter_lines(
        self,
        chunk_size: int | None = None,
        *,
        decode_unicode: Literal[True],
        keepends: bool = False,
    ) -> Iterator[str]: ...
    @overload
    def iter_lines(
        self, chunk_size: int | None, decode_unicode: Literal[True], keepends: bool = False
    ) -> Iterator[str]: ...
    def iter_lines(
        self, chunk_size: int | None = None, decode_unicode: bool = False, keepends: bool = False
    ) -> Iterator[bytes] | Iterator[str]:
        """Lines split on \\n, \\r\\n and \\r exactly as the whole body would split,
        wherever the chunk boundaries fall. Bytes, or text with decode_unicode."""
        check_chunk_size(chunk_size)
        pipeline = line_pipeline(decode_unicode, keepends, self.encoding or "utf-8")
        return self._drive(pipeline, chunk_size)

    def iter_json(self) -> Iterator[Any]:
        """NDJSON: one decoded value per non-blank line."""
        return self._drive(JSONLinesPipeline())

    def iter_events(self) -> Iterator[ServerSentEvent]:
        """Server-Sent Events, interpreted by the WHATWG rules (always UTF-8)."""
        return self._drive(EventPipeline())


class Response(_SyncIterators):
    """A response whose body was read whole (stream=False)."""

    # Set on the page a session's warmup() returns: how its subresource loads went.
    warmup: WarmupResult | None = None

    def __init__(self, meta: ResponseMeta, method: str, content: bytes) -> None:
        super().__init__(meta, method)
        self.content = content
        self.num_bytes_downloaded = len(content)

    @property
    def body(self) -> bytes:
        """The upstream binding's name for ``content``."""
        return self.content

    @classmethod
    def read_from(cls, streamed: _ResponseBase, content: bytes) -> Response:
        """A Response for streamed, whose body was read whole into content: the metadata is
        taken over as parsed, not parsed again."""
        response = cls.__new__(cls)
        response._take_metadata(streamed)
        response.content = content
        response.num_bytes_downloaded = len(content)
        return response

    @classmethod
    def from_hop(cls, hop: RedirectHop, method: str) -> Response:
        meta: ResponseMeta = {
            "status": hop["status"],
            "reason": hop.get("reason", ""),
            "headers": hop["headers"],
            "url": hop["url"],
            "proto": hop.get("proto", ""),
            "content_length": -1,
            "history": None,
        }
        return cls(meta, method, b"")

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return jsonlib.loads(self.content, **kwargs)

    def read(self) -> bytes:
        return self.content

    def _iter_raw(self, chunk_size: int | None) -> Iterator[bytes]:
        return chunks_of(self.content, chunk_size)

    def close(self) -> None:
        """Let go of the session that made it; present so both response kinds close alike."""
        self._session = None

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class StreamBase(_ResponseBase):
    """Stream state shared by StreamResponse and AsyncStreamResponse: the native handle,
    what a read means for it (bookkeeping, errors, the end), and its lifetime."""

    def __init__(self, native: NativeStream, meta: ResponseMeta, method: str) -> None:
        super().__init__(meta, method)
        self._native: NativeStream | None = native
        self._exhausted = False  # the body reached its end
        self._closed = False
        self._content: bytes | None = None
        self.num_bytes_downloaded = 0

    def _native_or_end(self) -> NativeStream | None:
        """The handle to read from, or None at the end; raises once closed."""
        if _abi.ForkGuard.forked:  # first: in a forked child that is the error that helps
            _abi.check_not_forked()
        if self._native is None and self._closed:
            raise StreamClosed("the stream is closed")
        return self._native

    def _check_not_consumed(self) -> None:
        if self._exhausted and self._content is None:
            raise StreamConsumed("the body was already read to its end")

    def _account(self, n: int) -> int:
        if n == 0:
            self._exhausted = True
            native = self._native
            # Only a chunked HTTP/1.1 body or an HTTP/2 or /3 stream can end with trailers.
            if native is not None and (self.protocol != "h1" or self.content_length < 0):
                with contextlib.suppress(StreamError):  # closed meanwhile: the body is whole
                    self.trailers = Headers.from_pairs(native.trailers())
            self._release()
        else:
            self.num_bytes_downloaded += n
        return n

    def _failed(self, native: NativeStream, error: BaseException) -> BaseException:
        """Close the stream after a failed read; the exception to raise in its place."""
        if isinstance(error, IncompleteRead):
            self.close()
            return self._explain_truncation(error)
        if isinstance(error, StreamError):
            # Closed (here, by another thread, or with the session) or canceled: say which.
            closed_by_user = self._closed
            self.close()
            if closed_by_user and not isinstance(error, StreamClosed):
                closed = StreamClosed("the stream was closed while a read was waiting")
                closed.__cause__ = error
                return closed
            return error
        # A failed read, Ctrl-C or a cancelled task: over, and not worth draining.
        native.cancel()
        self.close()
        return error

    def _explain_truncation(self, error: IncompleteRead) -> IncompleteRead:
        partial = self.num_bytes_downloaded
        expected: int | None = None
        if self.content_length >= 0 and not body_is_encoded(self.headers):
            expected = max(self.content_length - partial, 0)
        detail = f"{partial} bytes read" + (
            f", {expected} more expected" if expected is not None else ""
        )
        return IncompleteRead(f"IncompleteRead({detail}): {error}", partial, expected)

    # The bound on a body read whole (read(), content, aread()); set by the session.
    _max_body_size: MaxBodySize = None

    def _start_whole_read(self) -> None:
        """Before reading the body whole: refuse it now if its Content-Length is already
        past max_body_size (the stream is closed)."""
        try:
            refuse_declared(
                self._max_body_size,
                self.content_length,
                body_is_encoded(self.headers),
                self.method,
                self.status_code,
                self.url,
            )
        except BodyTooLarge:
            self.close()
            raise

    def _count_whole_read(self, received: int) -> None:
        """After each piece of a whole read: stop as soon as max_body_size is passed."""
        try:
            check_received(self._max_body_size, received, self.url)
        except BodyTooLarge:
            self.close()
            raise

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise ResponseNotRead(
                f"the body of this stream was not read yet: call {self._read_call}() first"
            )
        return self._content

    _read_call = "read"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8", errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return jsonlib.loads(self.content, **kwargs)

    @property
    def closed(self) -> bool:
        return self._closed

    def cancel(self) -> None:
        """Abort the stream from any thread; a waiting read raises StreamCanceled."""
        native = self._native
        if native is not None:
            native.cancel()

    # A session made for this stream alone (a module-level call with session options):
    # released with the stream, at its end or when it is closed.
    _owner: Closable | None = None

    def _release(self) -> None:
        native, self._native = self._native, None
        if native is not None:
            native.close()
        self._session = None
        owner, self._owner = self._owner, None
        if owner is not None:
            owner.close()

    def close(self) -> None:
        """Release the stream. Idempotent; never blocks on the network."""
        self._closed = True
        self._release()

    def __del__(self) -> None:
        if getattr(self, "_native", None) is not None:
            self._release()  # first: the warning may be turned into an exception
            warnings.warn(
                f"unclosed {self!r}: use `with` or call close()",
                ResourceWarning,
                stacklevel=2,
            )


class StreamResponse(StreamBase, _SyncIterators, AsyncNamesRefused):
    """A response returned as soon as its headers arrived; the body is pulled by you.

    Close it (``with`` does): an unclosed stream holds a connection until it is
    garbage-collected, which warns with ResourceWarning.
    """

    def __init__(self, native: NativeStream, meta: ResponseMeta, method: str) -> None:
        super().__init__(native, meta, method)
        self._raw: RawStream | None = None

    @property
    def raw(self) -> RawStream:
        """The body as a binary file object (made on first use: it refers back to this
        response, and without it an abandoned response is finalized at once)."""
        if self._raw is None:
            self._raw = RawStream(self)
        return self._raw

    def _readinto(self, target: Any, size: int) -> int:
        native = self._native_or_end()
        if native is None:
            return 0
        try:
            n = native.readinto(target, size)
        except BaseException as error:
            replacement = self._failed(native, error)
            if replacement is error:
                raise
            raise replacement from None
        return self._account(n)

    def _iter_raw(self, chunk_size: int | None) -> Iterator[bytes]:
        if self._content is not None:
            yield from chunks_of(self._content, chunk_size)
            return
        self._check_not_consumed()
        size = read_size(chunk_size)
        target, view = _abi.read_buffer(size)
        while n := self._readinto(target, size):
            yield view[:n]

    def read(self) -> bytes:
        """The rest of the body, read to its end (and kept for .content/.text/.json());
        BodyTooLarge once it passes the session's or request's max_body_size."""
        if self._content is None:
            self._start_whole_read()
            pieces, received = [], 0
            for piece in self._iter_raw(None):
                received += len(piece)
                self._count_whole_read(received)
                pieces.append(piece)
            self._content = b"".join(pieces)
        return self._content

    @property
    def content(self) -> bytes:
        return self.read()

    def __enter__(self) -> StreamResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_content()


def chunks_of(content: bytes, chunk_size: int | None) -> Iterator[bytes]:
    size = chunk_size or max(len(content), 1)
    for start in range(0, len(content), size):
        yield content[start : start + size]


class RawStream(io.RawIOBase):
    """The body as a binary file object: readinto() is one native call, copying straight
    into your buffer. Works with shutil.copyfileobj, io.TextIOWrapper, tarfile mode 'r|*'."""

    def __init__(self, response: StreamResponse) -> None:
        super().__init__()
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # Every view of the caller's buffer is released before this returns, error or not:
        # a traceback keeps this frame alive, and a memoryview still exported to cffi when
        # the garbage collector clears that cycle crashes the interpreter.
        with memoryview(buffer) as whole, whole.cast("B") as view:
            size = len(view)
            if size == 0:
                return 0
            target = _abi.writable_target(view)
            try:
                return self._response._readinto(target, size)
            finally:
                _abi.release_target(target)

    def close(self) -> None:
        self._response.close()
        super().close()

    def __del__(self) -> None:
        # IOBase would close() here; the response's own finalizer decides (and warns).
        pass
