"""docs/parity.md's table of the upstream binding's calls is true: every row runs here, on
loopback. A same row runs its upstream call as written, a differs row runs ours, a missing
row checks that the upstream call is refused. Rows are read from the doc, so the two cannot
drift apart."""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

import httpcloak

from servers import TestServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "parity.md"
SECTION = "## Coming from the upstream Python binding, call by call"


class Row(NamedTuple):
    upstream: str
    here: str
    status: str


def _code(cell: str) -> str:
    cell = cell.strip()
    match = re.fullmatch(r"`([^`]*)`", cell)
    return match.group(1) if match else cell


def rows() -> Iterator[Row]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    for line in section.splitlines()[1:]:
        if line.startswith("## "):
            break
        if not line.startswith("| `"):
            continue
        cells = line.strip().strip("|").split(" | ")
        assert len(cells) == 4, f"a row needs 4 cells: {line}"
        yield Row(_code(cells[0]), _code(cells[1]), cells[2].strip())


ROWS = list(rows())


def test_the_table_is_there() -> None:
    assert len(ROWS) > 40
    assert {r.status for r in ROWS} == {"same", "differs", "missing"}


@pytest.mark.parametrize("row", ROWS, ids=[r.upstream for r in ROWS])
def test_row(server: TestServer, row: Row) -> None:
    with httpcloak.Session() as s:
        s.set_cookie("n", "v", expires=4102444800)  # for the rows that read the jar
        names = {
            "httpcloak": httpcloak,
            "email": email,
            "json": json,
            "s": s,
            "URL": f"{server.http}/anything",
            "run": asyncio.run,
            "proxy": server.http_proxy,
        }
        try:
            if row.status == "same":
                assert row.here == row.upstream, "a same row shows the same call twice"
                eval(row.upstream, names)
            elif row.status == "differs":
                eval(row.here, names)  # the call may look the same and mean otherwise
            else:
                assert row.status == "missing" and row.here == "—"
                with pytest.raises((TypeError, AttributeError, httpcloak.InvalidArgument)):
                    eval(row.upstream, names)
        finally:
            httpcloak.configure()  # the configure row changes the module's default
