"""Terminology (seed 002, « Mise en correspondance de la terminologie »): the Codes on
the Fly worksheet in and out in the province's layout, mappings with their expert and
history, the FHIR ConceptMap both ways, the weekly list of unmapped codes."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from fhir.resources.R4B.conceptmap import ConceptMap
from openpyxl import Workbook, load_workbook

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.datasources import rules, services
from escalade.datasources.models import DataSource, Mapping
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db

LAB = "urn:oid:2.16.840.1.113883.3.239.nord.lab"


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")


def provinces_workbook() -> bytes:
    """A worksheet made like the province's: the mapped codes, then the new unmapped ones
    at the bottom."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Codes on the Fly"
    sheet.append(rules.COLUMNS)
    sheet.append(
        [LAB, "GLU", "Glucose", "2345-7", "Glucose [Mass/volume]", "2026-10-01", "Dr Ouellet"]
    )
    sheet.append(
        [LAB, "NA", "Sodium", "2951-2", "Sodium [Moles/volume]", "2026-10-01", "Dr Ouellet"]
    )
    sheet.append([LAB, "KPL", "Potassium plasma", "", "", "2026-11-28", ""])
    sheet.append([LAB, "HBA1C-X", "HbA1c point of care", "", "", "2026-11-29", ""])
    sheet.append([LAB, "TROP-HS", "Troponin high sensitivity", "", "", "2026-11-30", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(user, data, name="codes.xlsx"):
    return api(user).post(
        "/api/datasources/nord-lab/worksheets", {"file": SimpleUploadedFile(name, data)}
    )


def test_the_worksheet_round_trip(ontario, desk):
    analyst = desk["level2_analyst"]
    r = upload(analyst, provinces_workbook())
    assert r.status_code == 200, r.content
    assert r.json() == {"mapped": 2, "unmapped": 3, "new": 5}
    unmapped = api(analyst).get("/api/datasources/nord-lab/unmapped").json()["items"]
    assert [u["local_code"] for u in unmapped] == ["KPL", "HBA1C-X", "TROP-HS"]
    for local, target in (("KPL", "2823-3"), ("HBA1C-X", "4548-4")):
        r = api(analyst).put(
            f"/api/datasources/nord-lab/mappings/{local}",
            {"target": target, "validated_by": "Dr Chantal Ouellet"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["target_display"].startswith(("Potassium", "Hemoglobin A1c"))
    exported = api(analyst).get("/api/datasources/nord-lab/worksheet.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == rules.COLUMNS
    # mapped first (now four), the unmapped one at the bottom
    assert [v[1] for v in values[1:]] == ["GLU", "NA", "KPL", "HBA1C-X", "TROP-HS"]
    assert values[3][3:5] == ["2823-3", "Potassium [Moles/volume] in Serum or Plasma"]
    assert values[3][6] == "Dr Chantal Ouellet"
    before = [(m.local_code, m.target) for m in Mapping.objects.order_by("position")]
    r = upload(analyst, exported.content)
    assert r.json() == {"mapped": 4, "unmapped": 1, "new": 0}
    assert [(m.local_code, m.target) for m in Mapping.objects.order_by("position")] == before
    # the history of a mapping: who, when, before -> after
    kpl = Mapping.objects.get(local_code="KPL")
    change = AuditEvent.objects.filter(object_id=str(kpl.pk), action="code_mapped").get()
    assert change.changes["target"] == ["", "2823-3"] and change.actor == analyst


def test_a_code_not_in_the_provincial_list_and_a_missing_expert_are_refused(ontario, desk):
    upload(desk["level2_analyst"], provinces_workbook())
    r = api(desk["level2_analyst"]).put(
        "/api/datasources/nord-lab/mappings/KPL",
        {"target": "99999-9", "validated_by": ""},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert {(e["field"], e["code"]) for e in r.json()["errors"]} == {
        ("target", "unknown_provincial_code"),
        ("validated_by", "required"),
    }
    r = api(desk["level2_analyst"]).put(
        "/api/datasources/nord-lab/mappings/KPL",
        {"target": "2823-3", "validated_by": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "validated_by"
    assert Mapping.objects.get(local_code="KPL").target == ""


def test_a_file_that_is_not_a_worksheet_is_refused_and_nothing_written(ontario, desk):
    r = upload(desk["level2_analyst"], b"name,phone\nx,y\n", name="contacts.csv")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_a_worksheet"
    assert Mapping.objects.count() == 0


def test_the_expert_adds_a_local_code_highlighted_and_csv_works_too(ontario, desk):
    csv = f"Code System,Local Code,Local Description,Provincial Code\n{LAB},CREA,Creatinine,\n"
    assert upload(desk["level2_analyst"], csv.encode(), "codes.csv").json()["new"] == 1
    api(desk["level2_analyst"]).put(
        "/api/datasources/nord-lab/mappings/CRP-NEW",
        {"target": "", "validated_by": ""},
        content_type="application/json",
    )
    xlsx = api(desk["level2_analyst"]).get("/api/datasources/nord-lab/worksheet.xlsx").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    last = list(sheet.iter_rows())[-1]
    assert last[1].value == "CRP-NEW" and last[1].fill.fgColor.rgb.endswith("FFFF00")
    assert [r.highlighted for r in rules.read_worksheet(xlsx)] == [False, True]


def test_the_conceptmap_both_ways(ontario, desk):
    analyst = desk["level2_analyst"]
    upload(analyst, provinces_workbook())
    resource = api(analyst).get("/api/datasources/nord-lab/conceptmap").json()
    cm = ConceptMap.model_validate(resource)  # FHIR R4 says it is one
    [group] = cm.group
    assert group.source == LAB and group.target.startswith("https://")
    by_code = {e.code: e for e in group.element}
    assert by_code["GLU"].target[0].code == "2345-7"
    assert by_code["KPL"].target[0].equivalence == "unmatched"
    # another tool maps KPL and sends the map back
    for element in resource["group"][0]["element"]:
        if element["code"] == "KPL":
            element["target"] = [
                {"code": "2823-3", "equivalence": "equivalent", "comment": "validated by Dr Haddad"}
            ]
    ConceptMap.model_validate(resource)
    r = api(analyst).post(
        "/api/datasources/nord-lab/conceptmap", resource, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["mapped"] == 3
    kpl = Mapping.objects.get(local_code="KPL")
    assert (kpl.target, kpl.validated_by) == ("2823-3", "Dr Haddad")
    bad = {"resourceType": "ConceptMap", "group": [{"element": "not a list"}]}  # no status either
    r = api(analyst).post(
        "/api/datasources/nord-lab/conceptmap", bad, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_a_conceptmap"


def test_the_weekly_list_and_codes_unmapped_too_long_open_one_incident(ontario, desk):
    upload(desk["level2_analyst"], provinces_workbook())
    source = DataSource.objects.get(code="nord-lab")
    today = dt.date(2026, 12, 14)
    out = services.remind_unmapped(today)
    assert out["nord-lab"] == 3
    mails = OutgoingMail.objects.filter(subject__contains="codes")
    assert {tuple(m.to) for m in mails} >= {
        ("n.roy@hopital-nord.example.org",),
        ("c.ouellet@hopital-nord.example.org",),
    }
    assert "KPL" in mails.first().body and "(16 d)" in mails.first().body
    source.refresh_from_db()
    incident = source.overdue_incident
    assert incident is not None and "KPL" in incident.description
    services.remind_unmapped(today + dt.timedelta(days=7))  # still open: not a second one
    assert Incident.objects.count() == 1


def test_the_expert_maps_many_codes_at_once_on_the_page(ontario, desk):
    analyst = desk["level2_analyst"]
    upload(analyst, provinces_workbook())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(analyst)
    page = client.get("/datasources/nord-lab/").content.decode()
    assert 'list="provincial-codes"' in page and "TROP-HS" in page
    r = client.post(
        "/datasources/nord-lab/",
        {
            "validated_by": "Dr Chantal Ouellet",
            "local-1": "KPL",
            "target-1": "2823-3",
            "local-2": "HBA1C-X",
            "target-2": "99999-9",  # not a provincial code: shown in place
            "local-3": "TROP-HS",
            "target-3": "10839-9",
        },
    )
    assert r.status_code == 422
    assert "is not a provincial code of the list" in r.content.decode()
    mapped = dict(Mapping.objects.values_list("local_code", "target"))
    assert (mapped["KPL"], mapped["HBA1C-X"], mapped["TROP-HS"]) == ("2823-3", "", "10839-9")
    # a level-1 agent reads the page, without the form
    agent = Client(HTTP_ACCEPT_LANGUAGE="en")
    agent.force_login(desk["level1_agent"])
    page = agent.get("/datasources/nord-lab/").content.decode()
    assert "HBA1C-X" in page and 'id="mapping-form"' not in page


def test_the_provincial_codes_are_searched_as_the_expert_types(ontario, desk):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(desk["level2_analyst"])
    found = client.get("/datasources/provincial-codes/", {"q": "potassium serum"}).content.decode()
    assert '<option value="2823-3">' in found and "2951-2" not in found
    assert (
        client.get("/datasources/provincial-codes/", {"q": "2160"})
        .content.decode()
        .count("<option")
        == 1
    )
