"""Capture what real browsers send to the test server, as fixtures for the preset tests.

    python tools/capture_browsers.py            # Chromium (windowed + headless) and Firefox ESR
    python tools/capture_browsers.py --browsers chromium-h3,firefox-esr-h3   # over HTTP/3

Needs Debian's chromium, firefox-esr, xvfb and libnss3-tools. For each browser it starts the
test server (go/testserver) with -capture-dir, makes a fresh profile whose NSS database trusts
the server's CA, and launches the browser --launches times under Xvfb on
https://localhost:PORT/capture/page. Each launch walks --steps pages: every page loads a
stylesheet, a script, two images and a fetch() on one connection, then the server ends that
connection (GOAWAY) and the next page needs a new, resumed one. The browser is stopped once
the last page reports done, or after --timeout seconds. Every TLS connection's record
(ClientHello, HTTP/2 frames with their HPACK representations, headers) lands in
tests/fixtures/browsers/<browser>-<version>[-headless]/launch-N/, with a manifest.json.
The -h3 configurations make the browser use HTTP/3 (QUIC) for the origin instead: every QUIC
connection's record (Initial packets, ClientHello, transport parameters, HTTP/3 streams with
QPACK) lands as quic-<id>.json in tests/fixtures/browsers/<browser>-<version>-h3/launch-N/.
See docs/fingerprints.md, "Capturing real browsers".
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "browsers"
CA_NICKNAME = "httpcloak-test-ca"

# Firefox prefs for a quiet, reproducible run: no first-run or welcome pages, no telemetry,
# studies, updates, safe browsing or network probes (there is no network here anyway), and
# no session restore after we stop it. None of them touches TLS or HTTP/2.
FIREFOX_PREFS: dict[str, bool | int | str] = {
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "app.update.auto": False,
    "app.update.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.firstrunSkipsHomepage": True,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.tabs.warnOnClose": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "startup.homepage_welcome_url": "",
    "startup.homepage_welcome_url.additional": "",
    "toolkit.startup.max_resumed_crashes": -1,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "trailhead.firstrun.didSeeAboutWelcome": True,
}


@dataclass
class Browser:
    """One browser configuration to capture."""

    name: str  # fixture directory prefix: chromium, firefox-esr
    binary: str
    package: str  # the Debian package, for its version
    headless: bool
    # (profile dir, home dir, url, server) -> argv after the binary
    arguments: Callable[[Path, Path, str, Server], list[str]]
    # prepares the profile and NSS database: (profile dir, home dir, server)
    prepare: Callable[[Path, Path, Server], None]
    # launches, when not --launches (the headless run only shows what differs from windowed)
    launches: int | None = None
    h3: bool = False  # HTTP/3 (QUIC) to the origin instead of TLS over TCP

    @property
    def label(self) -> str:
        return self.name + ("-headless" if self.headless else "") + ("-h3" if self.h3 else "")


def chromium_arguments(
    headless: bool, h3: bool = False
) -> Callable[[Path, Path, str, Server], list[str]]:
    def arguments(profile: Path, home: Path, url: str, server: Server) -> list[str]:
        argv = [
            # Root in a container: Chromium's sandbox needs user namespaces it cannot have.
            "--no-sandbox",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--password-store=basic",
            "--window-size=1280,900",
        ]
        if headless:
            argv.append("--headless=new")
        if h3:
            # QUIC straight away (no Alt-Svc needed); Chromium's QUIC stack does not consult
            # the NSS trust for this, so the leaf's key is allowed by its SPKI hash too.
            argv += [
                f"--origin-to-force-quic-on=localhost:{server.h3_port}",
                f"--ignore-certificate-errors-spki-list={server.spki_sha256}",
            ]
        return [*argv, url]

    return arguments


def prepare_chromium(profile: Path, home: Path, server: Server) -> None:
    # Chromium on Linux reads user-trusted roots from $HOME/.pki/nssdb.
    trust_ca(home / ".pki" / "nssdb", server.ca)


def firefox_arguments(profile: Path, home: Path, url: str, server: Server) -> list[str]:
    return ["--no-remote", "--new-instance", "--profile", str(profile), url]


def firefox_h3_prefs(server: Server) -> dict[str, bool | int | str]:
    """Prefs that send Firefox to the origin over HTTP/3 without waiting for Alt-Svc."""
    return {
        "network.http.http3.enable": True,
        # As if localhost had announced Alt-Svc: h3=":PORT".
        "network.http.http3.alt-svc-mapping-for-testing": f"localhost;h3=:{server.h3_port}",
        # Firefox turns HTTP/3 off when the NSS database holds a root it did not ship.
        "network.http.http3.disable_when_third_party_roots_found": False,
    }


def prepare_firefox(h3: bool) -> Callable[[Path, Path, Server], None]:
    def prepare(profile: Path, home: Path, server: Server) -> None:
        # Firefox keeps its NSS database (cert9.db) in the profile.
        trust_ca(profile, server.ca)
        prefs = {**FIREFOX_PREFS, **(firefox_h3_prefs(server) if h3 else {})}
        lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items()]
        (profile / "user.js").write_text("\n".join(lines) + "\n")

    return prepare


def trust_ca(nssdb: Path, ca: Path) -> None:
    nssdb.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nssdb}", "-n", CA_NICKNAME, "-t", "C,,", "-i", str(ca)],
        check=True,
        capture_output=True,
    )


BROWSERS = {
    "chromium": Browser(
        "chromium", "chromium", "chromium", False, chromium_arguments(False), prepare_chromium
    ),
    "chromium-headless": Browser(
        "chromium", "chromium", "chromium", True, chromium_arguments(True), prepare_chromium, 1
    ),
    "firefox-esr": Browser(
        "firefox-esr",
        "firefox-esr",
        "firefox-esr",
        False,
        firefox_arguments,
        prepare_firefox(False),
    ),
    "chromium-h3": Browser(
        "chromium",
        "chromium",
        "chromium",
        False,
        chromium_arguments(False, h3=True),
        prepare_chromium,
        h3=True,
    ),
    "firefox-esr-h3": Browser(
        "firefox-esr",
        "firefox-esr",
        "firefox-esr",
        False,
        firefox_arguments,
        prepare_firefox(True),
        h3=True,
    ),
}


@dataclass
class Server:
    """The test server, writing every TLS connection's capture to capture_dir."""

    process: subprocess.Popen[bytes]
    http_port: int
    https_port: int
    h3_port: int
    ca: Path
    capture_dir: Path
    spki_sha256: str  # base64 SHA-256 of the leaf certificate's SubjectPublicKeyInfo
    control: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        # One keep-alive plaintext connection for polling: it is never captured.
        self.control = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)

    def get_json(self, path: str) -> Any:
        self.control.request("GET", path)
        response = self.control.getresponse()
        return json.loads(response.read())

    def logged_paths(self, token: str) -> list[str]:
        log = self.get_json(f"/warmup/log?token={token}")
        return [record["path"] for record in log["requests"]]

    def open_tcp_connections(self) -> int:
        return int(self.get_json("/stats")["open"]["https"])

    def stop(self) -> None:
        self.control.close()
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the server writes still-open connections, then exits
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(binary: Path, work: Path) -> Server:
    capture_dir = work / "capture"
    ca = work / "ca.pem"
    process = subprocess.Popen(
        [str(binary), "-capture-dir", str(capture_dir), "-ca-out", str(ca)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{binary} exited before announcing its ports")
    ready = json.loads(line)
    http_port, https_port = (int(ready[key].rsplit(":", 1)[1]) for key in ("http", "https"))
    h3_port = int(ready["h3"].rsplit(":", 1)[1]) if ready["h3"] else 0
    spki = spki_sha256(Path(ready["server_pem"]))
    return Server(process, http_port, https_port, h3_port, ca, capture_dir, spki)


def spki_sha256(pem: Path) -> str:
    """Base64 SHA-256 of the first certificate's public key, as Chromium's SPKI lists take it."""
    key = subprocess.run(
        ["openssl", "x509", "-in", str(pem), "-noout", "-pubkey"],
        check=True,
        capture_output=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"], input=key, check=True, capture_output=True
    ).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


class Xvfb:
    """A virtual X display for windowed browsers."""

    def __init__(self) -> None:
        read_end, write_end = os.pipe()
        self.process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not announce a display")
        self.display = ":" + number

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the browser's process group (browsers exit cleanly on it), SIGKILL leftovers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_alive(process):
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def group_alive(process: subprocess.Popen[bytes]) -> bool:
    process.poll()  # reap the leader, or it counts as alive
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def command_output(argv: list[str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


def debian_version(package: str) -> str:
    return command_output(["dpkg-query", "-W", "-f=${Version}", package])


def os_name() -> str:
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.system()


def capture(
    browser: Browser,
    server_binary: Path,
    out_root: Path,
    launches: int,
    steps: int,
    timeout: float,
    display: str,
) -> Path:
    version_string = command_output([browser.binary, "--version"])
    version = version_string.split()[-1] if browser.name.startswith("firefox") else ""
    if not version:  # "Chromium 156.0.8078.129 built on Debian ..."
        version = version_string.split()[1]
    out = out_root / f"{browser.name}-{version}{browser.label[len(browser.name) :]}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    argv_template: list[str] = []
    with tempfile.TemporaryDirectory(prefix=f"capture-{browser.label}-") as tmp:
        work = Path(tmp)
        server = start_server(server_binary, work)
        try:
            home, profile = work / "home", work / "profile"
            profile.mkdir(parents=True)
            browser.prepare(profile, home, server)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(home),
                "DISPLAY": display,
                "LANG": "en_US.UTF-8",
                "TZ": "UTC",
                "MOZ_CRASHREPORTER_DISABLE": "1",
            }
            seen: set[str] = set()
            for launch in range(1, launches + 1):
                token = f"{browser.label}-{launch}"
                port = server.h3_port if browser.h3 else server.https_port
                url = f"https://localhost:{port}/capture/page?token={token}&step=1&steps={steps}"
                argv = [browser.binary, *browser.arguments(profile, home, url, server)]
                argv_template = [
                    a.replace(str(profile), "PROFILE")
                    .replace(str(port), "PORT")
                    .replace(token, "TOKEN")
                    .replace(server.spki_sha256, "SPKI_SHA256")
                    for a in argv
                ]
                run = run_browser(argv, env, server, token, timeout)
                run["launch"] = launch
                run["connections"] = collect(server, out / f"launch-{launch}", seen)
                runs.append(run)
                print(
                    f"{browser.label} launch {launch}: done={run['completed']} "
                    f"{run['seconds']}s, {len(run['connections'])} connections",
                    file=sys.stderr,
                )
        finally:
            server.stop()
        # Connections still open at shutdown were written by the server on exit.
        if runs:
            runs[-1]["connections"] += collect(server, out / f"launch-{launches}", seen)
    manifest = {
        "browser": browser.name,
        "headless": browser.headless,
        "http3": browser.h3,
        "version_string": version_string,
        "version": version,
        "debian_package": f"{browser.package} {debian_version(browser.package)}",
        "os": os_name(),
        "machine": platform.machine(),
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "command": argv_template,
        "display": "Xvfb 1280x1024x24" if not browser.headless else "",
        "url": "https://localhost:PORT/capture/page?token=TOKEN&step=1&steps=" + str(steps),
        "prefs": {
            k: v.replace(str(server.h3_port), "PORT") if isinstance(v, str) else v
            for k, v in firefox_h3_prefs(server).items()
        }
        if browser.h3 and browser.name.startswith("firefox")
        else {},
        "steps_per_launch": steps,
        "launches": runs,
        "seconds": round(time.monotonic() - started, 1),
        "tool": "tools/capture_browsers.py",
    }
    (out / "manifest.json").write_text(to_json(manifest) + "\n")
    return out


def run_browser(
    argv: list[str], env: dict[str, str], server: Server, token: str, timeout: float
) -> dict[str, Any]:
    """Run one browser process until the capture page says done, or the timeout."""
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    completed = False
    try:
        while time.monotonic() - started < timeout and process.poll() is None:
            if any(path.endswith("/done.txt") for path in server.logged_paths(token)):
                completed = True
                time.sleep(1.0)  # let late requests (a favicon) finish
                break
            time.sleep(0.25)
    finally:
        stop_process_group(process)
    seconds = round(time.monotonic() - started, 1)
    # The browser's sockets are closed now; wait until the server saw every close.
    deadline = time.monotonic() + 10
    while server.open_tcp_connections() and time.monotonic() < deadline:
        time.sleep(0.1)
    # QUIC connections of a stopped browser stay open until the idle timeout (a minute):
    # have the server write their records now, so they are filed with this launch.
    server.get_json("/capture/flush")
    return {"completed": completed, "seconds": seconds, "requests": server.logged_paths(token)}


def collect(server: Server, dest: Path, seen: set[str]) -> list[str]:
    """Copy the capture files not collected yet into dest, compacted; returns their names."""
    names = sorted(
        p.name
        for pattern in ("conn-*.json", "quic-*.json")
        for p in server.capture_dir.glob(pattern)
        if p.name not in seen
    )
    if names:
        dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        seen.add(name)
        record = json.loads((server.capture_dir / name).read_text())
        (dest / name).write_text(to_json(record) + "\n")
    return names


def to_json(value: Any, level: int = 0) -> str:
    """JSON with each object or list of scalars on one line: small fixtures that diff well."""
    flat = not isinstance(value, (dict, list)) or not any(
        isinstance(v, (dict, list)) and v
        for v in (value.values() if isinstance(value, dict) else value)
    )
    if flat:
        return json.dumps(value)
    pad = " " * (level + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}"
    items = [pad + to_json(v, level + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--browsers",
        default="chromium,chromium-headless,firefox-esr",
        help=f"comma-separated, from {', '.join(BROWSERS)}",
    )
    parser.add_argument(
        "--launches", type=int, default=3, help="browser processes per browser (headless: 1)"
    )
    parser.add_argument("--steps", type=int, default=2, help="pages (connections) per launch")
    parser.add_argument(
        "--timeout", type=float, default=45, help="seconds before a launch is stopped"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    chosen = [BROWSERS[name] for name in args.browsers.split(",")]
    for tool in ["Xvfb", "certutil", *(b.binary for b in chosen)]:
        if shutil.which(tool) is None:
            parser.error(
                f"{tool} not found: apt-get install chromium firefox-esr xvfb libnss3-tools"
            )

    sys.path.insert(0, str(ROOT))
    import build_go

    server_binary = build_go.build_testserver()
    started = time.monotonic()
    xvfb = Xvfb()
    try:
        for browser in chosen:
            out = capture(
                browser,
                server_binary,
                args.out,
                browser.launches or args.launches,
                args.steps,
                args.timeout,
                xvfb.display,
            )
            print(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    finally:
        xvfb.stop()
    print(f"captured in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
