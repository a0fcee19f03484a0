"""The pages: phone intake, queues, detail with actions, in both languages."""

import re

import pytest

from escalade.incidents.models import Incident
from escalade.incidents.tests.factories import log

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, staff):
    client.force_login(staff["level1_agent"])
    client.cookies["django_language"] = "en"
    return client


FORM = {
    "requester_name": "Dr Martin",
    "requester_role": "clinician",
    "requester_site": "Hôpital Royal Victoria",
    "requester_phone": "514 934 1934",
    "requester_phone_ext": "",
    "session_ref": "TS-77",
    "symptom": "codec",
    "summary": "Codec frozen",
    "description": "",
    "impact": "high",
    "urgency": "high",
    "channel": "phone",
}


def test_the_intake_form_logs_a_call_and_shows_the_number_to_read_back(agent_client):
    r = agent_client.post("/incidents/new/", FORM, follow=True)
    incident = Incident.objects.get()
    html = r.content.decode()
    assert 'id="readback-number"' in html and incident.number in html
    assert incident.ticket.number in html
    assert (incident.severity, incident.priority) == ("major", 1)
    # the caller's number is one tap away for a technician on a phone
    assert '<a href="tel:+15149341934" id="requester-phone">514 934-1934</a>' in html
    agent_client.post("/incidents/new/", {**FORM, "requester_phone_ext": "36000"})
    html = agent_client.get(f"/incidents/{Incident.objects.latest('pk').number}/").content.decode()
    assert '<a href="tel:+15149341934;ext=36000" id="requester-phone">' in html


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(agent_client):
    r = agent_client.post("/incidents/new/", {**FORM, "requester_phone": "12", "symptom": ""})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="id_requester_phone_error"' in html and "not a valid phone number" in html
    assert 'id="id_symptom_error"' in html
    assert 'value="Dr Martin"' in html  # what was typed is kept
    assert Incident.objects.count() == 0


def test_the_intake_form_groups_symptoms_by_list_and_starts_on_the_phone(agent_client):
    html = agent_client.get("/incidents/new/").content.decode()
    assert '<optgroup label="Major list">' in html
    phone = re.search(r'<input[^>]*name="requester_phone"[^>]*>', html).group(0)
    assert 'type="tel"' in phone and "autofocus" in phone
    name = re.search(r'<input[^>]*name="requester_name"[^>]*>', html).group(0)
    assert "autofocus" not in name


def test_a_note_is_added_by_htmx_without_a_reload(agent_client, cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    r = agent_client.post(
        f"/incidents/{incident.number}/note/", {"text": "Site called back"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in html and 'id="timeline"' in html and "Site called back" in html
    r = agent_client.post(
        f"/incidents/{incident.number}/note/", {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 422 and "errorlist" in r.content.decode()


def test_escalating_from_the_page_makes_it_major_with_a_ticket(agent_client, cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    r = agent_client.post(
        f"/incidents/{incident.number}/escalate/",
        {"to_level": "2", "reason": "no fix at level 1"},
        follow=True,
    )
    html = r.content.decode()
    assert 'id="ticket-number"' in html
    incident.refresh_from_db()
    assert (incident.level, incident.severity) == (2, "major")


def test_an_action_error_is_shown_in_its_form(agent_client, cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="lan")
    r = agent_client.post(f"/incidents/{incident.number}/resolve/", {"resolution": ""})
    assert r.status_code == 422
    assert "A major incident needs a resolution text." in r.content.decode()


def test_only_permitted_actions_are_offered(client, cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    client.force_login(staff["level1_agent"])
    html = client.get(f"/incidents/{incident.number}/").content.decode()
    assert "/escalate/" in html and "/reclassify/" not in html
    client.force_login(staff["level2_analyst"])
    assert "/reclassify/" in client.get(f"/incidents/{incident.number}/").content.decode()


def test_queues_mine_team_and_follow_up(agent_client, client, cusm, staff):
    import datetime as dt

    from django.utils import timezone

    minor = log(staff["level1_agent"], cusm, summary="Mute key on")
    major = log(staff["level1_agent"], cusm, symptom="wan", summary="WAN down")
    from escalade.incidents import services

    services.escalate(staff["level1_agent"], major, to_level=2, reason="needs analyst")
    team = agent_client.get("/incidents/?queue=team").content.decode()
    assert minor.number in team and major.number not in team
    client.force_login(staff["level2_analyst"])
    assert major.number in client.get("/incidents/?queue=team").content.decode()
    client.force_login(staff["chief_telehealth_technician"])
    assert major.number in client.get("/incidents/?queue=mine").content.decode()
    Incident.objects.filter(pk=minor.pk).update(updated_at=timezone.now() - dt.timedelta(hours=6))
    follow = agent_client.get("/incidents/?queue=followup").content.decode()
    assert minor.number in follow and major.number not in follow
    found = agent_client.get("/incidents/?queue=all&q=wan").content.decode()
    assert major.number in found and minor.number not in found


def test_pages_speak_french_and_english(client, staff):
    client.force_login(staff["level1_agent"])
    client.cookies["django_language"] = "fr-ca"
    html = client.get("/incidents/new/").content.decode()
    assert "Consigner un appel" in html and 'lang="fr-ca"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/incidents/new/").content.decode()
    assert "Log a call" in html and 'lang="en"' in html


def test_the_language_switcher_changes_the_language(client, staff):
    client.force_login(staff["level1_agent"])
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/incidents/"}, follow=True)
    assert "Queues" in r.content.decode()
    r = client.post("/i18n/setlang/", {"language": "fr-ca", "next": "/incidents/"}, follow=True)
    assert "Files d'attente" in r.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, cusm):
    r = client.get("/incidents/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_sign_in_is_throttled_after_repeated_failures(client, staff, settings):
    settings.ESCALADE_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert (
            client.post("/login/", {"username": "level1_agent", "password": "wrong"}).status_code
            == 200
        )
    r = client.post("/login/", {"username": "level1_agent", "password": "pw-Escalade-1"})
    assert r.status_code == 429
    assert not client.get("/incidents/").status_code == 200


def test_times_are_shown_in_the_institutions_zone(agent_client, cusm, staff):
    import datetime as dt

    incident = log(staff["level1_agent"], cusm)
    utc = dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC)
    Incident.objects.filter(pk=incident.pk).update(created_at=utc)
    html = agent_client.get(f"/incidents/{incident.number}/").content.decode()
    assert "2026-07-01 12:30" in html  # EDT, UTC-4


def test_a_long_queue_pages_by_cursor_every_row_once(agent_client, cusm, staff):
    numbers = [log(staff["level1_agent"], cusm, summary=f"Call {i}").number for i in range(53)]
    first = agent_client.get("/incidents/?queue=all").content.decode()
    assert "53 incidents" in first and "First page" not in first
    shown = set(re.findall(r"CCT-\d{4}-\d{6}", first))
    assert len(shown) == 50 and numbers[-1] in shown and numbers[0] not in shown
    after = re.search(r'href="\?([^"]*cursor=[^"]+)">Next', first).group(1).replace("&amp;", "&")
    second = agent_client.get(f"/incidents/?{after}").content.decode()
    rest = set(re.findall(r"CCT-\d{4}-\d{6}", second))
    assert rest == set(numbers[:3]) and "First page" in second and ">Next<" not in second
    # a cursor that is not one of ours starts again at the first page, not an error
    assert agent_client.get("/incidents/?queue=all&cursor=abc").status_code == 200
