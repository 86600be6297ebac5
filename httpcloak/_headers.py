"""A case-insensitive, multi-valued HTTP header container."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, TypeAlias

from ._exceptions import InvalidArgument

__all__ = ["HeaderTypes", "Headers", "RequestHeaderTypes", "SessionHeaders", "split_removals"]

# Anything Headers() accepts (a Headers is itself a Mapping[str, str]); pairs
# may be tuples or lists, as in the native layer's [[name, value], ...].
HeaderTypes: TypeAlias = Mapping[str, str] | Iterable[Sequence[str]]
# What a request's headers= takes: a value of None removes that name from the request
# (the session's and preset's header of that name included), as in requests.
RequestHeaderTypes: TypeAlias = Mapping[str, str | None] | Iterable[Sequence[str | None]]

# RFC 9110 section 5.6.2: token = 1*tchar.
_TCHAR = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_TOKEN = re.compile(_TCHAR + "+")
# CR and LF would let a value start a new header line (injection); NUL is
# refused by every HTTP implementation anyway.
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\0]")
# Tokens, one per line: many names checked in one match (no name is empty or has a newline).
_TOKENS_ON_LINES = re.compile(f"(?:{_TCHAR}+\n)*{_TCHAR}+")

_SECRET_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

# Set-Cookie values contain commas of their own (Expires=Wed, 21 Oct ...), so
# a comma join cannot be split back apart. Newline can never appear inside a
# validated value, so joining with it stays unambiguous.
_SET_COOKIE_SEPARATOR = "\n"
_SEPARATOR = ", "


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"Header name must be str, not {type(name).__name__}: {name!r}")
    if not _TOKEN.fullmatch(name):
        raise InvalidArgument(
            f"Invalid header name {name!r}: must be a non-empty HTTP token "
            "(letters, digits and !#$%&'*+-.^_`|~ only)"
        )
    return name


def _check_value(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"Value of header {name!r} must be str, not {type(value).__name__}")
    bad = _FORBIDDEN_IN_VALUE.search(value)
    if bad:
        raise InvalidArgument(
            f"Invalid value for header {name!r}: contains forbidden character "
            f"{bad.group()!r} at index {bad.start()} (CR, LF and NUL are refused "
            "to prevent header injection)"
        )
    return value


def _all_valid(pairs: list[Sequence[str]]) -> bool:
    """True when every pair is a [name, value] list of a token and a value without CR, LF
    or NUL; checked in two regular expression calls, not two per pair."""
    if not all(type(pair) is list and len(pair) == 2 for pair in pairs):
        return False
    names = [name for name, _ in pairs]
    values = [value for _, value in pairs]
    if not all(type(text) is str for text in names + values):
        return False
    lines = "\n".join(names)
    # As many lines as names: a newline inside a name would pass as two tokens.
    return (
        lines.count("\n") == len(names) - 1
        and _TOKENS_ON_LINES.fullmatch(lines) is not None
        and _FORBIDDEN_IN_VALUE.search("".join(values)) is None
    )


def _join(lower_name: str, values: list[str]) -> str:
    sep = _SET_COOKIE_SEPARATOR if lower_name == "set-cookie" else _SEPARATOR
    return sep.join(values)


def _joined(grouped: dict[str, list[str]]) -> dict[str, str]:
    return {lower: _join(lower, values) for lower, values in grouped.items()}


class Headers(MutableMapping[str, str]):
    """HTTP headers: case-insensitive names, several values per name, ordered.

    ``h[name]`` joins multiple values with ", ", except Set-Cookie whose values
    are joined with "\\n" (a comma join would be ambiguous); prefer
    ``get_all(name)`` to get each value separately. Names keep the casing they
    were first added with. Names must be HTTP tokens and values may not
    contain CR, LF or NUL; violations raise ``ValueError``.
    """

    def __init__(self, headers: HeaderTypes | None = None) -> None:
        # (lowercased name, name as given, value), in arrival order.
        self._items: list[tuple[str, str, str]] = []
        if headers is not None:
            self._extend(headers)

    @classmethod
    def from_pairs(cls, pairs: Iterable[Sequence[str]]) -> Headers:
        """Build from ``[[name, value], ...]`` as sent by the native layer: every pair is
        checked at once (one match over all names, one search over all values), and one by
        one only to name what failed."""
        headers = cls()
        pairs = list(pairs)
        if _all_valid(pairs):
            headers._items = [(name.lower(), name, value) for name, value in pairs]
            return headers
        headers._extend_pairs(pairs)  # raises for the pair at fault
        return headers

    # -- multi-value API ---------------------------------------------------

    def add(self, name: str, value: str) -> None:
        """Append a value, keeping any existing values for ``name``."""
        name = _check_name(name)
        self._items.append((name.lower(), name, _check_value(name, value)))
        self._edited()

    def get(self, name: str, default: Any = None) -> Any:
        """The joined value of name, or default (without Mapping.get's KeyError)."""
        values = self.get_all(name)
        return _join(name.lower(), values) if values else default

    def get_all(self, name: str) -> list[str]:
        """All values for ``name`` in arrival order; [] if there are none."""
        lower = name.lower()
        return [value for key, _, value in self._items if key == lower]

    def multi_items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair in arrival order, names as given."""
        return [(name, value) for _, name, value in self._items]

    def copy(self) -> Headers:
        clone = Headers()
        clone._items = list(self._items)
        return clone

    # -- mapping API -------------------------------------------------------

    def __getitem__(self, name: str) -> str:
        values = self.get_all(name)
        if not values:
            raise KeyError(name)
        return _join(name.lower(), values)

    def __setitem__(self, name: str, value: str) -> None:
        name = _check_name(name)
        self._replace(name, [_check_value(name, value)])

    def __delitem__(self, name: str) -> None:
        lower = name.lower()
        kept = [item for item in self._items if item[0] != lower]
        if len(kept) == len(self._items):
            raise KeyError(name)
        self._items = kept
        self._edited()

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        lower = name.lower()
        return any(key == lower for key, _, _ in self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names().values())

    def __len__(self) -> int:
        return len(self._names())

    def update(self, other: Any = (), /, **kwargs: str) -> None:
        """Replace the values of every name present in ``other`` / ``kwargs``.

        Unlike ``dict.update``, repeated names in ``other`` all survive, so
        ``h.update(other_headers)`` carries over every Set-Cookie value.
        """
        incoming = Headers(other)
        incoming._extend(kwargs)
        for lower, name in incoming._names().items():
            self._replace(name, incoming.get_all(lower))

    def __eq__(self, other: object) -> bool:
        """Names compare case-insensitively; order matters only within a name.

        Against a plain mapping the joined values (what ``h[name]`` returns)
        are compared, so ``h == dict(h)`` holds.
        """
        if isinstance(other, Headers):
            return self._grouped() == other._grouped()
        if isinstance(other, Mapping):
            grouped: dict[str, list[str]] = {}
            for name, value in other.items():
                if not isinstance(name, str) or not isinstance(value, str):
                    return False
                grouped.setdefault(name.lower(), []).append(value)
            return _joined(self._grouped()) == _joined(grouped)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like dict

    def __repr__(self) -> str:
        names = self._names()
        if len(names) == len(self._items):
            shown: object = {name: self._masked(name, self[name]) for name in names.values()}
        else:
            # Repeated names: show every pair so no value is hidden by a join.
            shown = [(name, self._masked(name, value)) for name, value in self.multi_items()]
        return f"{type(self).__name__}({shown!r})"

    # -- internals ---------------------------------------------------------

    def _edited(self) -> None:
        """Called after every change (a session's headers note it)."""

    @staticmethod
    def _masked(name: str, value: str) -> str:
        return "[secure]" if name.lower() in _SECRET_NAMES else value

    def _names(self) -> dict[str, str]:
        """Lowercased name -> name as first given, in first-seen order."""
        names: dict[str, str] = {}
        for lower, name, _ in self._items:
            names.setdefault(lower, name)
        return names

    def _grouped(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for lower, _, value in self._items:
            grouped.setdefault(lower, []).append(value)
        return grouped

    def _replace(self, name: str, values: list[str]) -> None:
        """Set ``name`` to ``values``, at the position of its first occurrence."""
        lower = name.lower()
        new = [(lower, name, value) for value in values]
        result: list[tuple[str, str, str]] = []
        for item in self._items:
            if item[0] != lower:
                result.append(item)
            elif new:
                # Keep the original casing where the header already was.
                result.extend((lower, item[1], value) for _, _, value in new)
                new = []
        result.extend(new)
        self._items = result
        self._edited()

    def _extend(self, headers: HeaderTypes) -> None:
        if isinstance(headers, Headers):
            self._items.extend(headers._items)
            self._edited()
        elif isinstance(headers, Mapping):
            for name, value in headers.items():
                self.add(name, value)
        elif isinstance(headers, (str, bytes)):
            raise TypeError("Headers cannot be built from a str or bytes")
        else:
            self._extend_pairs(headers)

    def _extend_pairs(self, pairs: Iterable[Sequence[str]]) -> None:
        for pair in pairs:
            if isinstance(pair, (str, bytes)) or len(pair) != 2:
                raise ValueError(f"Header pairs must be [name, value] sequences, got {pair!r}")
            self.add(pair[0], pair[1])


class SessionHeaders(Headers):
    """A session's ``s.headers``, the one owner of its headers: the engine only ever gets
    them from here, whole, before it next reads them after an edit (``edited``)."""

    def __init__(self, headers: HeaderTypes | None = None, *, edited: bool = True) -> None:
        super().__init__(headers)
        self.edited = edited

    def _edited(self) -> None:
        self.edited = True

    def __repr__(self) -> str:
        return "Headers" + super().__repr__().removeprefix(type(self).__name__)


def split_removals(headers: RequestHeaderTypes | None) -> tuple[Headers, list[str]]:
    """A request's headers= split into the headers to send and the names given as None,
    which the engine leaves out of the request (its "drop_headers"). A name given both a
    value and None is removed: None wins, whatever the order."""
    if headers is None or isinstance(headers, Headers):
        return Headers(headers), []
    if isinstance(headers, (str, bytes)):
        raise TypeError("Headers cannot be built from a str or bytes")
    pairs: list[Sequence[str | None]]
    if isinstance(headers, Mapping):
        pairs = list(headers.items())
    else:
        pairs = []
        for pair in headers:
            if isinstance(pair, (str, bytes)) or len(pair) != 2:
                raise ValueError(f"Header pairs must be [name, value] sequences, got {pair!r}")
            pairs.append(pair)
    dropped: dict[str, str] = {}
    for name, value in pairs:
        if value is None:
            checked = _check_name(name)
            dropped.setdefault(checked.lower(), checked)
    kept = Headers()
    for name, value in pairs:
        if value is not None and _check_name(name).lower() not in dropped:
            kept.add(_check_name(name), value)
    return kept, list(dropped.values())
