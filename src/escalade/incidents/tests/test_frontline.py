"""What a level-1 agent and the technicians meet on the first day (issue 14): people
assigned are told, the patient-safety flag is seen, the page's forms and messages."""

import re

import pytest
from django.test import Client

from escalade.core.models import AuditEvent
from escalade.incidents import services
from escalade.notifications.models import Notification, OutgoingMail
from escalade.telesessions.tests.factories import make_session

from .factories import log

pytestmark = pytest.mark.django_db


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


def test_the_timeline_says_who_had_no_e_mail_address(cusm, team):
    """Told in the app only: the timeline does not claim an e-mail that was not sent."""
    team["it_technician"].email = ""
    team["it_technician"].save(update_fields=["email"])
    incident = log(team["level1_agent"], cusm, symptom="codec")
    assert not OutgoingMail.objects.filter(to=["it_technician@cct.example.org"]).exists()
    _c, html = _page(team["level1_agent"], f"/incidents/{incident.number}/", "fr-ca")
    assert (
        "Avisés dans l'application : t-chief_telehealth_technician, t-it_technician; "
        "par courriel aussi : t-chief_telehealth_technician"
    ) in html.replace("&#x27;", "'")
    team["chief_telehealth_technician"].email = ""
    team["chief_telehealth_technician"].save(update_fields=["email"])
    other = log(team["level1_agent"], cusm, symptom="codec")
    _c, html = _page(team["level1_agent"], f"/incidents/{other.number}/")
    assert "Told in the application (no e-mail address): t-chief_telehealth_technician" in html


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


@pytest.mark.parametrize("typed", ["514-934-1934", "(514) 934-1934", "+15149341934"])
def test_the_header_search_finds_a_caller_by_phone_in_any_format(cusm, team, typed):
    mine = log(team["level1_agent"], cusm, requester_phone="514 934-1934")
    other = log(team["level1_agent"], cusm, requester_phone="819-966-6000")
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(team["level1_agent"])
    html = c.get("/search/", {"q": typed}, follow=True).content.decode()
    assert mine.number in html and other.number not in html


def test_the_header_search_goes_to_a_number_a_ticket_or_a_session(cusm, team):
    major = log(team["level1_agent"], cusm, symptom="codec")
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(team["level1_agent"])
    detail = f"/incidents/{major.number}/"
    assert c.get("/search/", {"q": major.number.lower()})["Location"] == detail
    assert c.get("/search/", {"q": major.ticket.number})["Location"] == detail
    session = make_session(team["level1_agent"], cusm, external_ref="TS-2026-118")
    assert c.get("/search/", {"q": "ts-2026-118"})["Location"] == f"/telesessions/{session.pk}/"
    assert c.get("/search/", {"q": f"#{session.pk}"})["Location"] == f"/telesessions/{session.pk}/"
    words = c.get("/search/", {"q": "frozen codec"})["Location"]
    assert words.startswith("/incidents/?") and "q=frozen+codec" in words


def test_the_api_lists_a_callers_incidents_by_phone(cusm, team, api):
    mine = log(team["level1_agent"], cusm, requester_phone="514 934-1934")
    r = api("level1_agent").get("/api/incidents", phone="(514) 934-1934")
    assert [i["number"] for i in r.json()["items"]] == [mine.number]
    bad = api("level1_agent").get("/api/incidents", phone="not a phone")
    assert bad.status_code == 422 and "phone" in bad.content.decode()


def test_the_header_names_the_institution_of_the_pages_data(cusm, team):
    from conftest import ROOT
    from escalade.accounts.models import Membership
    from escalade.core.packs import load_pack

    emtl = load_pack(ROOT / "packs" / "ciusss-emtl").institution
    Membership.objects.create(user=team["level1_agent"], institution=emtl)
    incident = log(team["level1_agent"], cusm)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(team["level1_agent"])
    c.post("/institution/", {"institution": "ciusss-emtl"})  # working in the CIUSSS now
    html = c.get(f"/incidents/{incident.number}/").content.decode()
    assert re.search(r'<option value="cusm"\s+selected>', html)
    html = c.get("/notifications/").content.decode()
    assert re.search(r'<option value="ciusss-emtl"\s+selected>', html)


def test_a_detected_problem_reads_in_the_readers_language(cusm, team):
    from escalade.problems.models import Problem

    symptom = log(team["level1_agent"], cusm, symptom="bridge").symptom
    problem = Problem.objects.create(
        institution=cusm,
        title=f"{symptom.label['en']} — Gatineau",
        symptom=symptom,
        site="Gatineau",
    )
    from django.utils import translation

    with translation.override("fr-ca"):
        assert problem.label == "Pont de visioconférence — Gatineau"
    typed = Problem.objects.create(institution=cusm, title="Pont saturé le lundi", symptom=symptom)
    assert typed.label == "Pont saturé le lundi"


def test_the_wallboard_shows_trouble_majors_notices_and_follow_up(cusm, team):
    from escalade.telesessions import services as sessions

    session = make_session(team["level1_agent"], cusm)
    protocol = sessions.start_troubleshooting(team["level1_agent"], session, symptom="codec")
    other = log(team["level1_agent"], cusm, symptom="bridge")
    services.escalate(team["level1_agent"], other, to_level=2, reason="bridge down")
    c, html = _page(team["manager"], "/wallboard/")
    assert 'id="wb-trouble"' in html and "Hôpital de Gatineau" in html and "alarm" in html
    assert protocol.incident.number in html and other.number in html
    assert re.search(r"Level 2: <strong>1</strong>", html)
    board = c.get("/wallboard/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in board and 'id="wb-majors"' in board  # the polled part only
    _r, refused = _page(team["requester"], "/wallboard/")
    assert "wb-trouble" not in refused


def test_a_major_report_starts_with_step_11s_distribution_and_the_incidents_resolution(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="bridge")
    services.resolve(team["level1_agent"], incident, "Bridge port reset by the national bridge.")
    from escalade.reports.services import ensure_draft

    report = ensure_draft(incident)  # what the report page reads first
    report.refresh_from_db()
    assert report.distribution == sorted(
        f"{r}@cct.example.org"
        for r in (
            "telehealth_technician",
            "chief_telehealth_technician",
            "it_technician",
            "event_coordinator",
            "clinical_coordinator",
        )
    )
    _c, html = _page(team["chief_telehealth_technician"], f"/incidents/{incident.number}/report/")
    assert "Bridge port reset by the national bridge." in html


def test_the_timeline_reads_the_report_and_the_declaration_as_what_they_are(cusm, team):
    from escalade.core import timeline
    from escalade.core.models import AuditEvent
    from escalade.reports import services as reports

    incident = log(team["level1_agent"], cusm, symptom="codec")
    reports.update(
        team["chief_telehealth_technician"],
        reports.ensure_draft(incident),
        {"cause": "Codec firmware", "clinical_repercussions": "One exam delayed"},
    )
    services.flag_patient_safety(team["level1_agent"], incident, "possible")
    declaration = incident.declaration
    reports.file_declaration(team["manager"], declaration, "AH-2026-77")
    events = AuditEvent.objects.for_object("incident", incident.pk)
    assert not events.filter(action="updated").exists()
    rows = {r["action"]: r for r in (timeline.describe(e) for e in events)}
    assert "cause" in rows["report_written"]["details"][0]
    assert "AH-2026-77" in rows["declaration_filed"]["details"][0]
    assert rows["declaration_filed"]["label"] in (
        "incident declaration filed",
        "déclaration d'incident déposée",
    )


@pytest.mark.parametrize(
    "typed", ["5149341934", "514-934-1934", "+15149341934", "(514) 934-1934", "1 514 934 1934"]
)
def test_the_apis_q_finds_a_caller_by_phone_as_the_search_box_does(cusm, team, api, typed):
    """A telephony system shows the caller's history with GET /api/incidents?q=<phone>."""
    mine = log(team["level1_agent"], cusm, requester_phone="514 934-1934")
    log(team["level1_agent"], cusm, requester_phone="819-966-6000")
    r = api("level1_agent").get("/api/incidents", q=typed)
    assert r.status_code == 200, r.content
    assert [i["number"] for i in r.json()["items"]] == [mine.number]


def test_the_apis_q_and_the_search_box_find_a_c2_and_a_partners_ticket(cusm, team, api):
    major = log(team["level1_agent"], cusm, symptom="codec")
    log(team["level1_agent"], cusm, symptom="codec")
    services.escalate(team["level1_agent"], major, to_level=2, reason="codec down")
    services.escalate(
        team["level2_analyst"],
        major,
        to_level=3,
        reason="vendor",
        partner="Bell",
        partner_kind="supplier",
        external_ref="BELL-INC-2026-88412",
    )
    for typed in (major.ticket.number, major.ticket.number.lower(), "bell-inc-2026-88412"):
        r = api("level1_agent").get("/api/incidents", q=typed)
        assert [i["number"] for i in r.json()["items"]] == [major.number], typed
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(team["level1_agent"])
    found = c.get("/search/", {"q": "BELL-INC-2026-88412"})
    assert found["Location"] == f"/incidents/{major.number}/"
    queue = c.get("/incidents/", {"queue": "all", "q": "BELL-INC-2026-88412"}).content.decode()
    assert major.number in queue


def test_other_requests_of_a_requester_are_found_by_phone_too(cusm, team):
    first = log(
        team["level1_agent"], cusm, requester_name="Dre Lavoie", requester_phone="514-555-0199"
    )
    again = log(
        team["level1_agent"], cusm, requester_name="D. Lavoie", requester_phone="5145550199"
    )
    log(team["level1_agent"], cusm, requester_name="M. Roy", requester_phone="514-555-0100")
    c, html = _page(team["level1_agent"], f"/incidents/{again.number}/")
    assert first.number in html
    card = c.get("/incidents/new/caller/", {"requester_phone": "(514) 555-0199"}).content.decode()
    assert "D. Lavoie" in card and first.number in card and again.number in card
    assert (
        "data-name"
        not in c.get("/incidents/new/caller/", {"requester_phone": "819"}).content.decode()
    )
    requester = Client()
    requester.force_login(team["requester"])
    assert (
        "data-name"
        not in requester.get(
            "/incidents/new/caller/", {"requester_phone": "514-555-0199"}
        ).content.decode()
    )


def test_escalate_offers_the_levels_above_and_a_partners_reference_from_level_2(cusm, team):
    incident = log(team["level1_agent"], cusm)

    def offered():
        html = _page(team["level2_analyst"], f"/incidents/{incident.number}/")[1]
        select = re.search(r'<select name="to_level".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="(\d)"[^>]*>([^<]*)<', select)

    assert offered() == [("2", "Level 2"), ("3", "Level 3")]
    services.escalate(team["level1_agent"], incident, to_level=2, reason="not solved")
    assert offered() == [("3", "Level 3"), ("2", "Level 2: record a partner&#x27;s reference")]
