#!/usr/bin/env bash
# Shared, idempotent set-up for scripts/serve.sh and scripts/test.sh:
# Debian packages, PostgreSQL and Redis running, the venv with pinned packages, the database role.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
PGHOST=127.0.0.1
export PGHOST

log() { printf '\033[1m[govshare]\033[0m %s\n' "$*" >&2; }

# Installer and service output goes to this log, shown only when a step fails: the scripts'
# own progress lines are all a set-up prints.
SETUP_LOG="$ROOT/var/setup.log"

quietly() {  # run "$@" with its output in $SETUP_LOG; on failure show the end of it and fail
  mkdir -p "$(dirname "$SETUP_LOG")"
  printf '\n$ %s\n' "$*" >>"$SETUP_LOG"
  if ! "$@" >>"$SETUP_LOG" 2>&1; then
    log "failed: $*   (the last lines of $SETUP_LOG follow)"
    tail -n 40 "$SETUP_LOG" >&2
    return 1
  fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_debian_packages() {
  local missing=()
  command -v gcc >/dev/null || missing+=(gcc)
  dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
  command -v psql >/dev/null || missing+=(postgresql postgresql-client)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v msgfmt >/dev/null || missing+=(gettext)
  # real-browser tests: Debian's chromium (Playwright never downloads a browser here) + CJK fonts
  command -v chromium >/dev/null || missing+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  dpkg -s python3-venv >/dev/null 2>&1 || "$PY" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    quietly as_root apt-get update
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi
}

ensure_services() {
  if ! pg_isready -q -h 127.0.0.1; then
    log "starting PostgreSQL"
    for v in $(ls /etc/postgresql); do
      quietly as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    quietly redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/govshare.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
}

psql_admin() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

ensure_role() {
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='govshare'")" != 1 ]; then
    log "creating database role govshare"
    psql_admin -c "CREATE ROLE govshare LOGIN CREATEDB"
  fi
}

ensure_database() {  # $1 = name
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$1'")" != 1 ]; then
    log "creating database $1"
    psql_admin -c "CREATE DATABASE \"$1\" OWNER govshare ENCODING 'UTF8' TEMPLATE template0"
  fi
}

recreate_database() {  # $1 = name: a fresh database, whatever an earlier run left in it
  log "recreating database $1"
  psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
  psql_admin -c "CREATE DATABASE \"$1\" OWNER govshare ENCODING 'UTF8' TEMPLATE template0"
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating the virtualenv at .venv"
    quietly "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.govshare-installed"
  local want
  want="$(cat "$ROOT/requirements/constraints.txt" "$ROOT/requirements/dev.txt" "$ROOT/setup.py" | sha1sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$VENV/bin/python" -c 'import ckanext.govshare' 2>/dev/null; then
    log "installing Python packages (pinned by requirements/constraints.txt)"
    quietly "$VENV/bin/pip" install --upgrade pip
    quietly "$VENV/bin/pip" install -c "$ROOT/requirements/constraints.txt" \
      "ckan[requirements,dev]==2.12.0" -r "$ROOT/requirements/dev.txt"
    quietly "$VENV/bin/pip" install -c "$ROOT/requirements/constraints.txt" -e "$ROOT"
    echo "$want" > "$stamp"
  fi
}

ensure_node_packages() {
  # the statistics pages' charts: Chart.js pinned by package.json / package-lock.json, installed
  # from npm and copied (with its licence) where the portal serves it (assets/vendor, webassets)
  local vendor="$ROOT/ckanext/govshare/assets/vendor"
  local stamp="$ROOT/node_modules/.govshare-installed" want
  want="$(sha1sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$vendor/chart.umd.min.js" ]; then
    return
  fi
  if ! command -v npm >/dev/null; then
    log "installing Debian packages: npm"
    quietly as_root apt-get update
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y npm
  fi
  log "installing JavaScript packages (pinned by package-lock.json)"
  (cd "$ROOT" && quietly npm ci --no-audit --no-fund --ignore-scripts)
  mkdir -p "$vendor"
  cp "$ROOT/node_modules/chart.js/dist/chart.umd.min.js" "$vendor/chart.umd.min.js"
  cp "$ROOT/node_modules/chart.js/LICENSE.md" "$vendor/chart.js.LICENSE.md"
  echo "$want" > "$stamp"
}

compile_catalogs() {
  # The .mo is committed: compile only a missing one. Rewriting it here would hide a stale
  # committed .mo from tests/views/test_i18n.py, which compares it with a fresh compile.
  local po="$ROOT/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po"
  if [ -f "$po" ] && [ ! -f "${po%.po}.mo" ]; then
    quietly msgfmt -o "${po%.po}.mo" "$po"
  fi
}

setup_all() {
  mkdir -p "$(dirname "$SETUP_LOG")" && : >"$SETUP_LOG"
  log "checking the set-up (installer output: $SETUP_LOG)"
  ensure_debian_packages
  ensure_services
  ensure_role
  ensure_venv
  ensure_node_packages
  compile_catalogs
}
