"""The pack loader: validation errors name file, line and field; loading is idempotent."""

import shutil

import pytest

from conftest import CUSM_PACK
from escalade.core.models import AuditEvent, Institution
from escalade.core.packs import PackError, load_pack, validate_pack
from escalade.incidents.models import IncidentPolicy, SymptomCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(CUSM_PACK, target)
    return target


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_cusm_pack_loads_every_category_rule_and_level():
    inst = load_pack(CUSM_PACK).institution
    assert (inst.code, inst.timezone, inst.request_prefix, inst.ticket_prefix) == (
        "cusm",
        "America/Montreal",
        "CCT",
        "C2",
    )
    codes = dict(SymptomCategory.objects.filter(institution=inst).values_list("code", "group"))
    assert [c for c, g in codes.items() if g == "minor"] == [
        "sound_simple",
        "pc_simple",
        "medical_peripheral_use",
    ]
    assert len([c for c, g in codes.items() if g == "major"]) == 11
    assert codes["other"] == "other"
    policy = IncidentPolicy.objects.get(institution=inst)
    assert policy.assignment["major"] == ["chief_telehealth_technician", "it_technician"]
    assert [lv["number"] for lv in policy.levels] == [1, 2, 3]


def test_loading_twice_changes_nothing():
    load_pack(CUSM_PACK)
    events, institutions = AuditEvent.objects.count(), Institution.objects.count()
    result = load_pack(CUSM_PACK)
    assert result.changed is False
    assert AuditEvent.objects.count() == events
    assert Institution.objects.count() == institutions


def test_a_new_version_updates_in_place_and_keeps_retired_categories(pack, cusm, staff):
    from escalade.incidents.tests.factories import log

    incident = log(staff["level1_agent"], cusm, symptom="other")
    _edit(
        pack / "categories.yaml",
        '  - code: other\n    group: other\n    label: {en: "Other", fr: "Autre"}\n',
        "",
    )
    # the mailbox's e-mails to classify must then wait under another category
    _edit(pack / "mailboxes.yaml", "unclassified_symptom: other", "unclassified_symptom: pc_simple")
    _edit(pack / "institution.yaml", "timezone: America/Montreal", "timezone: America/Toronto")
    assert load_pack(pack).changed
    cusm.refresh_from_db()
    assert cusm.timezone == "America/Toronto"
    other = SymptomCategory.objects.get(institution=cusm, code="other")
    assert other.active is False
    incident.refresh_from_db()
    assert incident.symptom == other
    event = AuditEvent.objects.filter(action="pack_loaded").last()
    assert event.changes["timezone"] == ["America/Montreal", "America/Toronto"]


def test_errors_name_the_file_the_line_and_the_field(pack):
    _edit(pack / "institution.yaml", "timezone: America/Montreal", "timezone: Mars/Olympus")
    _edit(pack / "incidents.yaml", "holders: [level2_analyst]\n", "holders: [wizard]\n")
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    lines = err.value.format_lines()
    assert any(
        line.startswith("institution.yaml:7: timezone:") and "Mars/Olympus" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("incidents.yaml:") and "levels.1.holders" in line and "wizard" in line
        for line in lines
    ), lines
    line_no = int(next(x for x in lines if "wizard" in x).split(":")[1])
    assert "wizard" in (pack / "incidents.yaml").read_text().splitlines()[line_no - 1]


def test_a_yaml_syntax_error_and_a_missing_file_are_reported(pack):
    (pack / "categories.yaml").write_text("categories:\n  - code: [unclosed\n")
    (pack / "institution.yaml").unlink()
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    text = "\n".join(err.value.format_lines())
    assert "categories.yaml:" in text and "invalid YAML" in text
    assert "institution.yaml: file is missing" in text


def test_incident_rules_need_their_categories(pack):
    (pack / "categories.yaml").unlink()
    with pytest.raises(PackError, match="incidents.yaml needs categories.yaml"):
        validate_pack(pack)


def test_a_rule_naming_an_unknown_symptom_is_refused(pack):
    _edit(
        pack / "incidents.yaml", "if: {symptom_group: major}", "if: {symptom_in: [teleportation]}"
    )
    with pytest.raises(PackError, match="unknown symptom 'teleportation'"):
        validate_pack(pack)


def test_nothing_is_written_when_a_pack_is_invalid(pack):
    _edit(pack / "institution.yaml", "code: cusm", "code: cusm-copy")
    _edit(pack / "incidents.yaml", "follow_up_hours: 4", "follow_up_hours: -1")
    events = AuditEvent.objects.count()
    with pytest.raises(PackError):
        load_pack(pack)
    assert not Institution.objects.filter(code="cusm-copy").exists()
    assert AuditEvent.objects.count() == events


def test_the_command_reports_errors_and_loads(pack, capsys):
    from django.core.management import CommandError, call_command

    other = CUSM_PACK.parent.parent / "tests" / "fixtures" / "other-pack"
    call_command("load_pack", str(other))
    call_command("load_pack", str(other))
    assert capsys.readouterr().out.count("unchanged") == 1
    _edit(pack / "institution.yaml", "ticket_prefix: C2", "ticket_prefix: c2!")
    with pytest.raises(CommandError, match="institution.yaml:9: ticket_prefix"):
        call_command("load_pack", str(pack))


def test_each_setting_is_typed_by_the_app_that_reads_it(pack):
    _edit(pack / "institution.yaml", "    threshold: 3\n", "    threshold: three\n")
    _edit(pack / "institution.yaml", "settings:\n", "settings:\n  colour_of_the_day: blue\n")
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    lines = err.value.format_lines()
    assert any("settings.problems.threshold" in x and "integer" in x for x in lines), lines
    unknown = next(x for x in lines if "colour_of_the_day" in x)
    assert "unknown setting" in unknown and "supervisor_email" in unknown  # the known ones
    line_no = int(unknown.split(":")[1])
    assert "colour_of_the_day" in (pack / "institution.yaml").read_text().splitlines()[line_no - 1]


def test_a_setting_reads_as_its_type_with_its_default_and_is_written_checked(cusm):
    from pydantic import ValidationError

    from escalade.core import packs

    assert packs.setting_of(cusm, "problems").threshold == 3
    assert packs.setting_of(cusm, "renewals").certificate_days == [90, 60, 30]  # the default
    assert packs.setting_of(cusm, "protocol").steps[0].n == 1  # from protocol.yaml
    owners = {s.name: s.owner for s in packs.declared_settings()}
    assert owners["protocol"] == "telesessions" and owners["closures"] == "core"
    with pytest.raises(ValidationError):
        packs.write_setting(cusm, "alert_symptom", ["not", "a", "code"])
    cusm.refresh_from_db()
    assert isinstance(cusm.settings.get("alert_symptom", ""), str)


def test_a_setting_changed_in_another_process_is_read_anew(cusm):
    """Validated settings are kept per process; a change written elsewhere (a pack loaded
    by another machine) is seen at the next read, never the value validated before."""
    from escalade.core import packs

    assert packs.setting_of(cusm, "problems").threshold == 3
    first = packs.setting_of(cusm, "problems")
    assert packs.setting_of(cusm, "problems") is first  # validated once
    Institution.objects.filter(pk=cusm.pk).update(
        settings={**cusm.settings, "problems": {**cusm.settings["problems"], "threshold": 5}}
    )
    elsewhere = Institution.objects.get(pk=cusm.pk)
    assert packs.setting_of(elsewhere, "problems").threshold == 5
    assert packs.setting_of(cusm, "problems").threshold == 3  # its own row, as it was read


def test_sync_upserts_by_code_and_retires_what_the_pack_no_longer_names(cusm):
    from escalade.core import packs

    within = {"institution": cusm}
    rows = [("a", {"group": "minor", "label": {"en": "A", "fr": "A"}, "active": True})]
    packs.sync(SymptomCategory, within, rows)
    before = SymptomCategory.objects.filter(institution=cusm, active=True).count()
    rows = [("a", {"group": "major", "label": {"en": "A2", "fr": "A2"}, "active": True})]
    (kept,) = packs.sync(SymptomCategory, within, rows, retire={"active": False})
    assert (kept.code, kept.group, kept.label["en"]) == ("a", "major", "A2")
    assert SymptomCategory.objects.filter(institution=cusm, active=True).count() == 1 < before
    with pytest.raises(ValueError):
        packs.sync(SymptomCategory, within, [], key=("code", "group"), retire={"active": False})
