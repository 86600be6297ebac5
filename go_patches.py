"""Our own patches to pinned Go modules, applied at build time (docs/go-patches.md).

    go/patches/<module path>/NNNN-what.patch    unified diffs (git style, a/ b/), in name order

For each patched module, the version pinned in go/go.mod is copied out of the Go module cache
(`go mod download` verifies its checksum), patched, and moved into place as
build/go-patched/<module path>; go/go.mod replaces the module with that directory, so a build
without the patched copy fails instead of silently using the upstream code. Hunks must match
exactly (no fuzz, no offset): a patch that no longer fits its module stops the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PATCHED_DIR_NAME = "go-patched"
STAMP_NAME = ".httpcloak-patches"
APPLIER_VERSION = "1"  # part of the stamp: a change here re-applies every patch

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(SystemExit):
    """A patch that cannot be applied as written; the build stops with the reason."""


@dataclass
class _Hunk:
    old_start: int
    old: list[bytes] = field(default_factory=list)
    new: list[bytes] = field(default_factory=list)


@dataclass
class _FilePatch:
    old_path: str | None  # None: the file is created
    new_path: str | None  # None: the file is deleted
    hunks: list[_Hunk] = field(default_factory=list)


def patch_modules(go_dir: Path, build_dir: Path, go: str) -> list[Path]:
    """Make build/go-patched/<module> current for every module go/patches names."""
    patches_root = go_dir / "patches"
    modules = _patched_modules(patches_root)
    replaces, requires = _go_mod(go_dir, go)
    target_root = build_dir / PATCHED_DIR_NAME
    _check_replaces(go_dir, target_root, modules, replaces)
    done = []
    for module, patches in sorted(modules.items()):
        version = requires.get(module)
        if version is None:
            raise PatchError(f"go/patches/{module}: go/go.mod does not require {module}")
        target = target_root / module
        stamp = _stamp(module, version, patches)
        if _stamp_of(target) == stamp:
            done.append(target)
            continue
        pristine = _download(go_dir, go, module, version)
        _build_patched_copy(pristine, target, patches, stamp)
        done.append(target)
    return done


def _patched_modules(patches_root: Path) -> dict[str, list[Path]]:
    modules: dict[str, list[Path]] = {}
    for patch in sorted(patches_root.rglob("*.patch")) if patches_root.is_dir() else []:
        module = patch.parent.relative_to(patches_root).as_posix()
        modules.setdefault(module, []).append(patch)
    return modules


def _go_mod(go_dir: Path, go: str) -> tuple[dict[str, str], dict[str, str]]:
    """go.mod's replacements (module -> new path) and requirements (module -> version)."""
    edit = subprocess.run(
        [go, "mod", "edit", "-json"], cwd=go_dir, check=True, capture_output=True, text=True
    )
    mod = json.loads(edit.stdout)
    replaces = {r["Old"]["Path"]: r["New"]["Path"] for r in mod.get("Replace") or []}
    requires = {r["Path"]: r["Version"] for r in mod.get("Require") or []}
    return replaces, requires


def _check_replaces(
    go_dir: Path, target_root: Path, modules: dict[str, list[Path]], replaces: dict[str, str]
) -> None:
    """Every patched module is replaced by its patched copy, and nothing else points there."""
    for module in modules:
        want = os.path.relpath(target_root / module, go_dir).replace(os.sep, "/")
        if replaces.get(module) != want:
            raise PatchError(
                f"go/patches/{module} exists, so go/go.mod must build the patched copy: "
                f"add `replace {module} => {want}`"
            )
    for module, path in replaces.items():
        if PATCHED_DIR_NAME in Path(path).parts and module not in modules:
            raise PatchError(
                f"go/go.mod replaces {module} with {path}, but go/patches/{module} has no patches"
            )


def _stamp(module: str, version: str, patches: list[Path]) -> str:
    digest = hashlib.sha256(f"{APPLIER_VERSION}\n{module}@{version}\n".encode())
    for patch in patches:
        digest.update(patch.name.encode() + b"\0" + patch.read_bytes() + b"\0")
    return digest.hexdigest()


def _download(go_dir: Path, go: str, module: str, version: str) -> Path:
    # Run in go/ so go.sum (or the checksum database) verifies what the cache holds.
    result = subprocess.run(
        [go, "mod", "download", "-json", f"{module}@{version}"],
        cwd=go_dir,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout) if result.stdout.strip() else {}
    if result.returncode != 0 or info.get("Error") or not info.get("Dir"):
        reason = info.get("Error") or result.stderr.strip()
        raise PatchError(f"cannot download {module}@{version} to patch it: {reason}")
    return Path(info["Dir"])


def _build_patched_copy(pristine: Path, target: Path, patches: list[Path], stamp: str) -> None:
    """Copy, patch and stamp aside, then move into place: a half-patched copy never builds."""
    staging = target.with_name(f"{target.name}.staging-{os.getpid()}")
    _remove(staging)
    shutil.copytree(pristine, staging, symlinks=True)
    _make_writable(staging)  # the module cache is read-only
    for patch in patches:
        apply_patch(patch, staging)
    (staging / STAMP_NAME).write_text(stamp)
    if _stamp_of(target) == stamp:  # a build running beside us got there first
        _remove(staging)
        return
    _remove(target)
    staging.rename(target)


def _stamp_of(target: Path) -> str | None:
    stamp = target / STAMP_NAME
    return stamp.read_text() if stamp.is_file() else None


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _remove(path: Path) -> None:
    if path.exists():
        _make_writable(path)
        shutil.rmtree(path)


def apply_patch(patch: Path, root: Path) -> None:
    """Apply one unified diff to the tree at root, exactly as written."""
    for file_patch in _parse(patch):
        _apply_file(patch, file_patch, root)


def _lines(data: bytes) -> list[bytes]:
    """Lines split at LF only, each keeping its LF (the last one may have none)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _parse(patch: Path) -> Iterator[_FilePatch]:
    lines = _lines(patch.read_bytes())
    i = 0
    current: _FilePatch | None = None
    while i < len(lines):
        line = lines[i]
        if line.startswith(b"--- ") and i + 1 < len(lines) and lines[i + 1].startswith(b"+++ "):
            if current is not None:
                yield current
            current = _FilePatch(_path(patch, line[4:]), _path(patch, lines[i + 1][4:]))
            i += 2
            continue
        match = _HUNK.match(line.decode("utf-8", "replace"))
        if match and current is not None:
            hunk, i = _read_hunk(patch, lines, i + 1, match)
            current.hunks.append(hunk)
            continue
        i += 1  # a description, `diff --git` or `index` line
    if current is None:
        raise PatchError(f"{patch}: no file changes found")
    yield current


def _path(patch: Path, raw: bytes) -> str | None:
    name = raw.decode("utf-8").rstrip("\r\n").split("\t")[0]
    if name == "/dev/null":
        return None
    parts = name.split("/")[1:]  # strip a/ or b/
    if not parts or any(p in ("", ".", "..") for p in parts):
        raise PatchError(f"{patch}: unsafe or malformed path {name!r}")
    return "/".join(parts)


def _read_hunk(patch: Path, lines: list[bytes], i: int, match: re.Match[str]) -> tuple[_Hunk, int]:
    old_left = int(match.group(2) or "1")
    new_left = int(match.group(4) or "1")
    hunk = _Hunk(int(match.group(1)))
    last: list[list[bytes]] = []
    while old_left > 0 or new_left > 0 or (i < len(lines) and lines[i].startswith(b"\\")):
        if i >= len(lines):
            raise PatchError(f"{patch}: hunk at line {hunk.old_start} ends early")
        line = lines[i]
        tag, text = line[:1], line[1:]
        if tag == b"\\":  # "\ No newline at end of file" for the line before
            for side in last:
                side[-1] = side[-1].removesuffix(b"\n")
        elif tag in (b" ", b"\n"):  # some editors strip the space of an empty context line
            text = text if tag == b" " else b"\n"
            hunk.old.append(text)
            hunk.new.append(text)
            last = [hunk.old, hunk.new]
            old_left, new_left = old_left - 1, new_left - 1
        elif tag == b"-":
            hunk.old.append(text)
            last = [hunk.old]
            old_left -= 1
        elif tag == b"+":
            hunk.new.append(text)
            last = [hunk.new]
            new_left -= 1
        else:
            raise PatchError(f"{patch}: unexpected line in hunk: {line!r}")
        if old_left < 0 or new_left < 0:
            raise PatchError(f"{patch}: hunk at line {hunk.old_start} has more lines than counted")
        i += 1
    return hunk, i


def _apply_file(patch: Path, change: _FilePatch, root: Path) -> None:
    name = change.new_path or change.old_path
    assert name is not None
    path = root / (change.old_path or name)
    if change.old_path is None:
        if path.exists():
            raise PatchError(f"{patch}: creates {name}, which already exists")
        original: list[bytes] = []
    else:
        if not path.is_file():
            raise PatchError(f"{patch}: {change.old_path} does not exist in the module")
        original = _lines(path.read_bytes())
    result: list[bytes] = []
    position = 0  # index into original
    for hunk in change.hunks:
        start = max(hunk.old_start - 1, 0) if hunk.old else hunk.old_start
        if start < position or original[start : start + len(hunk.old)] != hunk.old:
            raise PatchError(
                f"{patch}: hunk at {name}:{hunk.old_start} does not match the module's file "
                "(was the pinned version changed? regenerate the patch: docs/go-patches.md)"
            )
        result += original[position:start] + hunk.new
        position = start + len(hunk.old)
    result += original[position:]
    if change.new_path is None:
        if result:
            raise PatchError(f"{patch}: deletes {name} but leaves lines in it")
        path.unlink()
        return
    target = root / change.new_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"".join(result))
    if change.old_path is not None and change.old_path != change.new_path:
        path.unlink()
