#!/usr/bin/env bash
# Refresh the translation template and the zh_Hans_CN catalog, then compile it.
#   scripts/i18n.sh          extract + update + compile
# Translate new entries in i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po, then run it again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBABEL="$ROOT/.venv/bin/pybabel"
POT=i18n/ckanext-govshare.pot
PO=i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po
"$PYBABEL" extract -F babel.cfg -k _ -k N_ -k NP_:1,2 -k ungettext:1,2 -k tk._ --no-location --sort-output \
  --project=ckanext-govshare --copyright-holder="ckanext-govshare contributors" -o "$POT" .
if [ -f "$PO" ]; then
  "$PYBABEL" update -i "$POT" -d i18n -D ckanext-govshare -l zh_Hans_CN --no-fuzzy-matching
else
  "$PYBABEL" init -i "$POT" -d i18n -D ckanext-govshare -l zh_Hans_CN
fi
# msgfmt, as scripts/common.sh compiles it for the portal and the tests: the same bytes either way
msgfmt --statistics -o "${PO%.po}.mo" "$PO"
