"""Every interface string exists in French (fr-CA) and English."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import escalade

PACKAGE = Path(escalade.__file__).resolve().parent
PO = PACKAGE / "locale" / "fr_CA" / "LC_MESSAGES" / "django.po"


def test_every_french_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])
    assert len(po) > 200


def test_placeholders_survive_translation():
    import re

    for e in polib.pofile(str(PO)):
        if e.msgid_plural:
            continue
        assert sorted(re.findall(r"%\(\w+\)s", e.msgid)) == sorted(
            re.findall(r"%\(\w+\)s", e.msgstr)
        ), e.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="xgettext (Debian gettext) extracts the strings"
)
def test_no_string_of_the_code_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    copy = tmp_path / "escalade"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr_CA"], no_location=True, verbosity=0)
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/fr_CA/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}
    assert extracted - committed == set(), (
        "run `make messages-update` and translate in locale/fr_CA/LC_MESSAGES/django.po"
    )
