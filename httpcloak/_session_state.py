"""Saving and restoring a session (a mixin of BaseSession): the options that recreate it,
its cookies and its resumable TLS sessions, as versioned JSON.

``{"version": 2, "options": {...}, "cookies": [...], "tls_sessions": [...]}``. A proxy is
saved without its credentials: a session whose proxy had some is restored only with
``proxy=`` given again (the credentials never reach the file); the same for an HTTP/3
session's ``udp_proxy`` and ``udp_proxy=``. Neither ``auth=`` nor an Authorization or
Proxy-Authorization header in the session's headers is saved.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from . import _abi
from ._exceptions import InvalidArgument
from ._headers import Headers
from ._netopts import MILLISECONDS
from ._replace_file import replacing
from ._timeouts import Timeout

STATE_VERSION = 2
# Version 1 saved retry_wait_min / retry_wait_max in seconds; version 2 in milliseconds, the
# unit Session takes them in since (as the upstream binding). Version 1 still loads.
READABLE_VERSIONS = (1, 2)

# The keyword arguments of Session that a saved state may carry.
SAVED_OPTIONS = frozenset(
    {
        "preset",
        "http_version",
        "verify",
        "proxy",
        "proxy_credentials_removed",
        "udp_proxy",
        "udp_proxy_credentials_removed",
        "headers",
        "timeout",
        "allow_redirects",
        "max_redirects",
        "max_body_size",
        "without_cookie_jar",
        "without_client_hints",
        "without_conditional_cache",
        "without_high_entropy_client_hints",
        "ja3",
        "akamai",
        "extra_fp",
        "connect_to",
        "prefer_ipv4",
        "local_address",
        "tls_only",
        "disable_http3",
        "quic_idle_timeout",
        "retry",
        "retry_on_status",
        "retry_wait_min",
        "retry_wait_max",
        "retry_methods",
        "ech_config_domain",
        "disable_ech",
        "tcp_ttl",
        "tcp_mss",
        "tcp_window_size",
        "tcp_window_scale",
        "tcp_df",
    }
)

S = TypeVar("S", bound="SessionStateMixin")


class SessionStateMixin:
    """marshal / unmarshal and save / load."""

    def _live_handle(self) -> int:  # provided by BaseSession
        raise NotImplementedError

    def _state_options(self) -> dict[str, Any]:  # provided by BaseSession
        raise NotImplementedError

    def close(self) -> None:  # provided by BaseSession
        raise NotImplementedError

    def marshal(self) -> str:
        """The session's state as a JSON string: options, cookies, TLS session tickets."""
        options = self._state_options()
        state = _abi.state_export(self._live_handle())
        return json.dumps({"version": STATE_VERSION, "options": options, **state})

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write marshal() to ``path``, readable by its owner only (it holds cookies and TLS
        resumption secrets). The file is replaced whole or not at all: a failed save leaves
        the previous one intact. A symbolic link or other non-regular file at ``path`` is
        refused (InvalidArgument), never written through."""
        data = self.marshal().encode()
        _refuse_non_regular(path)
        with replacing(path, mode=0o600, durable=True) as f:
            f.write(data)

    @classmethod
    def unmarshal(
        cls: type[S],
        data: str | bytes,
        *,
        proxy: str | None = None,
        udp_proxy: str | None = None,
    ) -> S:
        """A new session from marshal()'s output. ``proxy=`` replaces the saved proxy (and
        is required when the saved one had credentials); ``udp_proxy=`` likewise for an
        HTTP/3 session's UDP proxy. Raises InvalidArgument for malformed input or an
        unknown version."""
        state = _parse(data)
        kwargs = _constructor_kwargs(state["options"], proxy, udp_proxy)
        try:
            session = cls(**kwargs)
        except TypeError as exc:
            raise InvalidArgument(f"session state has a malformed option: {exc}") from exc
        try:
            _abi.state_import(session._live_handle(), state["cookies"], state["tls_sessions"])
        except BaseException:
            session.close()
            raise
        return session

    @classmethod
    def load(
        cls: type[S],
        path: str | os.PathLike[str],
        *,
        proxy: str | None = None,
        udp_proxy: str | None = None,
    ) -> S:
        """A new session from a file written by save()."""
        with open(path, "rb") as f:
            return cls.unmarshal(f.read(), proxy=proxy, udp_proxy=udp_proxy)


def _refuse_non_regular(path: str | os.PathLike[str]) -> None:
    """A link at the destination is either planted (in a shared directory, to make us
    overwrite its target) or the user's own arrangement, which silently replacing it would
    break: say so instead. Should one appear after this check, the rename replaces the link
    itself, so nothing is ever written through one."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise InvalidArgument(
            f"refusing to save to {os.fspath(path)!r}: it is a symbolic link, and save() "
            "never writes through one (pass the path it points to, or remove it)"
        )
    if not stat.S_ISREG(mode):
        raise InvalidArgument(f"refusing to save to {os.fspath(path)!r}: not a regular file")


def _parse(data: str | bytes) -> dict[str, Any]:
    if not isinstance(data, (str, bytes)):
        raise TypeError(f"session state must be str or bytes, not {type(data).__name__}")
    try:
        state = json.loads(data)
    except ValueError as exc:
        raise InvalidArgument(f"session state is not JSON: {exc}") from exc
    except RecursionError:
        # A saved state nests four levels; Python's parser recurses per level.
        raise InvalidArgument("session state is not one: its JSON nests too deeply") from None
    if not isinstance(state, dict):
        raise InvalidArgument("session state must be a JSON object")
    version = state.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise InvalidArgument(
            f"unsupported session state version {version!r} "
            f"(this httpcloak reads {', '.join(map(str, READABLE_VERSIONS))})"
        )
    unknown = set(state) - {"version", "options", "cookies", "tls_sessions"}
    if unknown:
        raise InvalidArgument(f"session state has unknown fields: {sorted(unknown)}")
    if not isinstance(state.get("options"), dict):
        raise InvalidArgument("session state needs an options object")
    for field in ("cookies", "tls_sessions"):
        if not isinstance(state.setdefault(field, []), list):
            raise InvalidArgument(f"session state {field} must be a list")
    if version == 1:
        _seconds_to_milliseconds(state["options"])
    return state


def _seconds_to_milliseconds(options: dict[str, Any]) -> None:
    """A version 1 state's retry backoff bounds (seconds) in today's unit."""
    for name in MILLISECONDS:
        value = options.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            options[name] = seconds_as_milliseconds(value)


def seconds_as_milliseconds(seconds: float) -> float:
    """The engine's seconds back in the milliseconds given (rounded off float noise)."""
    return round(seconds * 1000, 6)


def _constructor_kwargs(
    options: dict[str, Any], proxy: str | None, udp_proxy: str | None
) -> dict[str, Any]:
    unknown = set(options) - SAVED_OPTIONS
    if unknown:
        raise InvalidArgument(f"session state has unknown options: {sorted(unknown)}")
    kwargs = dict(options)
    for name, given in (("proxy", proxy), ("udp_proxy", udp_proxy)):
        if kwargs.pop(f"{name}_credentials_removed", False) and given is None:
            raise InvalidArgument(
                f"the saved session used a {name} with credentials, which are not saved: "
                f"pass {name}= to load or unmarshal"
            )
        if given is not None:
            kwargs[name] = given
    timeout = kwargs.get("timeout")
    if timeout is not None:
        if not isinstance(timeout, dict) or set(timeout) - {"connect", "read", "total"}:
            raise InvalidArgument(f"session state has a malformed timeout: {timeout!r}")
        kwargs["timeout"] = Timeout(**timeout)
    headers = kwargs.get("headers")
    if headers is not None:
        if not isinstance(headers, list) or not all(
            isinstance(h, list) and len(h) == 2 for h in headers
        ):
            raise InvalidArgument("session state headers must be [name, value] pairs")
        kwargs["headers"] = [tuple(h) for h in headers]
    return kwargs


# Credentials in s.headers are left out of a saved state, as auth= is.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})


def saved_headers(headers: Headers) -> list[tuple[str, str]]:
    """The session's headers as marshal() saves them: without credentials."""
    return [(n, v) for n, v in headers.multi_items() if n.lower() not in CREDENTIAL_HEADERS]


def saved_proxy(proxy: str | None, name: str = "proxy") -> dict[str, Any]:
    """The proxy as marshal() saves it: without user and password, and whether it had them."""
    removed = f"{name}_credentials_removed"
    if proxy is None:
        return {name: None, removed: False}
    parts = urlsplit(proxy)
    if parts.username is None and parts.password is None:
        return {name: proxy, removed: False}
    host = parts.netloc.rpartition("@")[2]
    return {name: urlunsplit(parts._replace(netloc=host)), removed: True}
