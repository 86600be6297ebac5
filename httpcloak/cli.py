"""The `httpcloak` command: curl-like requests with a browser's fingerprint.

    httpcloak https://example.com/file.iso -o file.iso      # download with a progress line
    httpcloak https://example.com/events --events           # print Server-Sent Events
    httpcloak https://example.com/api -X POST -d @body.json -H 'content-type: application/json'

Exit codes follow curl where it has one: 0 done, 2 bad usage or argument, 6 unresolved
host, 7 could not connect, 5 proxy failed, 18 body cut short, 8 bad server reply,
22 HTTP status >= 400 with --fail, 23 output closed (e.g. piped to head) or not writable,
26 the -d @file could not be read, 28 timeout, 35 TLS failed, 47 too many redirects,
130 interrupted (Ctrl-C), 1 anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import stat
import sys
from collections.abc import Iterator, Sequence
from typing import IO

from . import _exceptions as exc
from ._fingerprint_compare import compare, render
from ._models import StreamResponse, body_is_encoded
from ._presets import preset_info
from ._progress import Progress
from ._replace_file import replacing
from ._session import Session
from ._timeouts import Timeout

EXIT_CODES: list[tuple[type[BaseException], int]] = [
    (exc.DNSError, 6),
    (exc.ProxyError, 5),
    (exc.ConnectTimeout, 28),
    (exc.ReadTimeout, 28),
    (exc.TotalTimeout, 28),
    (exc.ConnectError, 7),
    (exc.TLSError, 35),
    (exc.IncompleteRead, 18),
    (exc.TooManyRedirects, 47),
    (exc.ProtocolError, 8),
    (exc.InvalidArgument, 2),
]


class LocalFileError(Exception):
    """A local file given on the command line could not be opened (curl's 26 and 23)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def exit_code_for(error: BaseException) -> int:
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="httpcloak", description="HTTP requests that look like a browser's."
    )
    parser.add_argument("url", nargs="?", help="the URL to request")
    parser.add_argument("-X", "--request", dest="method", help="HTTP method (default GET)")
    parser.add_argument(
        "-H", "--header", action="append", default=[], help="'Name: value', repeatable"
    )
    parser.add_argument("-d", "--data", "--data-binary", dest="data", help="body, or @file")
    parser.add_argument("--preset", default="chrome-latest", help="browser to look like")
    parser.add_argument("--http-version", default="auto", choices=["auto", "h1", "h2", "h3"])
    parser.add_argument("-k", "--insecure", action="store_true", help="skip certificate checks")
    parser.add_argument("--cacert", help="CA bundle (PEM) to trust")
    parser.add_argument("--timeout", type=float, help="connect and read timeout, seconds")
    parser.add_argument("-L", "--location", action="store_true", help="follow redirects")
    parser.add_argument("-I", "--head", action="store_true", help="HEAD: show headers only")
    body_use = parser.add_mutually_exclusive_group()
    body_use.add_argument("-o", "--output", help="write the body to this file, with progress")
    body_use.add_argument("--lines", action="store_true", help="print NDJSON records as they come")
    body_use.add_argument("--events", action="store_true", help="print Server-Sent Events")
    parser.add_argument("-v", "--verbose", action="store_true", help="protocol, status, headers")
    parser.add_argument("-f", "--fail", action="store_true", help="exit 22 on HTTP >= 400")
    parser.add_argument("--proxy", help="http://, https:// or socks5:// proxy URL")
    parser.add_argument(
        "--fingerprint", action="store_true", help="show what the preset sends, then exit"
    )
    parser.add_argument(
        "--compare",
        metavar="CAPTURE",
        help="with --fingerprint: compare what the preset sends to URL (a /fingerprint/full "
        "endpoint of the test server) with this capture file, field by field",
    )
    return parser


def _headers(raw: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in raw:
        name, sep, value = item.partition(":")
        if not sep:
            raise exc.InvalidArgument(f"header {item!r} is not 'Name: value'")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _body(data: str | None) -> bytes | IO[bytes] | None:
    if data is None:
        return None
    if data.startswith("@"):
        try:
            return open(data[1:], "rb")  # noqa: SIM115 - closed after the request
        except OSError as error:
            raise LocalFileError(f"cannot read {data[1:]!r}: {error.strerror}", 26) from error
    return data.encode()


@contextlib.contextmanager
def _output_file(path: str) -> Iterator[IO[bytes]]:
    """The -o file, written aside and renamed over ``path`` only once the whole body is in:
    an HTTP error with -f, a cut body, a timeout or Ctrl-C leave ``path`` as it was. A link
    is followed (its target is replaced, as curl writes into it); a device or FIFO such as
    /dev/null has nothing to protect and cannot be renamed over, so it is written directly."""
    target = os.path.realpath(path)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise LocalFileError(f"cannot write {path!r}: {error.strerror}", 23) from error
    with contextlib.ExitStack() as stack:
        try:
            if existing is not None and not stat.S_ISREG(existing.st_mode):
                f: IO[bytes] = stack.enter_context(open(target, "wb"))
            else:
                f = stack.enter_context(replacing(target, mode=_mode_for(existing), durable=False))
        except OSError as error:
            raise LocalFileError(f"cannot write {path!r}: {error.strerror}", 23) from error
        yield f


def _mode_for(existing: os.stat_result | None) -> int:
    """A replaced file keeps its permissions; a new one gets what open() would give it."""
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _progress_total(response: StreamResponse) -> int:
    """The length the progress line counts towards: unknown (-1) when the body arrives
    compressed, since content_length counts encoded bytes and the file gets decoded ones."""
    return -1 if body_is_encoded(response.headers) else response.content_length


def _show_head(response: StreamResponse, out: IO[str]) -> None:
    print(f"{response.protocol} {response.status_code} {response.reason}", file=out)
    for name, value in response.headers.multi_items():
        print(f"{name}: {value}", file=out)
    print(file=out)


def _write_body(response: StreamResponse, args: argparse.Namespace) -> None:
    if args.events:
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "text/event-stream":
            print(
                f"httpcloak: warning: the response is {kind or 'untyped'}, not "
                "text/event-stream; events may never come",
                file=sys.stderr,
            )
        for event in response.iter_events():
            print(json.dumps({"event": event.event, "id": event.id, "data": event.data}))
            sys.stdout.flush()
    elif args.lines:
        for line in response.iter_lines(decode_unicode=True):
            print(line, flush=True)
    elif args.output and args.output != "-":  # "-" is stdout, as in curl
        with _output_file(args.output) as f, Progress(_progress_total(response)) as progress:
            for chunk in response.iter_content(1 << 16):
                f.write(chunk)
                progress.update(len(chunk))
    else:
        sink = sys.stdout.buffer
        for chunk in response.iter_content(1 << 16):
            sink.write(chunk)
            sink.flush()


def _fingerprint(preset: str) -> None:
    info = preset_info(preset)
    alias = f" (alias of {info.alias_of})" if info.alias_of else ""
    print(f"preset {info.name}{alias}, engine profile {info.engine_profile}")
    for name, value in info.headers:
        print(f"{name}: {value}")


def _compare(args: argparse.Namespace) -> int:
    """--fingerprint --compare CAPTURE URL: 0 when every field is equal, 1 otherwise."""
    if not args.url:
        raise exc.InvalidArgument(
            "--compare needs the URL of a /fingerprint/full endpoint to measure the preset "
            "against (the test server's, go/testserver)"
        )
    try:
        with open(args.compare, encoding="utf-8") as f:
            capture = json.load(f)
    except (OSError, ValueError) as error:
        raise LocalFileError(f"cannot read the capture {args.compare!r}: {error}", 26) from error
    verify: bool | str = False if args.insecure else (args.cacert or True)
    with Session(args.preset, verify=verify, http_version=args.http_version) as session:
        ours = session.get(args.url).json()
    rows = compare(capture, ours)
    print(render(rows))
    return 0 if all(r.equal or not r.counts for r in rows) else 1


def run(args: argparse.Namespace) -> int:
    if args.fingerprint and args.compare:
        return _compare(args)
    if args.fingerprint:
        _fingerprint(args.preset)
        return 0
    if not args.url:
        raise exc.InvalidArgument("a URL is required")
    verify: bool | str = False if args.insecure else (args.cacert or True)
    given = args.timeout is not None
    timeout = Timeout(connect=args.timeout, read=args.timeout) if given else Timeout()
    method = "HEAD" if args.head else (args.method or ("POST" if args.data else "GET"))
    body = _body(args.data)
    with Session(
        args.preset,
        http_version=args.http_version,
        verify=verify,
        timeout=timeout,
        proxy=args.proxy,
        allow_redirects=args.location,
    ) as session:
        try:
            response = session.request(
                method, args.url, headers=_headers(args.header), data=body, stream=True
            )
        finally:
            if hasattr(body, "close"):
                body.close()  # type: ignore[union-attr]
        with response:
            if args.verbose or args.head:
                _show_head(response, sys.stderr if not args.head else sys.stdout)
            if args.fail and response.status_code >= 400:
                # As curl: no body at all, and an -o file is left as it was.
                print(
                    f"httpcloak: the server answered {response.status_code} {response.reason}",
                    file=sys.stderr,
                )
                return 22
            if not args.head:
                _write_body(response, args)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 23
    except exc.HTTPCloakError as error:
        print(f"httpcloak: {type(error).__name__}: {error}", file=sys.stderr)
        return exit_code_for(error)
    except LocalFileError as error:
        print(f"httpcloak: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"httpcloak: {error}", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """After the reader went away, flushing at exit must not raise again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def entry() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
