#!/usr/bin/env bash
# Set up shopexit from a source checkout, then run it or its tests.
#   packaging/dev.sh run    install (OS libraries for Qt, a venv in .venv) and open the app
#   packaging/dev.sh test   install with the test tools (poppler, qpdf) and run the whole test suite
# Extra arguments go to shopexit or to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"; shift || true

need_os_packages() {
  local pkgs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0
              libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
              libxcb-image0 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libasound2)
  [ "$mode" = test ] && pkgs+=(poppler-utils qpdf xvfb fonts-dejavu-core)
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing OS packages: ${missing[*]}"
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_os_packages
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
case "$mode" in
  run)
    .venv/bin/python -m pip install -q -e .
    exec .venv/bin/shopexit "$@" ;;
  test)
    .venv/bin/python -m pip install -q -e ".[test]"
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: packaging/dev.sh run|test [args]" >&2; exit 2 ;;
esac
