#!/usr/bin/env bash
# Build the desktop app into dist/shopexit/ (PyInstaller, one folder), then prove the bundle works: run its
# --self-test (vault, import, evidence, signed archive, Qt windows — headless) and check its size.
#
#   packaging/build.sh            build (reusing the build/pyinstaller cache), self-test, report size
#   packaging/build.sh --clean    the same from an empty cache
#
# Needs Debian/Ubuntu with Python 3.11; installs the OS libraries Qt needs (sudo if not root) and, if .venv
# lacks them, shopexit and PyInstaller into .venv. Windows and macOS: see "Build the desktop app" in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_BYTES=$((250 * 1000 * 1000))
clean=()
[ "${1:-}" = "--clean" ] && clean=(--clean)

need_os_packages() {
  # The libraries Qt loads at run time (as in packaging/dev.sh), and binutils, which PyInstaller uses to read
  # shared libraries' dependencies.
  local pkgs=(binutils libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
              libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
              libxcb-render-util0 libxcb-image0)
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing OS packages: ${missing[*]}"
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_os_packages
if ! .venv/bin/python -c "import PyInstaller, shopexit" 2>/dev/null; then
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[build]"
fi

started=$(date +%s)
.venv/bin/python -m PyInstaller --noconfirm "${clean[@]}" --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/shopexit.spec
cp packaging/shopexit.desktop dist/shopexit/shopexit.desktop
echo "Built dist/shopexit/ in $(( $(date +%s) - started )) s"

echo "Self-test of the bundle:"
if ! QT_QPA_PLATFORM=offscreen dist/shopexit/shopexit --self-test; then
  echo "build.sh: the bundle's self-test failed (details above; SHOPEXIT_DEBUG=1 shows tracebacks)" >&2
  exit 1
fi

bytes=$(du -sb dist/shopexit | cut -f1)
echo "Bundle size: $(( bytes / 1000000 )) MB unpacked ($(find dist/shopexit -type f | wc -l) files)"
if [ "$bytes" -gt "$MAX_BYTES" ]; then
  echo "build.sh: the bundle is over $(( MAX_BYTES / 1000000 )) MB: exclude more in packaging/shopexit.spec" >&2
  exit 1
fi
echo "dist/shopexit/shopexit is ready."
