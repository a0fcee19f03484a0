"""The incidents' hand-written SQL, in one place: the two statements on every intake's
path that the ORM composed slowly (core/prepared.py has the inserts). Each has its ORM
twin, used when ESCALADE_RAW_SQL=0; tests/test_sql.py checks both give the same."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Greatest

from escalade.accounts.models import Membership
from escalade.core import prepared


def members_by_load(institution_id: int, roles: list[str]) -> list[tuple]:
    """(membership id, user id, username, e-mail, role) of the institution's active
    members holding any of `roles`, the least loaded first."""
    if not settings.ESCALADE_RAW_SQL:
        return list(
            Membership.objects.filter(
                institution_id=institution_id,
                user__is_active=True,
                user__groups__name__in=roles,
            )
            .order_by("open_assignments", "id")
            .values_list("id", "user_id", "user__username", "user__email", "user__groups__name")
        )
    User = get_user_model()
    with connection.cursor() as cursor:  # SQL kept per process, as in core/prepared.py
        cursor.execute(
            "SELECT m.id, m.user_id, u.username, u.email, g.name"
            f' FROM "{Membership._meta.db_table}" m'
            f' JOIN "{User._meta.db_table}" u ON u.id = m.user_id'
            f' JOIN "{User.groups.through._meta.db_table}" ug ON ug.user_id = u.id'
            f' JOIN "{Group._meta.db_table}" g ON g.id = ug.group_id'
            " WHERE m.institution_id = %s AND u.is_active = %s"
            f" AND g.name IN ({prepared.placeholders(len(roles))})"
            " ORDER BY m.open_assignments, m.id",
            [institution_id, True, *roles],
        )
        return cursor.fetchall()


def shift_load(institution_id: int, delta: int, user_ids: list[int]) -> None:
    """Move these members' open-work counters by `delta`, never below 0."""
    if not settings.ESCALADE_RAW_SQL:
        Membership.objects.filter(institution_id=institution_id, user_id__in=user_ids).update(
            open_assignments=Greatest(F("open_assignments") + delta, Value(0))
        )
        return
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Membership._meta.db_table}"'
            f" SET open_assignments = {greatest}(open_assignments + %s, 0)"
            f" WHERE institution_id = %s AND user_id IN ({prepared.placeholders(len(user_ids))})",
            [delta, institution_id, *sorted(user_ids)],
        )
