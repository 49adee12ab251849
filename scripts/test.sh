#!/usr/bin/env bash
# Run the whole test suite against its own database (govshare_test). Installs what is missing.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/search -x
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
setup_all
# a fresh database each run: a migration or data left by an earlier run (another checkout,
# an interrupted run) must not decide this one
recreate_database govshare_test
cd "$ROOT"
"$VENV/bin/ckan" -c test.ini db init >/dev/null
exec "$VENV/bin/python" -m pytest --ckan-ini=test.ini -p no:cacheprovider "${@:-tests}"
