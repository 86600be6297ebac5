"""Every exception of httpcloak in one namespace, with the names requests code catches, so
``except requests.exceptions.RequestException`` ports by changing the import.

The aliases are the same classes, not copies: ``RequestException`` *is* ``HTTPCloakError``.
"""

from __future__ import annotations

from ._exceptions import (
    BodyTooLarge,
    ConnectError,
    ConnectTimeout,
    DNSError,
    ForkedProcessError,
    HTTPCloakError,
    HTTPStatusError,
    IncompleteRead,
    InternalError,
    InvalidArgument,
    ProtocolError,
    ProxyError,
    ReadTimeout,
    ResponseNotRead,
    StreamCanceled,
    StreamClosed,
    StreamConsumed,
    StreamError,
    TimeoutException,
    TLSError,
    TooManyRedirects,
    TotalTimeout,
    TransportError,
)

# requests' names (requests.exceptions) for the same failures.
RequestException = HTTPCloakError
HTTPError = HTTPStatusError
ConnectionError = ConnectError  # noqa: A001 - requests' name, shadowing on purpose
Timeout = TimeoutException
SSLError = TLSError
ChunkedEncodingError = IncompleteRead
ContentDecodingError = ProtocolError
InvalidURL = InvalidArgument
StreamConsumedError = StreamConsumed

__all__ = [
    "BodyTooLarge",
    "ChunkedEncodingError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionError",
    "ContentDecodingError",
    "DNSError",
    "ForkedProcessError",
    "HTTPCloakError",
    "HTTPError",
    "HTTPStatusError",
    "IncompleteRead",
    "InternalError",
    "InvalidArgument",
    "InvalidURL",
    "ProtocolError",
    "ProxyError",
    "ReadTimeout",
    "RequestException",
    "ResponseNotRead",
    "SSLError",
    "StreamCanceled",
    "StreamClosed",
    "StreamConsumed",
    "StreamConsumedError",
    "StreamError",
    "TLSError",
    "Timeout",
    "TimeoutException",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
]
