"""PresetPool: names checked against the registry, round-robin and random draws (shared
safely between threads), indexing and iteration, and sessions made from what it picks."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest

import httpcloak

from servers import TestServer

NAMES = ["chrome-133", "firefox-135", "safari-16", "chrome-latest"]


def test_default_pool_holds_every_preset_but_aliases() -> None:
    pool = httpcloak.PresetPool()
    infos = {p: httpcloak.preset_info(p) for p in httpcloak.preset_names()}
    assert set(pool) == {name for name, info in infos.items() if info.alias_of is None}
    assert "chrome-latest" not in pool and "chrome-133" in pool
    assert len(pool) == pool.size == len(pool.presets)


def test_round_robin_wraps_and_pick_follows_the_strategy() -> None:
    pool = httpcloak.PresetPool(NAMES)
    assert pool.strategy == "round_robin"
    assert [pool.next() for _ in range(6)] == NAMES + NAMES[:2]
    assert pool.pick() == NAMES[2]  # pick() shares the round-robin cursor


def test_random_is_drawn_from_the_pool_and_repeatable_with_a_seed() -> None:
    first = httpcloak.PresetPool(NAMES, strategy="random", seed=7)
    second = httpcloak.PresetPool(NAMES, strategy="random", seed=7)
    draws = [first.pick() for _ in range(50)]
    assert draws == [second.random() for _ in range(50)]
    assert set(draws) == set(NAMES)  # 50 draws over 4 names reach them all with this seed


def test_indexing_iteration_and_membership() -> None:
    pool = httpcloak.PresetPool(NAMES)
    assert pool[0] == pool.get(0) == "chrome-133"
    assert pool[-1] == "chrome-latest"
    assert list(pool) == NAMES and "safari-16" in pool
    with pytest.raises(IndexError):
        pool[len(NAMES)]
    with pytest.raises(TypeError):
        pool.get("0")  # type: ignore[arg-type]
    assert "PresetPool(" in repr(pool)


def test_next_is_fair_across_threads() -> None:
    pool = httpcloak.PresetPool(NAMES)
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def draw() -> None:
        mine = Counter(pool.next() for _ in range(200))
        with lock:
            counts.update(mine)

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts == dict.fromkeys(NAMES, 400)


@pytest.mark.parametrize(
    ("presets", "strategy", "error"),
    [
        (["chrome-133", "netscape-4"], "round_robin", httpcloak.InvalidArgument),
        ([], "round_robin", httpcloak.InvalidArgument),
        (NAMES, "weighted", httpcloak.InvalidArgument),
        ("chrome-133", "round_robin", httpcloak.InvalidArgument),  # a str is a pool file
        ([133], "round_robin", TypeError),
    ],
)
def test_bad_pools_are_refused(presets: object, strategy: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        httpcloak.PresetPool(presets, strategy=strategy)  # type: ignore[arg-type]


def test_a_pool_of_custom_presets_drives_sessions(server: TestServer) -> None:
    url = server.https.replace("127.0.0.1", "localhost") + "/fingerprint"
    akamai = "1:4096;3:100;4:2097152|10485760|0|m,s,p,a"
    names = [
        httpcloak.load_preset_from_json(json.dumps({"name": f"pool-test-{i}", "akamai": akamai}))
        for i in range(2)
    ]
    try:
        pool = httpcloak.PresetPool(names)
        for _ in range(2):
            with httpcloak.Session(pool.pick(), verify=server.ca) as s:
                assert s.get(url).json()["akamai"] == akamai
        assert pool.next() == names[0]
    finally:
        for name in names:
            httpcloak.unregister_preset(name)
    with pytest.raises(httpcloak.InvalidArgument):
        httpcloak.PresetPool(names)  # no longer registered
