"""Seed 004 section VII: a runbook is reviewed at a set date (its owners reminded once,
two weeks ahead) and after a malfunction (closing an outage asks, and tells them)."""

import datetime as dt

import pytest

from escalade.notifications.models import Notification
from escalade.runbooks import services
from escalade.runbooks.models import Runbook

pytestmark = pytest.mark.django_db


def test_a_review_falling_due_reminds_its_owners_once(pau, crew):
    owner = crew["it_technician"]  # the pack's owners: the systems and network admins
    Runbook.objects.filter(institution=pau).exclude(code="case3_pacs").update(
        review_on=dt.date(2027, 6, 30)
    )
    Runbook.objects.filter(code="case3_pacs").update(review_on=dt.date(2027, 1, 10))
    assert services.remind_reviews(dt.date(2026, 12, 20)) == 0  # three weeks ahead: not yet
    assert services.remind_reviews(dt.date(2026, 12, 28)) == 1
    assert services.remind_reviews(dt.date(2026, 12, 29)) == 0  # once
    (note,) = Notification.objects.filter(user=owner)
    assert note.kind == "runbook_review_due" and note.params["date"] == "2027-01-10"
    assert not Notification.objects.filter(user=crew["level1_agent"]).exists()
    Runbook.objects.filter(code="case3_pacs").update(review_on=dt.date(2028, 1, 10))
    assert services.remind_reviews(dt.date(2027, 12, 30)) >= 1  # a new date: reminded again


def test_closing_after_a_malfunction_asks_for_review(pau, crew):
    it = crew["it_technician"]
    outage = services.activate(it, pau, "case3_pacs")
    services.restore(it, outage)
    for step in outage.steps.filter(phase="restore"):
        services.mark_step(it, outage, step.n, "done")
    services.close(it, outage, review_needed=True)
    (note,) = Notification.objects.filter(user=it, kind="runbook_review_asked")
    assert note.params["outage"] == outage.pk
