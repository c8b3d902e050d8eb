#!/usr/bin/env bash
# Installs oneDNN's development package (headers + libdnnl) so that `npm ci` builds the native
# backend's addon and its tests run. Idempotent and quiet; needs root (or sudo) and apt.
set -euo pipefail
if [ -f /usr/include/dnnl.hpp ] || [ -f /usr/include/oneapi/dnnl/dnnl.hpp ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "native-deps: no apt-get here; install oneDNN (libdnnl-dev) by hand to test the native backend" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends libdnnl-dev g++ make python3 >/dev/null
echo "native-deps: installed libdnnl-dev $(dpkg-query -W -f='${Version}' libdnnl-dev)"
