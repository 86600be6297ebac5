"""Saving and restoring sessions: marshal/unmarshal and save/load carry the options, the
cookies and the TLS session tickets (a restored session resumes TLS, even in another
process); malformed or unknown state is refused. Real server on loopback."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import httpcloak

from servers import TestServer


def test_unmarshal_restores_options_and_cookies(server: TestServer, base_url: str) -> None:
    with httpcloak.Session(
        verify=server.ca,
        headers={"x-team": "blue"},
        timeout=httpcloak.Timeout(connect=5, read=7),
        allow_redirects=False,
        max_redirects=4,
    ) as s:
        s.get(f"{base_url}/cookies/set?visit=1")
        s.set_cookie("pref", "dark", domain=".example.com", expires=time.time() + 60)
        state = s.marshal()
        before = s.get_cookies()
    with httpcloak.Session.unmarshal(state) as restored:
        assert restored.get_cookies() == before
        assert restored.timeout == httpcloak.Timeout(connect=5, read=7)
        assert (restored.allow_redirects, restored.max_redirects) == (False, 4)
        assert restored.get(f"{base_url}/cookies").json()["cookies"] == {"visit": "1"}
        assert restored.get(f"{base_url}/headers").json()["headers"]["X-Team"] == ["blue"]


def test_state_is_versioned_json(session: httpcloak.Session) -> None:
    state = json.loads(session.marshal())
    assert state["version"] == 2
    assert set(state) == {"version", "options", "cookies", "tls_sessions"}
    assert state["options"]["preset"] == "chrome-latest"


def test_save_and_load_through_a_private_file(
    session: httpcloak.Session, base_url: str, tmp_path: Path
) -> None:
    session.get(f"{base_url}/cookies/set?a=1")
    path = tmp_path / "session.json"
    session.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds TLS resumption secrets
    with httpcloak.Session.load(path) as restored:
        assert restored.get(f"{base_url}/cookies").json()["cookies"] == {"a": "1"}


def test_without_cookie_jar_survives_a_round_trip(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca, without_cookie_jar=True) as s:
        state = s.marshal()
    with httpcloak.Session.unmarshal(state) as restored:
        restored.get(f"{server.http}/cookies/set?a=1")
        assert restored.get_cookies() == []


def test_async_session_unmarshals_too(session: httpcloak.Session) -> None:
    session.set_cookie("a", "1", domain="127.0.0.1")
    restored = httpcloak.AsyncSession.unmarshal(session.marshal())
    try:
        assert isinstance(restored, httpcloak.AsyncSession)
        assert restored.cookies["a"] == "1"
    finally:
        restored.close()


def test_proxy_credentials_are_not_saved(server: TestServer) -> None:
    proxy = server.proxy_url("http")
    with httpcloak.Session(verify=server.ca, proxy=proxy) as s:
        state = s.marshal()
    assert TestServer.PROXY_PASSWORD not in state
    assert json.loads(state)["options"]["proxy"] == server.http_proxy
    with pytest.raises(httpcloak.InvalidArgument, match="pass proxy="):
        httpcloak.Session.unmarshal(state)
    with httpcloak.Session.unmarshal(state, proxy=proxy) as restored:
        assert restored.get(f"{server.https}/get").status_code == 200


def _state(session: httpcloak.Session, **changes: Any) -> str:
    state = json.loads(session.marshal())
    state.update(changes)
    return json.dumps(state)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: "not json",
        lambda s: "[]",
        lambda s: _state(s, version=3),
        lambda s: _state(s, version=None),
        lambda s: _state(s, extra=1),
        lambda s: _state(s, options={"preset": "chrome-latest", "colour": "red"}),
        lambda s: _state(s, options={"timeout": 5}),
        lambda s: _state(s, options={"max_redirects": "many"}),
        lambda s: _state(s, cookies=[{"name": "a", "domain": "."}]),
        lambda s: _state(s, cookies=[{"name": "a", "value": "1", "domain": "a b", "path": "/"}]),
        lambda s: _state(s, tls_sessions=[{"key": "h", "ticket": "AAAA", "state": "AAAA"}]),
        lambda s: _state(s, tls_sessions=[{"key": "h", "ticket": "!!", "state": ""}]),
        lambda s: _state(s, tls_sessions={}),
    ],
)
def test_malformed_or_unknown_state_is_refused(session: httpcloak.Session, mutate: Any) -> None:
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.Session.unmarshal(mutate(session))


RESTORE_AND_FINGERPRINT = """
import json, sys
import httpcloak
with httpcloak.Session.load(sys.argv[1]) as s:
    print(json.dumps(s.get(sys.argv[2]).json()))
"""


def test_restored_session_resumes_tls_in_another_process(
    server: TestServer, tmp_path: Path
) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"  # SNI is sent
    path = tmp_path / "session.json"
    with httpcloak.Session(verify=server.ca) as s:
        first = s.get(url).json()
        s.save(path)
    assert not first["psk"] and not first["resumed"]
    saved = json.loads(path.read_text())
    assert [t["key"] for t in saved["tls_sessions"]] == ["localhost"]

    child = subprocess.run(
        [sys.executable, "-c", RESTORE_AND_FINGERPRINT, str(path), url],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
    )
    assert child.returncode == 0, child.stderr
    resumed = json.loads(child.stdout)
    assert resumed["psk"], "the restored session's ClientHello has no pre_shared_key"
    assert resumed["resumed"], "the server did not resume the TLS session"
    assert 41 in resumed["extensions"]  # pre_shared_key
    assert resumed["extensions"][-1] == 41  # last, as TLS 1.3 requires


def test_a_fresh_session_offers_no_psk(server: TestServer) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"
    with httpcloak.Session(verify=server.ca) as s:
        assert 41 not in s.get(url).json()["extensions"]


def test_a_custom_fingerprint_survives_marshal(server: TestServer) -> None:
    akamai = "1:4096;3:100;4:2097152|10485760|0|m,s,p,a"
    with httpcloak.Session(verify=server.ca, akamai=akamai) as original:
        restored = httpcloak.Session.unmarshal(original.marshal())
    with restored:
        port = server.https.rsplit(":", 1)[1]
        seen = restored.get(f"https://localhost:{port}/fingerprint").json()
    assert seen["akamai"] == akamai


def test_refresh_keeps_the_tls_sessions_so_the_next_connection_resumes(
    server: TestServer,
) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"
    with httpcloak.Session(verify=server.ca) as s:
        assert not s.get(url).json()["resumed"]
        s.refresh()  # drops the connection; a browser keeps its TLS session cache
        again = s.get(url).json()
    assert again["psk"] and again["resumed"]


def test_marshal_saves_the_proxy_in_use_now_without_credentials(server: TestServer) -> None:
    with httpcloak.Session(verify=server.ca) as s:
        s.set_proxy(server.proxy_url("socks5"))
        saved = json.loads(s.marshal())["options"]
    assert saved["proxy"] == server.socks5_proxy
    assert saved["proxy_credentials_removed"] is True
    assert "proxy-secret" not in json.dumps(saved)


def test_another_fingerprint_never_resumes_a_saved_session(server: TestServer) -> None:
    # A "Firefox" resuming a session a "Chrome" made would let the server link the two.
    with httpcloak.Session("chrome-latest", verify=server.ca) as chrome:
        chrome.get(f"{server.https}/get")
        state = json.loads(chrome.marshal())
    assert state["tls_sessions"], "the Chrome session kept no ticket to test with"
    state["options"]["preset"] = "firefox-latest"
    with httpcloak.Session.unmarshal(json.dumps(state)) as firefox:
        echo = firefox.get(f"{server.https}/fingerprint").json()
    assert not echo["resumed"]
    state["options"]["preset"] = "chrome-latest"
    with httpcloak.Session.unmarshal(json.dumps(state)) as again:
        assert again.get(f"{server.https}/fingerprint").json()["resumed"]


def test_save_refuses_a_symlink_and_never_writes_through_it(
    session: httpcloak.Session, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    link = tmp_path / "session.json"
    link.symlink_to(victim)
    with pytest.raises(httpcloak.InvalidArgument, match="symbolic link"):
        session.save(link)
    assert link.is_symlink() and victim.read_text() == "precious\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "would-be-created.json")
    with pytest.raises(httpcloak.InvalidArgument, match="symbolic link"):
        session.save(dangling)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dangling.json",
        "session.json",
        "victim.txt",
    ]


def test_save_replaces_a_wider_file_with_a_private_one(
    session: httpcloak.Session, tmp_path: Path
) -> None:
    path = tmp_path / "session.json"
    path.write_text("old")
    path.chmod(0o644)
    session.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["version"] == 2


# A save that fails half-way through its write: the file-size limit (RLIMIT_FSIZE, which
# binds root too) makes the write fail with EFBIG after a few KiB, as a full disk would.
SAVE_UNDER_A_SIZE_LIMIT = """
import json, os, resource, signal, sys, httpcloak
path = sys.argv[1]
with httpcloak.Session() as s:
    for i in range(300):
        s.set_cookie(f"cookie{i}", "v" * 40, domain="example.com")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    fds_before = len(os.listdir("/proc/self/fd"))
    try:
        s.save(path)
        error = None
    except OSError as e:
        error = e.strerror
    fds_after = len(os.listdir("/proc/self/fd"))
print(json.dumps({"error": error, "leaked_fds": fds_after - fds_before}))
"""


def test_a_failed_save_leaves_the_previous_file_intact(
    session: httpcloak.Session, tmp_path: Path
) -> None:
    path = tmp_path / "session.json"
    session.save(path)
    previous = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", SAVE_UNDER_A_SIZE_LIMIT, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report == {"error": "File too large", "leaked_fds": 0}
    assert path.read_bytes() == previous
    with httpcloak.Session.load(path):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["session.json"]  # no temporary file left
    not_a_directory = path / "session.json"  # its parent is a file
    with pytest.raises(NotADirectoryError):
        session.save(not_a_directory)
    assert path.read_bytes() == previous


def test_credential_headers_are_not_saved(server: TestServer, tmp_path: Path) -> None:
    with httpcloak.Session(
        verify=server.ca,
        headers={"Authorization": "Bearer session-secret", "x-team": "blue"},
        auth=("user", "auth-secret"),
    ) as s:
        s.headers["Proxy-Authorization"] = "Basic proxy-secret"
        state = s.marshal()
        path = tmp_path / "session.json"
        s.save(path)
    for saved in (state, path.read_text()):
        assert "secret" not in saved
        assert ["x-team", "blue"] in json.loads(saved)["options"]["headers"]
    with httpcloak.Session.load(path) as restored:
        sent = restored.get(f"{server.http}/headers").json()["headers"]
        assert sent["X-Team"] == ["blue"]
        assert "Authorization" not in sent and "Proxy-Authorization" not in sent


def test_a_restored_session_never_resumes_a_tls_session_its_own_trust_rejects(
    server: TestServer,
) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"
    with httpcloak.Session(verify=server.ca) as trusting:
        trusting.get(url)
        state = json.loads(trusting.marshal())
    assert state["tls_sessions"], "no ticket to test with"
    state["options"]["verify"] = True  # the system's roots, which lack the test CA
    with httpcloak.Session.unmarshal(json.dumps(state)) as strict:
        with pytest.raises(httpcloak.TLSError):
            strict.get(url)
    state["options"]["verify"] = server.ca
    with httpcloak.Session.unmarshal(json.dumps(state)) as again:
        assert again.get(url).json()["resumed"]
