"""Action items after a major-incident report (and a problem's corrective measures):
added with what, who and by when; the owner told, reminded before the date and while
overdue, each reminder once; done, cancelled; listed by the report, the follow-up
report and the statistics."""

import datetime as dt

import pytest

from escalade.actions import rules, selectors, services
from escalade.actions.models import ActionItem
from escalade.core.errors import Forbidden, Invalid
from escalade.core.models import AuditEvent
from escalade.incidents.tests.factories import log
from escalade.notifications.models import Notification, OutgoingMail

from .factories import item

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 3, 15)


def test_reminders_fall_two_days_before_then_weekly_once_overdue():
    assert rules.reminder_key(DUE, DUE - dt.timedelta(days=3)) is None
    assert rules.reminder_key(DUE, DUE - dt.timedelta(days=2)) == "before"
    assert rules.reminder_key(DUE, DUE) == "before"
    assert rules.reminder_key(DUE, DUE + dt.timedelta(days=1)) == "overdue:0"
    assert rules.reminder_key(DUE, DUE + dt.timedelta(days=7)) == "overdue:0"
    assert rules.reminder_key(DUE, DUE + dt.timedelta(days=8)) == "overdue:1"
    assert rules.reminder_key(None, DUE) is None
    assert rules.is_overdue(DUE, "open", DUE + dt.timedelta(days=1))
    assert not rules.is_overdue(DUE, "done", DUE + dt.timedelta(days=1))


@pytest.fixture
def major(cusm, team):
    return log(team["level1_agent"], cusm, channel="phone", symptom="bridge")


def test_an_item_needs_what_who_and_when_and_its_owner_is_told(cusm, team, major, make_user):
    outsider = make_user("it_technician", [], username="elsewhere")
    with pytest.raises(Invalid) as err:
        services.add(team["level2_analyst"], major, source="major_report", text=" ", owner=outsider)
    fields = {e["field"] for e in err.value.as_errors()}
    assert fields == {"text", "owner", "due"}
    assert ActionItem.objects.count() == 0
    owner = team["it_technician"]
    added = item(team["level2_analyst"], major, owner, due=DUE)
    assert (added.owner, added.due, added.state) == (owner, DUE, "open")
    assert Notification.objects.filter(user=owner, kind="action_assigned").exists()
    mail = OutgoingMail.objects.get(to=[owner.email], body__contains="Replace the bridge")
    assert "Replace the bridge" in mail.subject
    event = AuditEvent.objects.get(action="action_added", object_id=str(major.pk))
    assert event.data["owner"] == owner.username


def test_each_reminder_goes_once_before_the_date_and_weekly_when_overdue(cusm, team, major):
    owner = team["it_technician"]
    added = item(team["level2_analyst"], major, owner, due=DUE)
    sent = lambda day: services.send_reminders(day)  # noqa: E731
    assert sent(DUE - dt.timedelta(days=3)) == 0
    assert sent(DUE - dt.timedelta(days=2)) == 1
    assert sent(DUE - dt.timedelta(days=1)) == 0  # "before" went already
    assert sent(DUE + dt.timedelta(days=1)) == 1
    assert sent(DUE + dt.timedelta(days=1)) == 0  # a second run the same day: nothing
    assert sent(DUE + dt.timedelta(days=8)) == 1
    kinds = list(
        Notification.objects.filter(user=owner, kind__startswith="action_")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["action_assigned", "action_due_soon", "action_overdue", "action_overdue"]
    services.complete(owner, added, note="Replaced on 2027-03-20.")
    assert sent(DUE + dt.timedelta(days=15)) == 0


def test_only_its_owner_or_a_lead_completes_it(cusm, team, major):
    added = item(team["level2_analyst"], major, team["it_technician"], due=DUE)
    with pytest.raises(Forbidden):
        services.complete(team["level1_agent"], added)
    services.cancel(team["manager"], added, "Done by the vendor instead.")
    added.refresh_from_db()
    assert added.state == "cancelled" and "vendor" in added.note
    services.reopen(team["it_technician"], added)
    services.complete(team["it_technician"], added)
    actions = set(
        AuditEvent.objects.filter(object_id=str(major.pk)).values_list("action", flat=True)
    )
    assert {"action_added", "action_cancelled", "action_reopened", "action_done"} <= actions


def test_the_follow_up_report_and_the_statistics_list_overdue_items(cusm, team, major):
    from django.utils import timezone

    from escalade.reports import stats

    yesterday = timezone.now().astimezone(cusm.zone).date() - dt.timedelta(days=1)
    late = item(team["level2_analyst"], major, team["it_technician"], due=yesterday)
    item(team["level2_analyst"], major, team["manager"], text="Train the desk")
    report = stats.follow_up_report(cusm, timezone.now())
    assert report["overdue_actions"] == [late]
    today = yesterday + dt.timedelta(days=1)
    fig = stats.figures(cusm, stats.Range(today - dt.timedelta(days=7), today, ""))
    assert fig["action_items"] == {"open": 2, "overdue": 1, "done": 0}
    assert [a["id"] for a in fig["overdue_actions"]] == [late.pk]
    assert list(selectors.overdue(cusm, today)) == [late]


# -- the API and the pages --------------------------------------------------------


def test_the_report_api_adds_items_and_lists_their_state(api, body, staff):
    number = api("level1_agent").post("/api/incidents", body(symptom="bridge")).json()["number"]
    analyst = api("level2_analyst")
    bad = analyst.post(
        f"/api/reports/major/{number}/actions",
        {"text": "Replace the supply", "owner": "nobody", "due": "2027-03-15"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "owner"
    r = analyst.post(
        f"/api/reports/major/{number}/actions",
        {"text": "Replace the supply", "owner": "it_technician", "due": "2027-03-15"},
    )
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["owner"], created["state"], created["source_label"]) == (
        "it_technician",
        "open",
        number,
    )
    listed = analyst.get(f"/api/reports/major/{number}").json()["action_items"]
    assert [a["id"] for a in listed] == [created["id"]]
    # the owner sees it in their list, and marks it done
    mine = api("it_technician").get("/api/actions", mine="true")
    assert mine.status_code == 200, mine.content
    mine = mine.json()["items"]
    assert [a["id"] for a in mine] == [created["id"]]
    refused = api("level1_agent").post(f"/api/actions/{created['id']}/done", {})
    assert refused.status_code == 403
    done = api("it_technician").post(f"/api/actions/{created['id']}/done", {"note": "Done."})
    assert done.json()["state"] == "done"
    empty = api("manager").post(f"/api/actions/{created['id']}/cancel", {"reason": ""})
    assert empty.status_code in (409, 422)


def test_the_report_page_adds_an_item_with_errors_in_place_in_french(client, cusm, team, major):
    client.force_login(team["level2_analyst"])
    client.cookies["django_language"] = "fr-ca"
    url = f"/incidents/{major.number}/report/actions/"
    bad = client.post(url, {"text": "Remplacer la pile", "owner": "", "due": ""})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Éléments d'action" in html and 'id="id_action_due_error"' in html
    assert ActionItem.objects.count() == 0
    good = client.post(
        url,
        {"text": "Remplacer la pile", "owner": "t-it_technician", "due": "2027-03-15"},
        follow=True,
    )
    page = good.content.decode()
    assert "Remplacer la pile" in page and "À faire" in page
    listed = client.get("/actions/?state=open").content.decode()
    assert "Remplacer la pile" in listed and major.number in listed
    # the done form's label is for screen readers only (the stylesheet's class)
    assert '<label class="sr-only" for="note-' in listed
