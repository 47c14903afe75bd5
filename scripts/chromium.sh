#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/browser), run by `make install`.
# Nothing to do when `chromium` is on PATH or CHROMIUM names a browser that exists. As root
# with apt-get it installs the `chromium` package, quietly; otherwise it prints the command
# to run. It never fails the install: only the browser tests need Chromium (they say so).
# Never `playwright install`: Playwright drives this system browser.
set -uo pipefail

if command -v chromium >/dev/null 2>&1 || [[ -n "${CHROMIUM:-}" && -x "${CHROMIUM}" ]]; then
  exit 0
fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get install -y chromium)..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install chromium (see above); the browser tests need it."
  echo "Run: apt-get update && apt-get install -y chromium"
elif command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing; the browser tests (make test) need it. Run:"
  echo "  sudo apt-get update && sudo apt-get install -y chromium"
else
  echo "Chromium is missing; the browser tests (make test) need it. Install Chromium with your"
  echo "package manager, then run: export CHROMIUM=/path/to/chromium"
fi
exit 0
