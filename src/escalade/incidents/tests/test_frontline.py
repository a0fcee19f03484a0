"""What a level-1 agent and the technicians meet on the first day (issue 14): people
assigned are told, the patient-safety flag is seen, the page's forms and messages."""

import re

import pytest
from django.test import Client

from escalade.accounts.choices import Role
from escalade.core.models import AuditEvent
from escalade.incidents import services
from escalade.notifications.models import Notification, OutgoingMail

from .factories import log

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(cusm, make_user):
    """The centre with e-mail addresses: a major is assigned to the chief and IT techs."""
    return {
        role: make_user(role, [cusm], username=f"t-{role}", email=f"{role}@cct.example.org")
        for role in Role.values
    }


def _page(user, path, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c, c.get(path).content.decode()


def test_a_major_tells_its_assignees_in_app_and_by_mail_and_the_timeline_says_so(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="codec")
    for role in ("chief_telehealth_technician", "it_technician"):
        note = Notification.objects.get(user=team[role], kind="assigned")
        assert note.params["number"] == incident.number and note.link.endswith(
            f"/incidents/{incident.number}/"
        )
        mail = OutgoingMail.objects.get(to=[f"{role}@cct.example.org"])
        assert incident.number in mail.subject
    assert not Notification.objects.filter(user=team["level1_agent"]).exists()  # the actor
    told = AuditEvent.objects.for_object("incident", incident.pk).get(action="notified")
    assert set(told.data["users"]) == {"t-chief_telehealth_technician", "t-it_technician"}
    _c, html = _page(team["level1_agent"], f"/incidents/{incident.number}/")
    assert "Told (in-app and e-mail): t-chief_telehealth_technician, t-it_technician" in html


def test_escalation_tells_the_new_levels_team(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="sound_simple")
    services.escalate(team["level1_agent"], incident, to_level=2, reason="still no sound")
    note = Notification.objects.get(user=team["level2_analyst"], kind="escalated")
    assert note.params["reason"] == "still no sound" and note.params["level"] == 2
    assert OutgoingMail.objects.filter(to=["level2_analyst@cct.example.org"]).exists()


def test_the_patient_safety_flag_is_seen_everywhere(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="codec")
    services.flag_patient_safety(team["level1_agent"], incident, "possible", "Exam delayed 2 h")
    c, html = _page(team["level1_agent"], f"/incidents/{incident.number}/", "fr-ca")
    assert 'id="safety-banner"' in html and f"/incidents/{incident.number}/declaration/" in html
    assert "sécurité du patient signalée" in html and "Exam delayed 2 h" in html
    assert "modifié" not in html  # a specific entry, not a bare "updated"
    queue = c.get("/incidents/?queue=all").content.decode()
    assert 'class="badge safety"' in queue


def test_the_incident_page_has_one_id_per_field_and_confirms_each_action(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="sound_simple")
    c, html = _page(team["level2_analyst"], f"/incidents/{incident.number}/")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert 'id="id_escalate_reason"' in html and 'id="id_reopen_reason"' not in html
    r = c.post(f"/incidents/{incident.number}/start/", follow=True)
    assert "You took the incident in charge." in r.content.decode()


def test_refusing_to_close_a_major_names_the_missing_parts_and_links_the_report(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="bridge")
    services.resolve(team["level1_agent"], incident, "Bridge port reset.")
    c = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    c.force_login(team["chief_telehealth_technician"])
    html = c.post(f"/incidents/{incident.number}/close/").content.decode()
    assert "répercussions cliniques" in html and "clinical_repercussions" not in html
    assert 'id="close-report-link"' in html and f"/incidents/{incident.number}/report/" in html


def test_no_internal_rule_code_in_the_french_timeline(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="codec")
    _c, html = _page(team["level1_agent"], f"/incidents/{incident.number}/", "fr-ca")
    assert "major_symptom" not in html and "Règle" not in html
