"""The responses a session has handed out and not yet closed, so that closing the session
closes them too: their `closed` turns true and a read says the stream is closed."""

from __future__ import annotations

import threading
import weakref
from typing import Protocol


class Closable(Protocol):
    def close(self) -> None: ...


class OpenStreams:
    __slots__ = ("_lock", "_responses")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._responses: weakref.WeakSet[Closable] = weakref.WeakSet()

    def add(self, response: Closable) -> None:
        with self._lock:
            self._responses.add(response)

    def close_all(self) -> None:
        with self._lock:
            responses = list(self._responses)
            self._responses.clear()
        for response in responses:
            response.close()
