"""Extract the interface's strings into the committed French catalogue (Django's
makemessages, which keeps every translation already there) and list what is left to
translate. Run by `make messages-update`. The .po file is the one source of the French:
translators edit it (Poedit, Weblate, a text editor); msgctxt (pgettext) where one
English word needs two French forms."""

import subprocess
import sys
from pathlib import Path

import polib

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
po.save()
po.save_as_mofile(str(PO.with_suffix(".mo")))
todo = [e.msgid for e in po.untranslated_entries()] + [
    f"{e.msgid}  (fuzzy: check it, then remove the flag)" for e in po.fuzzy_entries()
]
if todo:
    print(f"to translate in {PO.relative_to(ROOT)}:", *todo, sep="\n  ")
    sys.exit(1)
