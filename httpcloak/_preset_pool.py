"""PresetPool: rotate sessions over several presets (round-robin or random), thread-safe.

A policy over preset names with its own state (a cursor, a random generator, a lock), kept
apart from _presets.py, which only says which presets exist and registers new ones."""

from __future__ import annotations

import json
import os
import random as _random
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from ._exceptions import InvalidArgument
from ._presets import preset_info, register_document, unregister_preset
from ._presets import presets as _all_presets
from ._upstream_presets import from_upstream, pool_presets

Strategy = Literal["round_robin", "random"]
STRATEGIES: tuple[Strategy, ...] = ("round_robin", "random")


class PresetPool:
    """A fixed list of preset names to draw from.

    ``presets`` defaults to every preset that is not an alias (built-in and custom, as
    registered now). Each name must be known when the pool is made. ``pick()`` draws by
    ``strategy``; ``next()`` and ``random()`` draw one way regardless. ``seed`` makes
    ``random()`` repeatable.

    As upstream, ``PresetPool(path)`` (a str or a path) and ``PresetPool.from_json(text)``
    load a pool file ``{"version": 1, "pool": {"name", "strategy", "presets": [...]}}``:
    its presets are registered, and unregistered again by ``close()``.
    """

    def __init__(
        self,
        presets: Iterable[str] | str | os.PathLike[str] | None = None,
        strategy: Strategy = "round_robin",
        *,
        seed: int | None = None,
    ) -> None:
        self.name = ""
        self._owned: tuple[str, ...] = ()  # presets this pool registered (from a file)
        if isinstance(presets, (str, os.PathLike)):
            path = Path(presets)
            if not path.is_file():
                raise InvalidArgument(
                    f"PresetPool({str(presets)!r}): no such pool file (a str is a pool file's "
                    "path, as upstream; pass preset names as a list)"
                )
            self.name, strategy, presets = self._load(path.read_text(encoding="utf-8"))
        if strategy not in STRATEGIES:
            raise InvalidArgument(
                f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}"
            )
        known = _all_presets()
        if presets is None:
            names = [p.name for p in known if p.alias_of is None]
        else:
            names = list(presets)
            available = {p.name for p in known}
            for name in names:
                if not isinstance(name, str):
                    raise TypeError(f"preset names must be str, not {type(name).__name__}")
                if name not in available:
                    raise InvalidArgument(
                        f"unknown preset {name!r}; available: {', '.join(sorted(available))}"
                    )
        if not names:
            raise InvalidArgument("a PresetPool needs at least one preset")
        self._init_draws(names, strategy, seed)

    @classmethod
    def from_json(cls, json_data: str, *, seed: int | None = None) -> PresetPool:
        """A pool from the text of a pool file (upstream's PresetPool.from_json)."""
        if not isinstance(json_data, str):
            raise TypeError(f"json_data must be a str, not {type(json_data).__name__}")
        pool = cls.__new__(cls)
        pool.name, strategy, names = pool._load(json_data)
        pool._init_draws(names, strategy, seed)
        return pool

    def _load(self, text: str) -> tuple[str, Strategy, list[str]]:
        """Register the presets of a pool file; (name, strategy, their names)."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise InvalidArgument(f"preset pool: invalid JSON: {exc}") from None
        except RecursionError:
            raise InvalidArgument("preset pool: its JSON nests too deeply") from None
        if not isinstance(document, dict) or "pool" not in document:
            raise InvalidArgument('a preset pool file is {"version": 1, "pool": {...}}')
        name, strategy, entries = pool_presets(document, preset_info)
        if strategy not in STRATEGIES:
            raise InvalidArgument(f"pool strategy must be round-robin or random, got {strategy!r}")
        registered: list[str] = []
        try:
            for entry in entries:
                doc = from_upstream({"version": 1, "preset": entry}, preset_info)
                registered.append(register_document(doc))
        except BaseException:
            for done in registered:
                unregister_preset(done)
            raise
        self._owned = tuple(registered)
        return name, strategy, registered

    def _init_draws(self, names: list[str], strategy: Strategy, seed: int | None) -> None:
        self._names: tuple[str, ...] = tuple(names)
        self._strategy: Strategy = strategy
        self._lock = threading.Lock()
        self._cursor = 0
        self._rng = _random.Random(seed)

    @property
    def presets(self) -> tuple[str, ...]:
        """The names in the pool, in order."""
        return self._names

    @property
    def strategy(self) -> Strategy:
        return self._strategy

    @property
    def size(self) -> int:
        return len(self._names)

    def pick(self) -> str:
        """A name drawn by the pool's strategy."""
        return self.next() if self._strategy == "round_robin" else self.random()

    def next(self) -> str:
        """The next name in round-robin order (shared by all threads)."""
        with self._lock:
            name = self._names[self._cursor]
            self._cursor = (self._cursor + 1) % len(self._names)
        return name

    def random(self) -> str:
        """A name chosen uniformly at random."""
        with self._lock:
            return self._rng.choice(self._names)

    def get(self, index: int) -> str:
        """The name at ``index`` (negative counts from the end)."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int, not {type(index).__name__}")
        try:
            return self._names[index]
        except IndexError:
            raise IndexError(
                f"PresetPool index {index} out of range for {len(self._names)} presets"
            ) from None

    def __getitem__(self, index: int) -> str:
        return self.get(index)

    def close(self) -> None:
        """Unregister the presets this pool loaded from a file (as upstream); a pool over
        names registered elsewhere owns nothing. Idempotent."""
        owned, self._owned = getattr(self, "_owned", ()), ()
        for name in owned:
            unregister_preset(name)

    def __enter__(self) -> PresetPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __repr__(self) -> str:
        return f"PresetPool({list(self._names)!r}, strategy={self._strategy!r})"
