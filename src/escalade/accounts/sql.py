"""The accounts' hand-written SQL, in one place: the two statements on every API
request's path (the token and who holds it; the user's institutions). Each has its ORM
twin, used when ESCALADE_RAW_SQL=0; accounts/tests/test_sql.py checks both give the same."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from escalade.core import prepared
from escalade.core.models import Institution

from .models import ApiToken, Membership


@dataclass
class Bearer:
    """Who holds a valid token: the user, the token, the user's roles and institutions,
    and the institution they land in (the default, else the first; None without one)."""

    user: object
    token: ApiToken
    roles: set[str]
    member_roles: dict[int, list[str]]  # institution id -> Membership.roles ([] = all)
    landing: Institution | None


@cache
def _token_sql(vendor: str) -> str:
    """The token, its user, the user's roles and institutions: one statement (the ORM
    takes three)."""
    User = get_user_model()
    agg = "string_agg(CAST({} AS text), ',')" if vendor == "postgresql" else "group_concat({}, ',')"
    # memberships as "id=[roles as JSON]" joined by ";" (JSON has commas)
    member = (
        "string_agg(CAST(m.institution_id AS text) || '=' || CAST(m.roles AS text), ';')"
        if vendor == "postgresql"
        else "group_concat(m.institution_id || '=' || m.roles, ';')"
    )
    user_groups = User.groups.through._meta.db_table
    membership = Membership._meta.db_table
    return (
        f"SELECT {prepared.columns(User, 'u')}, {prepared.columns(ApiToken, 't')},"
        f" {prepared.columns(Institution, 'i')},"
        f' (SELECT {agg.format("g.name")} FROM "{user_groups}" ug'
        f' JOIN "{Group._meta.db_table}" g ON g.id = ug.group_id WHERE ug.user_id = u.id),'
        f' (SELECT {member} FROM "{membership}" m WHERE m.user_id = u.id)'
        f' FROM "{ApiToken._meta.db_table}" t JOIN "{User._meta.db_table}" u ON u.id = t.user_id'
        # The default (or only) institution's row comes along: most users have one.
        f' LEFT JOIN "{Institution._meta.db_table}" i ON i.id = (SELECT m.institution_id'
        f' FROM "{membership}" m WHERE m.user_id = u.id'
        " ORDER BY m.is_default DESC, m.institution_id LIMIT 1)"
        " WHERE t.digest = %s AND t.revoked = %s AND u.is_active = %s AND t.expires_at > %s"
    )


def bearer(digest: str, now: dt.datetime) -> Bearer | None:
    """Who holds the unrevoked, unexpired token of this digest (an active user), or None."""
    if not settings.ESCALADE_RAW_SQL:
        return _bearer_orm(digest, now)
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [digest, False, True, now])
        row = cursor.fetchone()
    if row is None:
        return None
    User = get_user_model()
    n_user, n_token = len(User._meta.concrete_fields), len(ApiToken._meta.concrete_fields)
    first = row[n_user + n_token : -2]
    roles, institutions = row[-2:]
    return Bearer(
        user=prepared.instance(User, row),
        token=prepared.instance(ApiToken, row[n_user:]),
        roles=set(roles.split(",")) if roles else set(),
        member_roles={
            int(i): json.loads(r)
            for i, r in (part.split("=", 1) for part in str(institutions).split(";"))
        }
        if institutions
        else {},
        landing=prepared.instance(Institution, first) if first[0] is not None else None,
    )


def _bearer_orm(digest: str, now: dt.datetime) -> Bearer | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked=False, user__is_active=True, expires_at__gt=now)
        .first()
    )
    if token is None:
        return None
    memberships = list(
        Membership.objects.filter(user_id=token.user_id)
        .select_related("institution")
        .order_by("-is_default", "institution_id")
    )
    return Bearer(
        user=token.user,
        token=token,
        roles=set(token.user.groups.values_list("name", flat=True)),
        member_roles={m.institution_id: list(m.roles) for m in memberships},
        landing=memberships[0].institution if memberships else None,
    )


def institutions_by_id(ids: set[int]) -> list[Institution]:
    """These institutions, by code."""
    if not settings.ESCALADE_RAW_SQL:
        return list(Institution.objects.filter(pk__in=ids).order_by("code"))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {prepared.columns(Institution, "i")} FROM "{Institution._meta.db_table}" i'
            f" WHERE i.id IN ({prepared.placeholders(len(ids))}) ORDER BY i.code",
            sorted(ids),
        )
        return prepared.instances(Institution, cursor.fetchall())
