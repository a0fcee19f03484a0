"""Compile every .po file under src/ into its .mo (pure Python: no gettext tools needed)."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "src"
for po_path in root.rglob("*.po"):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(root.parent)}")
