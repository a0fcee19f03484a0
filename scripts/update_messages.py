"""Extract the interface's strings (Django's makemessages) and fill in the French of
scripts/fr_ca.py. Run by `make messages-update`; lists any string left untranslated."""

import subprocess
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fr_ca import FR  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "escalade"
PO = PACKAGE / "locale" / "fr_CA" / "LC_MESSAGES" / "django.po"

subprocess.run(
    [
        str(ROOT / ".venv" / "bin" / "escalade"),
        "makemessages",
        "-l",
        "fr_CA",
        "--no-location",
        "--no-obsolete",
    ],
    cwd=PACKAGE,
    check=True,
)
po = polib.pofile(str(PO))
po.metadata["Language"] = "fr_CA"
po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
missing = []
for entry in po:
    key = (entry.msgid, entry.msgid_plural) if entry.msgid_plural else entry.msgid
    french = FR.get(key)
    if french is None:
        missing.append(entry.msgid)
        continue
    if entry.msgid_plural:
        entry.msgstr_plural = {0: french[0], 1: french[1]}
    else:
        entry.msgstr = french
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.save()
polib.pofile(str(PO)).save_as_mofile(str(PO.with_suffix(".mo")))
if missing:
    print("untranslated:", *missing, sep="\n  ")
    sys.exit(1)
print(f"{PO.relative_to(ROOT)}: {len(po)} strings, all translated")
