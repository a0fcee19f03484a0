"""Response clocks on real incidents: they start with the incident, stop at the first
response, pause while a partner holds it, warn once at 75 % and at breach."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.incidents import services as incidents
from escalade.notifications.models import Notification
from escalade.oncall.models import Clock
from escalade.oncall.services import check_clocks
from escalade.oncall.tests.factories import clocked

pytestmark = pytest.mark.django_db
TUESDAY_10 = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)  # 10:00 in Montréal


def test_a_major_incident_gets_its_clocks_and_the_first_response_stops_one(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        incident, clocks = clocked(team["level1_agent"], cusm, symptom="bridge")
    assert set(clocks) == {"first_response", "resolution"}
    assert clocks["first_response"].due_at == TUESDAY_10 + dt.timedelta(minutes=15)
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=5), tick=False):
        incidents.start(team["telehealth_technician"], incident)
    first = Clock.objects.get(incident=incident, target="first_response")
    assert (first.state, round(first.elapsed)) == ("met", 300) and first.breached_at is None
    assert Clock.objects.get(incident=incident, target="resolution").state == "running"


def test_a_partner_holding_the_incident_pauses_the_resolution_clock(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        incident, _ = clocked(team["level1_agent"], cusm, symptom="bridge")
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=10), tick=False):
        incidents.escalate(team["level1_agent"], incident, to_level=2, reason="level 2 takes it")
        incident.refresh_from_db()
        incidents.escalate(
            team["level2_analyst"],
            incident,
            to_level=3,
            reason="the bridge's operator",
            partner="Bell",
            partner_kind="network_operator",
        )
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=3), tick=False):
        resolution = Clock.objects.get(incident=incident, target="resolution")
        assert resolution.state == "paused" and round(resolution.elapsed) == 600
        assert check_clocks() == 0  # paused: no warning however long the partner takes
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(team['level2_analyst'])}")
        sla = api.get(f"/api/incidents/{incident.number}").json()["sla"]
    by = {c["target"]: c for c in sla}
    assert by["resolution"]["paused"] and by["resolution"]["due"] is None
    assert by["resolution"]["remaining_seconds"] == 4 * 3600 - 600
    assert by["first_response"]["state"] == "met"
    actions = list(
        AuditEvent.objects.filter(object_id=str(incident.pk)).values_list("action", flat=True)
    )
    assert "clock_paused" in actions


def test_warnings_go_once_at_75_percent_and_once_at_breach(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        incident, _ = clocked(team["level1_agent"], cusm, symptom="bridge")
    chief = team["chief_telehealth_technician"]
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=12), tick=False):
        assert check_clocks() == 1  # the first response at 75 % (11 min 15 s)
        assert check_clocks() == 0  # once
    assert Notification.objects.filter(user=chief, kind="clock_warning_first_response").count() == 1
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=16), tick=False):
        assert check_clocks() == 1 and check_clocks() == 0
        client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
        client.force_login(chief)
        page = client.get(f"/incidents/{incident.number}/").content.decode()
    assert (
        Notification.objects.filter(user=chief, kind="clock_breached_first_response").count() == 1
    )
    assert 'id="sla"' in page and "de retard" in page  # "1 min de retard"


def test_a_re_evaluated_priority_takes_the_new_rule_and_keeps_the_time_counted(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        incident, clocks = clocked(team["level1_agent"], cusm, symptom="sound_simple")
    assert clocks["resolution"].rule == "minor" and clocks["resolution"].business_hours
    with time_machine.travel(TUESDAY_10 + dt.timedelta(hours=1), tick=False):
        incidents.reclassify(team["level2_analyst"], incident, "major", "It is the bridge.")
    resolution = Clock.objects.get(incident=incident, target="resolution")
    assert resolution.seconds == 4 * 3600 and resolution.rule == "major"
    assert round(resolution.elapsed) == 3600 and not resolution.business_hours


def test_an_institution_without_clock_rules_has_no_clock(ontario, desk):
    _incident, clocks = clocked(desk["level1_agent"], ontario, symptom="viewer_access")
    assert clocks == {}


def test_the_due_first_queue_puts_the_soonest_target_on_top(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        minor, _ = clocked(team["level1_agent"], cusm, symptom="sound_simple")
        major, _ = clocked(team["level1_agent"], cusm, symptom="bridge")
    minor.refresh_from_db()
    major.refresh_from_db()
    assert major.due_at == TUESDAY_10 + dt.timedelta(minutes=15) < minor.due_at
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(team["telehealth_technician"])
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=20), tick=False):
        page = client.get("/?queue=due", follow=True).content.decode()
        board = client.get("/wallboard/").content.decode()
    assert page.index(major.number) < page.index(minor.number) and ">late<" in page
    cell = board[board.index('id="wb-clocks"') :]
    assert major.number in cell[: cell.index("</section>")]
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=21), tick=False):
        incidents.start(team["telehealth_technician"], major)
    major.refresh_from_db()
    assert major.due_at == TUESDAY_10 + dt.timedelta(hours=4)  # the resolution, next
    incidents.resolve(team["telehealth_technician"], major, "Bridge port reset.")
    major.refresh_from_db()
    assert major.due_at is None


def test_passed_targets_count_in_the_period_statistics_per_target_and_level(cusm, team):
    with time_machine.travel(TUESDAY_10, tick=False):
        clocked(team["level1_agent"], cusm, symptom="bridge")
    with time_machine.travel(TUESDAY_10 + dt.timedelta(minutes=16), tick=False):
        check_clocks()
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(team['manager'])}")
        stats = api.get("/api/stats", {"from": "2026-12-08", "to": "2026-12-08"}).json()
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(team["manager"])
        page = client.get("/statistics/", {"from": "2026-12-08", "to": "2026-12-08"})
    targets = stats["response_targets"]
    assert targets["breached"] == 1 and targets["by_level"] == [{"level": 1, "breached": 1}]
    assert [t["breached"] for t in targets["by_target"]] == [1, 0]
    html = page.content.decode()
    row = html[html.index('id="targets-passed"') :]
    assert "1 / 0" in row[: row.index("</tr>")]
