#!/usr/bin/env bash
# Run the whole test suite against its own database (govshare_test). Installs what is missing.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/search -x
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
# a fresh database each run: a migration or data left by an earlier run (another checkout,
# an interrupted run) must not decide this one
recreate_database govshare_test
# a throwaway database: a commit need not wait for the disk
psql_admin -c 'ALTER DATABASE "govshare_test" SET synchronous_commit = off' >/dev/null
cd "$ROOT"
# compiled bytecode is cached (__pycache__, ignored by git) even where the environment turns it
# off: every worker, CLI test and served portal would otherwise compile the extension and the
# test modules again from source
unset PYTHONDONTWRITEBYTECODE
log "migrating the test database"
quietly "$VENV/bin/ckan" -c test.ini db init
log "running the tests"
# one pytest-xdist worker per core, at most 4 (Redis databases 1-4 of test.ini; the browser
# portal has 5), each on its own copy of govshare_test (tests/workers.py); 0 runs the suite in
# this process. GOVSHARE_TEST_WORKERS, or -n among the arguments, overrides.
cores="$(nproc)"
workers="${GOVSHARE_TEST_WORKERS:-$(( cores > 4 ? 4 : (cores > 1 ? cores : 0) ))}"
exec "$VENV/bin/python" -m pytest --ckan-ini=test.ini -p no:cacheprovider -n "$workers" \
  "${@:-tests}"
