"""The notifications' hand-written SQL, in one place: the webhooks read on every
intake. Its ORM twin runs when ESCALADE_RAW_SQL=0; notifications/tests/test_sql.py
checks both give the same."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from escalade.core import prepared

from .models import Webhook


def active_hooks(institution_id: int) -> list[Webhook]:
    """The institution's active webhooks, in the order they were added."""
    if not settings.ESCALADE_RAW_SQL:
        return list(
            Webhook.objects.filter(institution_id=institution_id, active=True).order_by("id")
        )
    with connection.cursor() as cursor:  # SQL kept per process, as in core/prepared.py
        cursor.execute(
            f'SELECT {prepared.columns(Webhook, "w")} FROM "{Webhook._meta.db_table}" w'
            " WHERE w.institution_id = %s AND w.active = %s ORDER BY w.id",
            [institution_id, True],
        )
        return prepared.instances(Webhook, cursor.fetchall())
