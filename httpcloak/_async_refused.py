"""The asyncio names on a blocking StreamResponse: each says what to use instead, rather
than Python's bare AttributeError (AsyncStreamResponse does the same the other way).
No __aiter__: that would make a blocking stream pass for an AsyncIterable body."""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(name: str, instead: str) -> NoReturn:
    raise TypeError(
        f"{name} is for an AsyncStreamResponse; this stream came from a blocking Session: "
        f"use {instead} (or an AsyncSession under asyncio)"
    )


class AsyncNamesRefused:
    def aiter_content(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_content()", "r.iter_content()")

    def aiter_bytes(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_bytes()", "r.iter_bytes()")

    def aiter_text(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_text()", "r.iter_text()")

    def aiter_lines(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_lines()", "r.iter_lines()")

    def aiter_json(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_json()", "r.iter_json()")

    def aiter_events(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("aiter_events()", "r.iter_events()")

    async def aread(self) -> NoReturn:
        _refuse("aread()", "r.read()")

    async def aclose(self) -> NoReturn:
        _refuse("aclose()", "r.close()")

    async def __aenter__(self) -> NoReturn:
        _refuse("async with", "a plain with block")

    async def __aexit__(self, *exc_info: object) -> None:
        return None
