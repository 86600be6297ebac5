#!/usr/bin/env bash
# Install the manylinux_2_17_aarch64 wheel into an arm64 Debian Python under emulation and
# stream from the (x86_64) test server on loopback with it: ci/wheel_smoke.py.
#
#   ci/arm64_smoke.sh dist/httpcloak-*-manylinux_2_17_aarch64.whl
#
# Needs root and Debian's qemu-user-static + binfmt-support + debootstrap (.ci/run installs
# them). The arm64 root (debootstrap, minbase + python3 + python3-venv, from apt's configured
# mirror) is cached in build/arm64-root. The chroot shares this machine's network namespace,
# so the statically linked x86_64 test server runs natively inside it on 127.0.0.1. pip inside
# the chroot installs offline, from wheels the host's pip downloads for aarch64 (cffi).
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=$(realpath "${1:?usage: ci/arm64_smoke.sh path/to/httpcloak-...-manylinux_2_17_aarch64.whl}")
SUITE=${HTTPCLOAK_DEBIAN_SUITE:-bookworm}
ROOT=$PWD/build/arm64-root
PYTHON=${PYTHON:-python}

apt_mirror() {  # the first Debian archive apt is configured with (deb822 or one-line format)
    local found
    found=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        2>/dev/null | awk '/^URIs:/ || /^deb / {print $2}' | grep '/debian/\?$' | head -n1 || true)
    echo "${found:-http://deb.debian.org/debian}"
}

# Run aarch64 ELF files through qemu: binfmt_misc with the F flag (qemu-user-static's entry)
# works inside a chroot that has no qemu of its own.
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/qemu-aarch64" ]; then
    mountpoint -q "$binfmt" || mount -t binfmt_misc binfmt_misc "$binfmt"
    update-binfmts --enable qemu-aarch64
fi
grep -qx enabled "$binfmt/qemu-aarch64" || { echo "binfmt qemu-aarch64 is disabled" >&2; exit 1; }

recipe="debootstrap --arch=arm64 --variant=minbase --include=python3,python3-venv $SUITE"
if [ "$(cat "$ROOT/.httpcloak-root" 2>/dev/null)" != "$recipe" ]; then
    start=$SECONDS
    rm -rf "$ROOT" "$ROOT.partial"
    # In a private mount namespace: debootstrap's own /proc and /sys mounts go away with it.
    unshare --mount --propagation private \
        $recipe "$ROOT.partial" "$(apt_mirror)" >"$PWD/build/arm64-root.log" 2>&1 \
        || { tail -20 "$PWD/build/arm64-root.log" >&2; exit 1; }
    echo "$recipe" >"$ROOT.partial/.httpcloak-root"
    mv "$ROOT.partial" "$ROOT"
    echo "arm64 smoke: created the arm64 root in $((SECONDS - start)) s"
fi

start=$SECONDS
rm -rf "$ROOT/smoke" && mkdir -p "$ROOT/smoke"
(cd go/testserver && CGO_ENABLED=0 go build -trimpath -o "$ROOT/smoke/testserver" .)
# The smoke script finds the test-server launcher beside it, as in a checkout: ci/ and tests/.
mkdir -p "$ROOT/smoke/ci" "$ROOT/smoke/tests"
cp ci/wheel_smoke.py "$ROOT/smoke/ci/"
cp tests/servers.py "$ROOT/smoke/tests/"
in_root() {  # a command in the arm64 root, with /proc, and none of this host's environment
    unshare --mount --propagation private sh -c 'mount -t proc proc "$1/proc" && shift && exec "$@"' \
        - "$ROOT" chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
}
pyver=$(in_root python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
# The wheel and what its metadata requires, as aarch64 wheels for the root's Python.
"$PYTHON" -m pip download -q --only-binary=:all: --platform manylinux_2_17_aarch64 \
    --implementation cp --python-version "$pyver" --abi "cp${pyver/./}" -d "$ROOT/smoke" "$WHEEL"
in_root sh -c 'cd / && rm -rf /opt/venv && python3 -m venv /opt/venv &&
    /opt/venv/bin/pip install -q --no-index --find-links /smoke httpcloak'
echo "arm64 smoke: installed the wheel into Python $pyver (emulated) in $((SECONDS - start)) s"

start=$SECONDS
in_root sh -c 'cd / && /opt/venv/bin/python -c "import platform; print(\"arm64 smoke: python on\", platform.machine())" &&
    /opt/venv/bin/python /smoke/ci/wheel_smoke.py /smoke/testserver'
echo "arm64 smoke: streamed in $((SECONDS - start)) s"
