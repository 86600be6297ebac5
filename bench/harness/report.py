"""The Markdown report: machine, command, one table per figure, what was skipped and why."""

from __future__ import annotations

import datetime

from .figures import Table


def markdown_table(table: Table) -> list[str]:
    lines = [f"## {table.title}", "", *table.notes, ""]
    if not table.rows:
        return [*lines, "(no client produced a result)", ""]
    lines.append("| " + " | ".join(table.header) + " |")
    lines.append("|" + "---|" * len(table.header))
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return [*lines, ""]


def render(
    machine: str, command: str, setup: list[str], tables: list[Table], skipped: list[str]
) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results (latest run)",
        "",
        f"Machine: {machine}. Date: {now}.",
        "",
        f"Command: `{command}`",
        "",
        *[f"- {line}" for line in setup],
        "",
    ]
    for table in tables:
        lines += markdown_table(table)
    lines += ["## Skipped or failed", ""]
    lines += [f"- {line}" for line in skipped] or ["- nothing"]
    return "\n".join(lines) + "\n"
