"""warmup(url): the page, then its subresources with the headers a browser sends for each
kind. Pure parsing and header rules on plain strings; then the test server's /warmup page
(go/testserver/README.md), whose assets log what they were fetched with."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

import httpcloak
from httpcloak._warmup import (
    Subresource,
    fetch_site,
    find_subresources,
    is_html,
    referrer,
    subresource_headers,
)

from servers import TestServer

PAGE = "https://www.example.com/dir/page.html?q=1#top"
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"

# ---- pure: what a page references ------------------------------------------------------


def test_subresources_in_document_order_with_their_kind() -> None:
    html = """<!doctype html><html><head>
    <link rel="stylesheet" href="a.css">
    <link rel="alternate stylesheet" href="alt.css">
    <script src="/js/app.js"></script>
    <script type="module" src="mod.js"></script>
    <script type="text/template" src="tpl.html"></script>
    <script>inline()</script>
    <link rel="preload" as="font" href="f.woff2" crossorigin>
    <link rel="preload" as="fetch" href="/api/data">
    <link rel="preload" as="document" href="doc.html">
    <link rel="modulepreload" href="dep.js">
    <link rel="shortcut icon" href="/favicon.ico">
    <link rel="canonical" href="/canonical">
    </head><body>
    <img src="//cdn.example.net/logo.png">
    <img srcset="small.png 1x, big.png 2x">
    <img src="pic.png" crossorigin="anonymous"/>
    <a href="/not-a-subresource">x</a>
    </body></html>"""
    found, skipped = find_subresources(html, PAGE)
    assert skipped == 0
    assert found == [
        Subresource("https://www.example.com/dir/a.css", "style"),
        Subresource("https://www.example.com/js/app.js", "script"),
        Subresource("https://www.example.com/dir/mod.js", "script", cors=True),
        Subresource("https://www.example.com/dir/f.woff2", "font", cors=True),
        Subresource("https://www.example.com/api/data", "empty", cors=True),
        Subresource("https://www.example.com/dir/dep.js", "script", cors=True),
        Subresource("https://www.example.com/favicon.ico", "image"),
        Subresource("https://cdn.example.net/logo.png", "image"),
        Subresource("https://www.example.com/dir/small.png", "image"),
        Subresource("https://www.example.com/dir/pic.png", "image", cors=True),
    ]


def test_base_href_only_http_once_each_and_no_fragment() -> None:
    html = """<base href="https://static.example.com/v2/">
    <script src="app.js"></script><script src="app.js#again"></script>
    <img src="data:image/png;base64,AAAA"><img src="javascript:void(0)">
    <img src="ftp://example.com/x.png"><img src="http://[::1">
    <link rel=stylesheet href="app.js">
    <img src="http://plain.example.com/p.png">"""
    found, _ = find_subresources(html, PAGE)
    assert found == [
        Subresource("https://static.example.com/v2/app.js", "script"),
        Subresource("http://plain.example.com/p.png", "image"),
    ]


def test_the_limit_cuts_in_document_order_and_counts_the_rest() -> None:
    html = "".join(f'<img src="/{i}.png">' for i in range(10))
    found, skipped = find_subresources(html, PAGE, limit=3)
    assert [s.url.rsplit("/", 1)[1] for s in found] == ["0.png", "1.png", "2.png"]
    assert skipped == 7
    assert find_subresources(html, PAGE, limit=0) == ([], 10)
    with pytest.raises(httpcloak.InvalidArgument):
        find_subresources(html, PAGE, limit=-1)


def test_broken_html_is_not_an_error() -> None:
    found, _ = find_subresources('<img src="/a.png"<script src=x.js<<<</', PAGE)
    assert all(s.url.startswith("https://www.example.com/") for s in found)
    assert find_subresources("", PAGE) == ([], 0)


@pytest.mark.parametrize(
    ("content_type", "html"),
    [
        ("text/html", True),
        ("text/html; charset=utf-8", True),
        ("Application/XHTML+XML", True),
        ("application/json", False),
        ("", False),
    ],
)
def test_is_html(content_type: str, html: bool) -> None:
    assert is_html(content_type) is html


# ---- pure: the headers per kind --------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "site"),
    [
        ("https://www.example.com/x", "same-origin"),
        ("https://www.example.com:443/x", "same-origin"),
        ("https://cdn.example.com/x", "same-site"),
        ("http://www.example.com/x", "cross-site"),  # schemeful: another scheme, another site
        ("https://www.example.com:8443/x", "same-site"),
        ("https://example.net/x", "cross-site"),
    ],
)
def test_fetch_site(resource: str, site: str) -> None:
    assert fetch_site(PAGE, resource) == site


def test_fetch_site_of_loopback_names() -> None:
    assert fetch_site("http://127.0.0.1:5/", "http://localhost:5/") == "cross-site"
    assert fetch_site("http://127.0.0.1:5/", "http://127.0.0.1:6/") == "same-site"


def test_referrer_is_strict_origin_when_cross_origin() -> None:
    assert referrer(PAGE, "https://www.example.com/a.css") == PAGE.split("#")[0]
    assert referrer(PAGE, "https://cdn.example.com/a.css") == "https://www.example.com/"
    assert referrer(PAGE, "http://www.example.com/a.css") is None  # a downgrade
    assert referrer("http://a.test/p", "https://b.test/x") == "http://a.test/"


def test_headers_per_kind() -> None:
    style = subresource_headers(Subresource("https://www.example.com/a.css", "style"), PAGE)
    assert style["sec-fetch-user"] is None and style["upgrade-insecure-requests"] is None
    assert style["accept"] == "text/css,*/*;q=0.1"
    assert (style["sec-fetch-site"], style["sec-fetch-mode"], style["sec-fetch-dest"]) == (
        "same-origin",
        "no-cors",
        "style",
    )
    assert "origin" not in style
    image = subresource_headers(Subresource("https://img.example.net/a.png", "image"), PAGE)
    assert image["accept"] == IMAGE_ACCEPT
    assert image["sec-fetch-site"] == "cross-site"
    assert image["referer"] == "https://www.example.com/"
    script = subresource_headers(Subresource("https://www.example.com/a.js", "script"), PAGE)
    assert script["accept"] == "*/*" and script["sec-fetch-mode"] == "no-cors"
    font = subresource_headers(Subresource("https://fonts.example.org/f", "font", True), PAGE)
    assert font["sec-fetch-mode"] == "cors" and font["sec-fetch-dest"] == "font"
    assert font["origin"] == "https://www.example.com"


# ---- loopback: the test server's page --------------------------------------------------

_tokens = itertools.count()


def _token() -> str:
    return f"t{next(_tokens)}-{id(object())}"


def _log(s: httpcloak.Session, base: str, token: str) -> dict[str, dict[str, Any]]:
    records = s.get(f"{base}/warmup/log", params={"token": token}).json()["requests"]
    return {r["path"].rsplit("/", 1)[1]: r for r in records}


EXPECTED = {
    "style.css": ("style", "no-cors", "text/css,*/*;q=0.1"),
    "app.js": ("script", "no-cors", "*/*"),
    "font.woff2": ("font", "cors", "*/*"),
    "favicon.ico": ("image", "no-cors", IMAGE_ACCEPT),
    "logo.png": ("image", "no-cors", IMAGE_ACCEPT),
}


def _check_assets(log: dict[str, dict[str, Any]], page_url: str) -> None:
    assert set(EXPECTED) <= set(log)
    for name, (dest, mode, accept) in EXPECTED.items():
        seen = log[name]
        assert (seen["sec_fetch_dest"], seen["sec_fetch_mode"], seen["accept"]) == (
            dest,
            mode,
            accept,
        ), name
        assert seen["sec_fetch_site"] == "same-origin"
        assert seen["referer"] == page_url
        assert not seen["sec_fetch_user"] and not seen["upgrade_insecure_requests"], name


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_sync_warmup_fetches_every_subresource_like_a_browser(
    server: TestServer, scheme: str
) -> None:
    base = getattr(server, scheme)
    token = _token()
    with httpcloak.Session(verify=server.ca) as s:
        page = s.warmup(f"{base}/warmup/page?token={token}&cross=1")
        assert page.ok and "<html>" in page.text
        assert page.warmup is not None
        assert page.warmup.failed == 0 and page.warmup.skipped == 0
        assert page.warmup.fetched == len(EXPECTED) + 1
        assert [r.dest for r in page.warmup.subresources][:5] == [
            "style",
            "script",
            "font",
            "image",
            "image",
        ]
        log = _log(s, base, token)
        _check_assets(log, page.url)
        cross = log["cross.png"]
        assert cross["host"].startswith("localhost:")
        assert cross["sec_fetch_site"] == "cross-site"
        assert cross["referer"] == base + "/"
        assert not cross["sec_fetch_user"] and not cross["upgrade_insecure_requests"]
        # The cookies every asset set are in the jar (the cross-site one for localhost).
        names = set(s.cookies)
        assert {"warmup_style", "warmup_app", "warmup_logo", "warmup_cross"} <= names
        # The page itself went as a navigation; the session's headers are untouched after.
        echo = s.get(f"{base}/headers").json()["headers"]
        assert echo["Sec-Fetch-User"] == ["?1"] and echo["Sec-Fetch-Mode"] == ["navigate"]


def test_async_warmup_fetches_every_subresource_concurrently(server: TestServer) -> None:
    token = _token()

    async def visit() -> httpcloak.Response:
        async with httpcloak.AsyncSession(verify=server.ca) as a:
            page = await a.warmup(f"{server.https}/warmup/page?token={token}", concurrency=2)
            cookies = set(a.cookies)
            assert {"warmup_style", "warmup_app", "warmup_logo", "warmup_font"} <= cookies
            return page

    page = asyncio.run(visit())
    assert page.warmup is not None and page.warmup.fetched == len(EXPECTED)
    with httpcloak.Session(verify=server.ca) as s:
        _check_assets(_log(s, server.https, token), page.url)


def test_broken_subresources_are_counted_not_raised(server: TestServer) -> None:
    token = _token()
    with httpcloak.Session(verify=server.ca, timeout=5) as s:
        page = s.warmup(f"{server.http}/warmup/page?token={token}&broken=1")
    assert page.warmup is not None
    assert page.warmup.failed == 2 and page.warmup.fetched == len(EXPECTED)
    by_name = {r.url.rsplit("/", 1)[1].split("?")[0]: r for r in page.warmup.subresources}
    assert by_name["missing.js"].status_code == 404 and by_name["missing.js"].error is None
    refused = by_name["refused.js"]
    assert refused.status_code is None and refused.error and not refused.ok


def test_async_broken_subresources_are_counted(server: TestServer) -> None:
    async def visit() -> httpcloak.Response:
        async with httpcloak.AsyncSession(verify=server.ca, timeout=5) as a:
            return await a.warmup(f"{server.http}/warmup/page?token={_token()}&broken=1")

    page = asyncio.run(visit())
    assert page.warmup is not None and page.warmup.failed == 2


def test_a_page_that_is_not_html_loads_nothing_more(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        page = s.warmup(f"{server.https}/get")
    assert page.ok and page.warmup is not None
    assert page.warmup.subresources == () and page.warmup.skipped == 0


def test_the_limit_is_honoured(server: TestServer) -> None:
    token = _token()
    with httpcloak.Session(verify=server.ca) as s:
        page = s.warmup(f"{server.https}/warmup/page?token={token}&extra=40", limit=7)
        assert page.warmup is not None
        assert len(page.warmup.subresources) == 7 and page.warmup.skipped == 38
        assert len(_log(s, server.https, token)) == 7
        default = s.warmup(f"{server.https}/warmup/page?token={_token()}&extra=40")
        assert default.warmup is not None and len(default.warmup.subresources) == 32


def test_bad_warmup_arguments_are_refused_before_any_request(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        with pytest.raises(httpcloak.InvalidArgument):
            s.warmup(f"{server.https}/warmup/page", concurrency=0)
        with pytest.raises(httpcloak.InvalidArgument):
            s.warmup(f"{server.https}/warmup/page", limit=-1)
