"""Our patches to pinned Go modules (go_patches.py, docs/go-patches.md): applied exactly as
written or not at all, and the engine really builds from the patched copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from servers import SOURCE_ROOT

sys.path.insert(0, str(SOURCE_ROOT))
import go_patches  # noqa: E402

ORIGINAL = "package m\n\nfunc A() int {\n\treturn 1\n}\n\nfunc B() int {\n\treturn 2\n}\n"

PATCH = """Two hunks and a new file.

diff --git a/m.go b/m.go
--- a/m.go
+++ b/m.go
@@ -3,3 +3,3 @@ package m
 func A() int {
-\treturn 1
+\treturn 10
 }
@@ -7,3 +7,4 @@ func A() int {
 func B() int {
-\treturn 2
+\t// changed
+\treturn 20
 }
--- /dev/null
+++ b/sub/new.go
@@ -0,0 +1 @@
+package sub
\\ No newline at end of file
"""


def _module(tmp_path: Path) -> Path:
    root = tmp_path / "module"
    root.mkdir()
    (root / "m.go").write_text(ORIGINAL)
    return root


def test_a_patch_applies_exactly(tmp_path: Path) -> None:
    root = _module(tmp_path)
    patch = tmp_path / "0001-change.patch"
    patch.write_text(PATCH)
    go_patches.apply_patch(patch, root)
    assert (root / "m.go").read_text() == ORIGINAL.replace("return 1\n", "return 10\n").replace(
        "\treturn 2\n", "\t// changed\n\treturn 20\n"
    )
    assert (root / "sub" / "new.go").read_bytes() == b"package sub"


def test_a_hunk_that_does_not_match_stops_the_build(tmp_path: Path) -> None:
    root = _module(tmp_path)
    (root / "m.go").write_text(ORIGINAL.replace("return 2", "return 3"))
    patch = tmp_path / "0001-change.patch"
    patch.write_text(PATCH)
    with pytest.raises(go_patches.PatchError, match=r"hunk at m\.go:7 does not match"):
        go_patches.apply_patch(patch, root)


def test_a_patched_module_must_be_replaced_in_go_mod(tmp_path: Path) -> None:
    if shutil.which("go") is None:
        pytest.skip("needs the Go toolchain")
    go_dir = tmp_path / "go"
    (go_dir / "patches" / "example.com" / "m").mkdir(parents=True)
    (go_dir / "patches" / "example.com" / "m" / "0001-change.patch").write_text(PATCH)
    (go_dir / "go.mod").write_text("module x\n\ngo 1.22\n\nrequire example.com/m v1.0.0\n")
    want = "replace example.com/m => ../build/go-patched/example.com/m"
    with pytest.raises(go_patches.PatchError, match=want):
        go_patches.patch_modules(go_dir, tmp_path / "build", "go")


def test_the_engine_builds_from_the_patched_copy() -> None:
    patched = SOURCE_ROOT / "build" / go_patches.PATCHED_DIR_NAME
    listed = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Replace.Dir}}", "github.com/bogdanfinn/fhttp"],
        cwd=SOURCE_ROOT / "go",
        capture_output=True,
        text=True,
        check=True,
    )
    replacement = (SOURCE_ROOT / "go" / listed.stdout.strip()).resolve()
    assert replacement == (patched / "github.com" / "bogdanfinn" / "fhttp").resolve()
    assert (replacement / go_patches.STAMP_NAME).is_file()
