#!/usr/bin/env bash
# Installs Debian's postgresql (server binaries under /usr/lib/postgresql/*/bin), which the
# PostgreSQL store tests start as a private server (test/helpers/postgres.ts: initdb in a
# temporary folder, pg_ctl as the postgres user). They fail, saying so, without it.
# Idempotent and quiet: does nothing when pg_ctl is there.
set -euo pipefail
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { echo "postgres-deps: postgresql did not install its binaries under /usr/lib/postgresql" >&2; exit 1; }
