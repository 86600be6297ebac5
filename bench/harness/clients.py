"""The clients under test: ours (two read loops), the Go-native loop, and the peers."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

CLIENTS_DIR = Path(__file__).resolve().parent.parent / "clients"

OURS = "httpcloak"  # the label every ratio refers to (the iter_content loop)
OURS_READINTO = "httpcloak readinto"
GO_NATIVE = "go-native"


@dataclass(frozen=True)
class Client:
    label: str
    command: tuple[str, ...]  # the program to run; a Python client's JSON job goes after it
    kind: str  # "ours", "peer" or "go"
    variant: str = ""  # passed in the job: ours' "readinto"

    @property
    def is_python(self) -> bool:
        return self.kind != "go"


def ours() -> list[Client]:
    script = str(CLIENTS_DIR / "client_ours.py")
    return [
        Client(OURS, (sys.executable, script), "ours"),
        Client(OURS_READINTO, (sys.executable, script), "ours", "readinto"),
    ]


def go_native(binary: Path) -> Client:
    return Client(GO_NATIVE, (str(binary),), "go")


def peer(label: str, python: Path, script: str) -> Client:
    return Client(label, (str(python), str(CLIENTS_DIR / script)), "peer")
