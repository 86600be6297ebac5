"""httpcloak: a browser-impersonating HTTP client whose responses stream.

import httpcloak
with httpcloak.Session(preset="chrome-latest") as s:
    with s.get(url, stream=True) as r:
        for line in r.iter_lines():
            ...
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import exceptions
from ._cookies import Cookie, Cookies
from ._decoders import ServerSentEvent
from ._default import configure, delete, get, head, options, patch, post, put, request
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
from ._fast import FastResponse
from ._headers import Headers
from ._local_proxy import LocalProxy
from ._models import RawStream, Response, StreamResponse
from ._preset_pool import PresetPool
from ._presets import (
    Preset,
    PresetInfo,
    available_presets,
    describe_preset,
    load_preset,
    load_preset_from_json,
    preset_info,
    preset_names,
    unregister_preset,
)
from ._process import get_ech_dns_servers, set_ech_dns_servers, trim_memory, version
from ._redirects import Redirect
from ._session import Session
from ._session_cache import (
    SessionCacheBackend,
    clear_session_cache,
    configure_session_cache,
    session_cache_stats,
)
from ._timeouts import Timeout
from ._upstream_presets import UpstreamPresetWarning
from ._warmup import SubresourceResult, WarmupResult

if TYPE_CHECKING:
    from . import adapters as adapters
    from ._async_models import AsyncStreamResponse
    from ._async_session import AsyncSession
    from ._httpx_transport import AsyncHTTPTransport as AsyncHTTPTransport
    from ._httpx_transport import HTTPTransport as HTTPTransport

# The asyncio API loads on first use: asyncio (with ssl) is about 8 MB of a process's
# memory, which a program that never awaits should not carry.
# The requests adapter and the httpx transports load on first use too: requests and httpx
# are optional extras, and importing httpcloak must not import them.
_LAZY = {
    "AsyncSession": "._async_session",
    "AsyncStreamResponse": "._async_models",
    "HTTPTransport": "._httpx_transport",
    "AsyncHTTPTransport": "._httpx_transport",
    "adapters": ".adapters",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'httpcloak' has no attribute {name!r}")
    loaded = importlib.import_module(module, __name__)
    value = loaded if name == "adapters" else getattr(loaded, name)
    globals()[name] = value
    return value


__version__ = "0.2.0"

# Not listed: HTTPTransport, AsyncHTTPTransport and adapters, whose extras may be absent.
__all__ = [
    "AsyncSession",
    "AsyncStreamResponse",
    "BodyTooLarge",
    "ConnectError",
    "ConnectTimeout",
    "Cookie",
    "Cookies",
    "DNSError",
    "FastResponse",
    "ForkedProcessError",
    "HTTPCloakError",
    "HTTPStatusError",
    "Headers",
    "IncompleteRead",
    "InternalError",
    "InvalidArgument",
    "LocalProxy",
    "ProtocolError",
    "ProxyError",
    "RawStream",
    "ReadTimeout",
    "ResponseNotRead",
    "Redirect",
    "Response",
    "ServerSentEvent",
    "Session",
    "SessionCacheBackend",
    "StreamCanceled",
    "StreamClosed",
    "StreamConsumed",
    "StreamError",
    "StreamResponse",
    "TLSError",
    "Timeout",
    "TimeoutException",
    "TooManyRedirects",
    "TotalTimeout",
    "TransportError",
    "SubresourceResult",
    "WarmupResult",
    "__version__",
    "configure",
    "delete",
    "exceptions",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "request",
    "available_presets",
    "describe_preset",
    "Preset",
    "PresetInfo",
    "PresetPool",
    "load_preset",
    "load_preset_from_json",
    "unregister_preset",
    "preset_info",
    "preset_names",
    "UpstreamPresetWarning",
    "configure_session_cache",
    "clear_session_cache",
    "session_cache_stats",
    "trim_memory",
    "version",
    "set_ech_dns_servers",
    "get_ech_dns_servers",
]
