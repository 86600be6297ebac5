"""The quiet gate: how much CPU processes outside this benchmark took during a sample.

Everything the benchmark runs (this process, the servers, the sample's client) descends from
this process; the rest of /proc/stat's busy time is other load, which disturbs the figures.
A sample during which others took more than QUIET_SHARE of the machine is taken again.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

QUIET_SHARE = 0.05  # of all cores: on 2 cores, a tenth of one core
ATTEMPTS = 4  # a disturbed sample is taken at most this often; the quietest is kept

_TICK = os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def _descendant_ticks(root: int) -> int:
    """utime + stime of root's live descendants (servers, their workers, a running client)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))  # ppid
            ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime, stime
    total, todo = 0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo += children.get(pid, [])
    return total


def _own_ticks() -> float:
    """This process and its waited-for children (finished samples), in clock ticks."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (me.ru_utime + me.ru_stime + done.ru_utime + done.ru_stime) * _TICK


@dataclass
class LoadMeter:
    """Started before a sample, read after it: the others' share of the machine."""

    busy: int = 0
    total: int = 0
    ours: float = 0.0

    def start(self) -> None:
        self.busy, self.total = _machine_ticks()
        self.ours = _own_ticks() + _descendant_ticks(os.getpid())

    def others_share(self) -> float:
        busy, total = _machine_ticks()
        ours = _own_ticks() + _descendant_ticks(os.getpid())
        others = (busy - self.busy) - (ours - self.ours)
        return max(0.0, others / max(total - self.total, 1))
