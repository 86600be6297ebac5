"""Per-request fingerprint switches, by the upstream bindings' names: header_order,
exact_headers, disable_client_hints, disable_redirect_referer (and the Referer a redirect
hop carries, as Chrome sends it), disable_high_entropy_client_hints."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

import httpcloak

from servers import TestServer


def _seen(r: httpcloak.Response) -> dict[str, Any]:
    reply: dict[str, Any] = r.json()
    return reply


def _regular_order(reply: dict[str, Any]) -> list[str]:
    return [name for name in reply["header_order"] if not name.startswith(":")]


def _header(reply: dict[str, Any], name: str) -> str | None:
    for key, values in reply["headers"].items():
        if key.lower() == name:
            return str(values[0])
    return None


def test_header_order_applies_to_that_request_only(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        wanted = ["accept-language", "user-agent", "accept"]
        mine = _regular_order(_seen(s.get(f"{server.https}/headers", header_order=wanted)))
        assert mine[:3] == wanted
        plain = _regular_order(_seen(s.get(f"{server.https}/headers")))
        assert plain[:3] != wanted


def test_exact_headers_sends_only_the_requests_own_in_their_order(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        reply = _seen(
            s.get(
                f"{server.https}/headers",
                headers={"x-b": "2", "accept": "*/*", "x-a": "1"},
                exact_headers=True,
            )
        )
        assert _regular_order(reply) == ["x-b", "accept", "x-a"]
        assert _header(reply, "user-agent") is None
        # The next request is the preset's again.
        assert _header(_seen(s.get(f"{server.https}/headers")), "user-agent") is not None


def test_disable_client_hints_leaves_the_presets_sec_ch_out_once(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        bare = _seen(s.get(f"{server.https}/headers", disable_client_hints=True))
        assert not [n for n in bare["headers"] if n.lower().startswith("sec-ch-")]
        assert _header(_seen(s.get(f"{server.https}/headers")), "sec-ch-ua") is not None
        # The caller's own hint still goes.
        own = _seen(
            s.get(
                f"{server.https}/headers",
                headers={"sec-ch-ua-mobile": "?1"},
                disable_client_hints=True,
            )
        )
        assert _header(own, "sec-ch-ua-mobile") == "?1"
        assert s.get(f"{server.https}/headers", disable_high_entropy_client_hints=True).ok


def _via_redirect(server: TestServer, s: httpcloak.Session, target: str, **kw: Any) -> str | None:
    url = f"{server.http}/redirect-to?url={quote(target, safe='')}"
    return _header(_seen(s.get(url, **kw)), "referer")


def test_a_redirect_hop_carries_the_requests_referrer_cut_by_chromes_policy(
    server: TestServer,
) -> None:
    page = f"{server.http}/page?q=1"
    with httpcloak.Session(verify=server.ca) as s:
        # A typed navigation has no referrer: no hop gets one (the 3xx URL is never one).
        assert _via_redirect(server, s, f"{server.http}/headers") is None
        same = _via_redirect(server, s, f"{server.http}/headers", headers={"Referer": page})
        assert same == page
        cross = _via_redirect(server, s, f"{server.https}/headers", headers={"Referer": page})
        assert cross == f"{server.http}/"
        downgrade = _via_redirect(
            server, s, f"{server.http}/headers", headers={"Referer": "https://example.com/a"}
        )
        assert downgrade is None
        off = _via_redirect(
            server,
            s,
            f"{server.http}/headers",
            headers={"Referer": page},
            disable_redirect_referer=True,
        )
        assert off is None


def test_bad_switches_are_refused_before_sending(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        with pytest.raises(TypeError):
            s.get(f"{server.https}/get", exact_headers="yes")  # type: ignore[call-overload]
        with pytest.raises(TypeError):
            s.get(f"{server.https}/get", header_order="accept")
        with pytest.raises(httpcloak.InvalidArgument):
            s.get(f"{server.https}/get", header_order=["accept", "Accept"])


@pytest.mark.parametrize("version", ["h1", "h2", "h3"])
def test_a_request_without_user_agent_never_names_go(server: TestServer, version: str) -> None:
    # fhttp and quic-go add "Go-http-client/x" when a request has no User-Agent.
    base = server.h3 if version == "h3" else server.https
    with httpcloak.Session(verify=server.ca, http_version=version) as s:
        exact = _seen(s.get(f"{base}/headers", headers={"x-a": "1"}, exact_headers=True))
        assert _header(exact, "user-agent") is None
    with httpcloak.Session(verify=server.ca, http_version=version, tls_only=True) as bare:
        assert _header(_seen(bare.get(f"{base}/headers")), "user-agent") is None
