"""The notifications' hand-written SQL (notifications/sql.py) and its ORM twin agree."""

import pytest

from escalade.notifications import sql
from escalade.notifications.models import Webhook

pytestmark = pytest.mark.django_db


def test_active_hooks_are_the_same_through_the_orm(both_sql, cusm, ontario):
    first = Webhook.objects.create(institution=cusm, url="https://a.example/h", secret="s")
    Webhook.objects.create(institution=cusm, url="https://b.example/h", secret="s", active=False)
    third = Webhook.objects.create(
        institution=cusm, url="https://c.example/h", secret="s", events=["incident.created"]
    )
    Webhook.objects.create(institution=ontario, url="https://d.example/h", secret="s")
    raw, orm = both_sql(lambda: [(h.pk, h.url, h.events) for h in sql.active_hooks(cusm.pk)])
    assert raw == orm
    assert [r[0] for r in raw] == [first.pk, third.pk]
