"""A worksheet that arrives by mail is only proposed (issue 25): a person with the mapping
permission sees what it would change, the old and the new provincial codes, and
approves it (the import runs with them as actor) or rejects it; nothing changes before."""

import csv
import io

import pytest
from django.test import Client

from escalade.core.models import AuditEvent
from escalade.datasources import rules, services
from escalade.datasources.models import DataSource, Mapping, ProposedImport

from .test_terminology import LAB, api, provinces_workbook

pytestmark = pytest.mark.django_db


def _attack_csv() -> bytes:
    """The forged worksheet of finding 1: glucose mapped to the provincial sodium code."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rules.COLUMNS)
    writer.writerow(
        [LAB, "GLU", "Glucose", "2951-2", "Sodium", "2026-10-01", "validated by attacker"]
    )
    writer.writerow([LAB, "NEWCODE", "Something new", "", "", "2026-12-01", ""])
    return out.getvalue().encode()


@pytest.fixture
def source(ontario, desk):
    source = DataSource.objects.get(code="nord-lab")
    services.import_worksheet(desk["level2_analyst"], source, provinces_workbook(), "w.xlsx")
    return source


def _page(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_page_shows_old_and_new_codes_and_approval_imports_as_the_person(source, desk):
    proposal = services.propose_worksheet(source, _attack_csv(), "codes.csv", sender="x@y.ca")
    assert Mapping.objects.get(local_code="GLU").target == "2345-7"  # nothing changed yet
    lead = desk["level2_analyst"]
    html = _page(lead).get(f"/datasources/nord-lab/proposals/{proposal.pk}/").content.decode()
    changed = html.split('id="changed"')[1].split("</table>")[0]
    assert "GLU" in changed and "2345-7" in changed and "2951-2" in changed
    assert "NEWCODE" in html.split('id="new-codes"')[1]
    # the source's page lists it to approve
    assert (
        f"/proposals/{proposal.pk}/" in _page(lead).get("/datasources/nord-lab/").content.decode()
    )
    r = _page(lead).post(f"/datasources/nord-lab/proposals/{proposal.pk}/", {"decision": "approve"})
    assert r.status_code == 302
    assert Mapping.objects.get(local_code="GLU").target == "2951-2"
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by, proposal.outcome["new"]) == (
        "approved",
        lead,
        1,
    )
    change = AuditEvent.objects.filter(object_type__endswith="mapping").order_by("-id").first()
    assert change.actor == lead  # the person, never "the mailbox"


def test_a_reader_without_the_mapping_permission_cannot_approve(source, desk):
    proposal = services.propose_worksheet(source, _attack_csv(), "codes.csv")
    agent = desk["level1_agent"]
    page = _page(agent).get(f"/datasources/nord-lab/proposals/{proposal.pk}/").content.decode()
    assert 'id="approve"' not in page
    r = api(agent).post(
        f"/api/datasources/nord-lab/proposals/{proposal.pk}/decision",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Mapping.objects.get(local_code="GLU").target == "2345-7"


def test_rejecting_needs_a_reason_and_a_decision_is_taken_once(source, desk):
    proposal = services.propose_worksheet(source, _attack_csv(), "codes.csv")
    client = api(desk["level2_analyst"])
    url = f"/api/datasources/nord-lab/proposals/{proposal.pk}"
    shown = client.get(url).json()
    assert [(c["local_code"], c["old_target"], c["new_target"]) for c in shown["changes"]] == [
        ("GLU", "2345-7", "2951-2"),
        ("NEWCODE", "", ""),
    ]
    r = client.post(f"{url}/decision", {"decision": "reject"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = client.post(
        f"{url}/decision",
        {"decision": "reject", "reason": "GLU is not sodium: called the province"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    again = client.post(f"{url}/decision", {"decision": "approve"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_decided"
    assert Mapping.objects.get(local_code="GLU").target == "2345-7"
    assert not Mapping.objects.filter(local_code="NEWCODE").exists()
    assert ProposedImport.objects.get().state == "rejected"


def test_the_rejection_form_shows_its_error_in_place_in_french(source, desk):
    proposal = services.propose_worksheet(source, _attack_csv(), "codes.csv")
    r = _page(desk["level2_analyst"], "fr-ca").post(
        f"/datasources/nord-lab/proposals/{proposal.pk}/", {"decision": "reject", "reason": ""}
    )
    assert r.status_code == 422
    assert "Dites pourquoi la feuille de travail est refusée." in r.content.decode()
