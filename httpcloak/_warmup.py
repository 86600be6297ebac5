"""What warmup(url) loads after the page: the subresources a browser's first visit fetches,
and the headers it fetches each with. Pure: no I/O, shared by Session and AsyncSession.

The header rules are Chrome's, used for every preset (Firefox and Safari send slightly
different Accept values; warmup does not tell them apart):

======== =============== ============================ =================================
kind     sec-fetch-dest  sec-fetch-mode               accept
======== =============== ============================ =================================
style    style           no-cors (cors: crossorigin)  ``text/css,*/*;q=0.1``
script   script          no-cors (cors: module,       ``*/*``
                         modulepreload, crossorigin)
image    image           no-cors (cors: crossorigin)  ``image/avif,image/webp,...;q=0.8``
font     font            cors                         ``*/*``
fetch    empty           cors                         ``*/*``
======== =============== ============================ =================================

``sec-fetch-site`` compares the page's and the resource's origins; ``referer`` follows
strict-origin-when-cross-origin; a cross-origin cors request carries ``origin``;
``priority`` is Chrome's for a first load (style and font ``u=0``, script ``u=1``, image
``u=1, i``, other ``u=4``: approximations, not measured per page). The
navigation-only headers (``sec-fetch-user``, ``upgrade-insecure-requests``) are removed
with a None value (requests' way of removing a session header for one request).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

from ._exceptions import InvalidArgument

if TYPE_CHECKING:
    from ._models import Response

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_LIMIT",
    "Subresource",
    "SubresourceResult",
    "WarmupResult",
    "check_concurrency",
    "find_subresources",
    "is_html",
    "page_subresources",
    "subresource_headers",
]

DEFAULT_LIMIT = 32
DEFAULT_CONCURRENCY = 6

# Headers only a navigation sends: removed from every subresource request.
NAVIGATION_ONLY = ("sec-fetch-user", "upgrade-insecure-requests")

_ACCEPT = {
    "style": "text/css,*/*;q=0.1",
    "image": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
}
# Chrome's request priorities (RFC 9218) for a first, render-blocking load.
_PRIORITY = {"style": "u=0", "font": "u=0", "script": "u=1", "image": "u=1, i"}
# <link rel=preload as=...>: the destination each "as" value fetches for.
_PRELOAD_DEST = {
    "style": "style",
    "script": "script",
    "image": "image",
    "font": "font",
    "fetch": "empty",
}
_ICON_RELS = frozenset({"icon", "apple-touch-icon"})
_JS_TYPES = frozenset(
    {"", "text/javascript", "application/javascript", "module", "application/ecmascript"}
)


@dataclass(frozen=True)
class Subresource:
    """One resource the page references: its absolute URL, its sec-fetch-dest and whether
    it is fetched in cors mode (fonts, modules, crossorigin=, preload as=fetch)."""

    url: str
    dest: str
    cors: bool = False


@dataclass(frozen=True)
class SubresourceResult:
    """How one subresource load went: its status, or the error that stopped it."""

    url: str
    dest: str
    status_code: int | None = None  # None: no response (error says why)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and self.status_code < 400


@dataclass(frozen=True)
class WarmupResult:
    """The subresource loads of one warmup, in document order (empty for a non-HTML
    page). ``skipped`` counts subresources left out by the limit."""

    subresources: tuple[SubresourceResult, ...] = ()
    skipped: int = 0

    @property
    def fetched(self) -> int:
        """Loads answered with a status below 400."""
        return sum(1 for r in self.subresources if r.ok)

    @property
    def failed(self) -> int:
        """Loads that raised, or were answered with 4xx/5xx."""
        return len(self.subresources) - self.fetched


def is_html(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


class _SubresourceParser(HTMLParser):
    """Collects (raw URL, dest, cors) in document order and the first <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.found: list[tuple[str, str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: (value or "") for name, value in attrs}
        cors = "crossorigin" in a
        if tag == "base" and self.base is None and a.get("href"):
            self.base = a["href"]
        elif tag == "script" and a.get("src"):
            kind = a.get("type", "").strip().lower()
            if kind in _JS_TYPES:
                self.found.append((a["src"], "script", cors or kind == "module"))
        elif tag == "img":
            src = a.get("src") or _first_srcset_url(a.get("srcset", ""))
            if src:
                self.found.append((src, "image", cors))
        elif tag == "link" and a.get("href"):
            self._link(a["href"], set(a.get("rel", "").lower().split()), a, cors)

    handle_startendtag = handle_starttag

    def _link(self, href: str, rels: set[str], a: dict[str, str], cors: bool) -> None:
        if "stylesheet" in rels and "alternate" not in rels:
            self.found.append((href, "style", cors))
        elif "modulepreload" in rels:
            self.found.append((href, "script", True))
        elif "preload" in rels:
            dest = _PRELOAD_DEST.get(a.get("as", "").strip().lower())
            if dest is not None:
                self.found.append((href, dest, cors or dest in ("font", "empty")))
        elif rels & _ICON_RELS:
            self.found.append((href, "image", cors))


def _first_srcset_url(srcset: str) -> str:
    first = srcset.split(",", 1)[0].strip()
    return first.split()[0] if first else ""


def find_subresources(
    html: str, page_url: str, *, limit: int = DEFAULT_LIMIT
) -> tuple[list[Subresource], int]:
    """The page's subresources in document order, resolved against page_url (and the
    first <base href>), http(s) only, fragments dropped, each URL once (its first kind
    wins), at most limit of them; and how many more the limit left out."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgument(f"limit must be a non-negative int, got {limit!r}")
    parser = _SubresourceParser()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    seen: set[str] = set()
    found: list[Subresource] = []
    for raw, dest, cors in parser.found:
        try:
            url = urldefrag(urljoin(base, raw.strip())).url
            parts = urlsplit(url)
        except ValueError:  # e.g. a malformed IPv6 literal
            continue
        if parts.scheme not in ("http", "https") or not parts.hostname or url in seen:
            continue
        seen.add(url)
        found.append(Subresource(url, dest, cors))
    return found[:limit], max(0, len(found) - limit)


def subresource_headers(resource: Subresource, page_url: str) -> dict[str, str | None]:
    """The request headers for one subresource of the page at page_url: laid over the
    session's (a None value removes that header from the request)."""
    site = fetch_site(page_url, resource.url)
    headers: dict[str, str | None] = {name: None for name in NAVIGATION_ONLY}
    headers["accept"] = _ACCEPT.get(resource.dest, "*/*")
    headers["sec-fetch-site"] = site
    headers["sec-fetch-mode"] = "cors" if resource.cors else "no-cors"
    headers["sec-fetch-dest"] = resource.dest
    headers["priority"] = _PRIORITY.get(resource.dest, "u=4")
    if resource.cors and site != "same-origin":
        headers["origin"] = _origin(page_url)
    headers["referer"] = referrer(page_url, resource.url)
    return headers


def fetch_site(page_url: str, resource_url: str) -> str:
    """sec-fetch-site: same-origin, same-site (same scheme and registrable domain) or
    cross-site. The registrable domain is guessed as the last two labels (no public suffix
    list: a.example.co.uk and b.example.co.uk count as same-site); an IP address or a
    single-label name is its own site."""
    page, res = urlsplit(page_url), urlsplit(resource_url)
    if _origin(page_url) == _origin(resource_url):
        return "same-origin"
    if page.scheme == res.scheme and _site(page.hostname or "") == _site(res.hostname or ""):
        return "same-site"
    return "cross-site"


def referrer(page_url: str, resource_url: str) -> str | None:
    """strict-origin-when-cross-origin: the full page URL (no fragment) to the same origin,
    the page's origin elsewhere, nothing from https to http."""
    page_scheme, res_scheme = urlsplit(page_url).scheme, urlsplit(resource_url).scheme
    if page_scheme == "https" and res_scheme == "http":
        return None
    if _origin(page_url) == _origin(resource_url):
        return urldefrag(page_url).url
    return _origin(page_url) + "/"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = parts.port
    suffix = "" if port is None or port == default else f":{port}"
    return f"{parts.scheme}://{host}{suffix}"


def _site(host: str) -> str:
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        return ".".join(labels[-2:])
    return host


def page_subresources(page: Response, limit: int) -> tuple[list[Subresource], int]:
    """find_subresources for a fetched page: nothing unless it is HTML. Relative URLs
    resolve against the page's final URL (after redirects)."""
    if not is_html(page.headers.get("content-type", "")):
        return [], 0
    return find_subresources(page.text, page.url, limit=limit)


def check_concurrency(concurrency: int) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgument(f"concurrency must be a positive int, got {concurrency!r}")
    return concurrency


def warmup_timeout(milliseconds: float | None) -> float | Literal["default"]:
    """warmup's timeout, in milliseconds as the upstream binding takes it, as the seconds
    each of its requests gets (None or 0, as upstream: the session's timeout)."""
    if milliseconds is None:
        return "default"
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, (int, float)):
        raise TypeError(f"timeout must be milliseconds, not {type(milliseconds).__name__}")
    if not math.isfinite(milliseconds) or milliseconds < 0:
        raise InvalidArgument(f"timeout must be a non-negative number of ms, got {milliseconds!r}")
    return "default" if milliseconds == 0 else milliseconds / 1000
