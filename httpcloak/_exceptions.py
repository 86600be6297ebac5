"""The exceptions httpcloak raises, all under one root.

HTTPCloakError
├── TransportError .................. the network or the server failed us
│   ├── ConnectError ................ also a builtin ConnectionError
│   │   └── DNSError
│   ├── TLSError
│   ├── ProxyError
│   ├── TimeoutException ............ also a builtin TimeoutError
│   │   ├── ConnectTimeout .......... no response headers in time
│   │   ├── ReadTimeout ............. the body went silent for too long
│   │   └── TotalTimeout ............ the whole exchange took too long
│   ├── ProtocolError
│   │   └── IncompleteRead .......... the body ended early: never a quiet EOF
│   ├── TooManyRedirects
│   └── BodyTooLarge ................ a buffered body went past max_body_size
├── StreamError ..................... misuse of a stream, also a RuntimeError
│   ├── StreamClosed
│   ├── StreamConsumed
│   ├── StreamCanceled
│   └── ResponseNotRead ............. .content of a stream before read()
├── HTTPStatusError ................. raise_for_status() on a 4xx/5xx
├── InvalidArgument ................. bad input, also a ValueError
├── ForkedProcessError .............. the engine was inherited through fork()
└── InternalError ................... a bug in httpcloak: please report it
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._models import _ResponseBase


class HTTPCloakError(Exception):
    """Root of every exception httpcloak raises."""


class TransportError(HTTPCloakError):
    """The exchange with the server failed."""


class ConnectError(TransportError, ConnectionError):
    """The connection could not be made (refused, reset, unreachable)."""


class DNSError(ConnectError):
    """The host name did not resolve."""


class TLSError(TransportError):
    """The TLS handshake failed or the certificate was not trusted."""


class ProxyError(TransportError):
    """The proxy refused, failed, or could not be reached."""


class TimeoutException(TransportError, TimeoutError):
    """A timeout the caller set has fired."""


class ConnectTimeout(TimeoutException):
    """No response headers arrived within the connect timeout."""


class ReadTimeout(TimeoutException):
    """The body was silent for longer than the read timeout."""


class TotalTimeout(TimeoutException):
    """The whole exchange outlived the total timeout."""


class ProtocolError(TransportError):
    """The server broke the protocol: malformed HTTP, bad compressed data, a reset."""


class IncompleteRead(ProtocolError):
    """The body ended before its Content-Length or its last chunk.

    ``partial`` is the number of body bytes delivered before the failure; ``expected`` the
    number still missing when the length was known, else None.
    """

    def __init__(self, message: str, partial: int = 0, expected: int | None = None) -> None:
        super().__init__(message)
        self.partial = partial
        self.expected = expected


class TooManyRedirects(TransportError):
    """A redirect chain went past max_redirects."""


class BodyTooLarge(TransportError):
    """A body read whole into memory went past the max_body_size the caller set.

    ``limit`` is that max_body_size; ``received`` the decoded bytes read when the limit was
    passed, or the declared Content-Length when that alone was over it (nothing was read).
    """

    def __init__(self, message: str, limit: int, received: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.received = received


class StreamError(HTTPCloakError, RuntimeError):
    """A stream was used in a way its state does not allow."""


class StreamClosed(StreamError):
    """The stream (or its session) is closed."""


class StreamConsumed(StreamError):
    """The body was already read, so it cannot be iterated again."""


class StreamCanceled(StreamError):
    """The stream was canceled, from this or another thread."""


class ResponseNotRead(StreamError):
    """The body was asked for whole before it was read (await aread() first)."""


class HTTPStatusError(HTTPCloakError):
    """raise_for_status() found a 4xx or 5xx status."""

    def __init__(self, message: str, response: _ResponseBase) -> None:
        super().__init__(message)
        self.response = response


class InvalidArgument(HTTPCloakError, ValueError):
    """An argument (URL, option, header, timeout, body) was refused."""


class ForkedProcessError(HTTPCloakError, RuntimeError):
    """The Go engine was inherited through fork(), which it does not survive."""


class InternalError(HTTPCloakError):
    """A bug inside httpcloak (a recovered panic); please report it."""
