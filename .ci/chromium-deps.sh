#!/usr/bin/env bash
# Installs Debian's chromium, which test/experiments/report.test.ts drives headless through
# playwright-core to check the HTML report (the test skips, saying why, without it).
# Idempotent and quiet: does nothing when /usr/bin/chromium is there.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium-deps: no apt-get here; install chromium as /usr/bin/chromium to run the report browser test" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "chromium-deps: chromium did not install as /usr/bin/chromium" >&2; exit 1; }
