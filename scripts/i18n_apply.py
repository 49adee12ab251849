"""Fill translations into the zh_Hans_CN catalog from JSON files of {msgid: msgstr}.

    .venv/bin/python scripts/i18n_apply.py translations.json [...]

Only empty entries are filled; existing translations are kept. Reports what is still missing.
A plural entry is keyed by its singular msgid; its one Chinese form (nplurals=1) is the value.
"""
import json
import pathlib
import sys

import polib

PO = pathlib.Path(__file__).resolve().parent.parent / "i18n/zh_Hans_CN/LC_MESSAGES/ckanext-govshare.po"

po = polib.pofile(str(PO))
table: dict[str, str] = {}
for path in sys.argv[1:]:
    table.update(json.loads(pathlib.Path(path).read_text(encoding="utf-8")))
for entry in po:
    if not entry.translated() and entry.msgid in table:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: table[entry.msgid]}
        else:
            entry.msgstr = table[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
po.save()
missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
print(f"{len(po) - len(missing)} translated, {len(missing)} missing")
for m in missing:
    print("  missing:", m)
