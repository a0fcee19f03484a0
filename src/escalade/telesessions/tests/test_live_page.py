"""The session page is live (a stale page cannot start troubleshooting twice), the people
of seed 000's steps are told, and the technical sheet shows the session's incidents."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from escalade.incidents.tests.factories import log
from escalade.notifications.models import Notification
from escalade.telesessions import services
from escalade.telesessions.tests.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(cusm, team):
    return make_session(
        team["level1_agent"],
        cusm,
        start=timezone.now() + dt.timedelta(minutes=5),
        external_ref="TS-2026-118",
        patients=[services.PatientInput("Patient A", "819-966-6000", None)],
    )


def _client(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_the_live_part_answers_204_until_something_changes(session, team):
    c = _client(team["telehealth_technician"])
    first = c.get(f"/telesessions/{session.pk}/panel/")
    version = first.context["live_version"]
    assert 'id="troubleshoot-form"' in first.content.decode()
    assert c.get(f"/telesessions/{session.pk}/panel/", {"v": version}).status_code == 204
    # someone else starts troubleshooting: the stale page gets the running protocol
    services.start_troubleshooting(team["chief_telehealth_technician"], session, symptom="codec")
    fresh = c.get(f"/telesessions/{session.pk}/panel/", {"v": version})
    html = fresh.content.decode()
    assert fresh.status_code == 200 and 'id="troubleshoot-form"' not in html
    assert 'id="step-1-done"' in html and 'id="protocol-resolve"' in html
    # and a second start from the stale form is refused (409), never a twin incident
    r = c.post(f"/telesessions/{session.pk}/troubleshoot/", {"symptom": "codec"})
    assert r.status_code == 409
    assert "already under way" in r.content.decode() and 'id="step-1-done"' in r.content.decode()
    from escalade.incidents.models import Incident

    assert Incident.objects.filter(session_ref=f"#{session.pk}").count() == 1


def test_step_2_tells_the_telehealth_technician_at_once_and_step_10_the_clinical_coordinator(
    session, team
):
    services.start_troubleshooting(team["level1_agent"], session, symptom="codec")
    started = Notification.objects.get(user=team["telehealth_technician"], kind="protocol_started")
    assert started.link == f"/telesessions/{session.pk}/"
    services.resolve_protocol(team["level1_agent"], session)
    assert Notification.objects.filter(
        user=team["clinical_coordinator"], kind="protocol_resolved"
    ).exists()


def test_a_cancelled_session_tells_those_who_follow_up_without_patient_names(session, team):
    services.cancel_session(team["telehealth_technician"], session, "Codec down for 40 minutes")
    note = Notification.objects.get(user=team["clinical_coordinator"], kind="session_cancelled")
    assert note.params["tasks"] == 3 and "Patient A" not in str(note.params)


def test_the_technical_sheet_lists_the_sessions_incidents_and_the_incident_links_back(
    cusm, session, team
):
    minor = log(team["level1_agent"], cusm, symptom="sound_simple", session_ref="ts-2026-118")
    other = log(team["level1_agent"], cusm, symptom="sound_simple", session_ref="TS-9")
    html = _client(team["level1_agent"]).get(f"/telesessions/{session.pk}/sheet/").content.decode()
    assert minor.number in html and other.number not in html
    page = _client(team["level1_agent"]).get(f"/incidents/{minor.number}/").content.decode()
    assert f'href="/telesessions/{session.pk}/"' in page and 'id="session-link"' in page


def test_steps_7_and_8_go_to_the_requesting_sites_people_step_9_to_the_clinical_coordinator(
    cusm, team
):
    from escalade.telesessions.models import FollowUpTask

    session = make_session(
        team["level1_agent"],
        cusm,
        health_professional="Dre Lavoie",
        coordinator="Marc Dubé",
        patients=[services.PatientInput("Patient A", "819-966-6000", None)],
    )
    services.cancel_session(team["telehealth_technician"], session, "No image")
    who = dict(FollowUpTask.objects.filter(session=session).values_list("kind", "assignee_name"))
    assert who == {
        "explain_to_patient": "Dre Lavoie",
        "call_back_patient": "Marc Dubé",
        "rebook": "",
    }
    html = _client(team["clinical_coordinator"]).get("/telesessions/follow-up/").content.decode()
    assert "Marc Dubé" in html and "requesting site" in html


def test_each_session_action_says_it_was_done(session, team):
    c = _client(team["telehealth_technician"])
    r = c.post(f"/telesessions/{session.pk}/troubleshoot/", {"symptom": "codec"}, follow=True)
    assert "Troubleshooting started" in r.content.decode()
    r = c.post(f"/telesessions/{session.pk}/resolve/", follow=True)
    assert "the session goes on" in r.content.decode()


def test_a_step_marked_without_scripts_puts_the_cursor_on_the_next_step_to_do(session, team):
    """A keyboard user whose browser posted the form itself (no scripts, or Enter pressed
    before htmx took a freshly swapped form over) lands on the page with the cursor where
    the live panel would have put it: the next step still to do."""
    services.start_troubleshooting(team["chief_telehealth_technician"], session, symptom="codec")
    services.mark_step(team["chief_telehealth_technician"], session, 3, "done")
    c = _client(team["telehealth_technician"])
    r = c.post(f"/telesessions/{session.pk}/step/", {"n": "2", "state": "done"})
    assert r.status_code == 302 and r["Location"] == f"/telesessions/{session.pk}/?marked=2"
    page = c.get(r["Location"]).content.decode()
    assert 'id="step-4-done" autofocus' in page and page.count(" autofocus") == 1
