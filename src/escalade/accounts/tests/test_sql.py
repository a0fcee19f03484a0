"""The accounts' hand-written SQL (accounts/sql.py) and its ORM twin give the same."""

import datetime as dt

import pytest
from django.utils import timezone

from escalade.accounts import sql
from escalade.accounts.models import ApiToken, Membership, hash_token
from escalade.accounts.services import create_api_token, user_from_token

pytestmark = pytest.mark.django_db


def _plain(found):
    if found is None:
        return None
    return (
        found.user.pk,
        found.user.username,
        found.token.pk,
        found.roles,
        found.member_roles,
        found.landing.code if found.landing else None,
    )


def test_the_bearer_of_a_token_is_the_same_through_the_orm(both_sql, cusm, ontario, make_user):
    user = make_user("level2_analyst", [cusm, ontario], username="two-places")
    Membership.objects.filter(user=user, institution=ontario).update(
        is_default=True, roles=["level2_analyst", "requester"]
    )
    Membership.objects.filter(user=user, institution=cusm).update(is_default=False)
    digest = hash_token(create_api_token(user))
    now = timezone.now()
    raw, orm = both_sql(lambda: _plain(sql.bearer(digest, now)))
    assert raw == orm
    assert raw[3] == {"level2_analyst"}
    assert raw[4] == {cusm.pk: [], ontario.pk: ["level2_analyst", "requester"]}
    assert raw[5] == ontario.code  # the default institution comes along


def test_no_bearer_for_an_expired_a_revoked_or_an_inactive_one(both_sql, cusm, make_user):
    user = make_user("level1_agent", [cusm], username="gone")
    raw_token = create_api_token(user)
    digest = hash_token(raw_token)
    later = timezone.now() + dt.timedelta(days=3650)
    assert both_sql(lambda: sql.bearer(digest, later)) == (None, None)
    ApiToken.objects.update(revoked=True)
    assert both_sql(lambda: sql.bearer(digest, timezone.now())) == (None, None)
    ApiToken.objects.update(revoked=False)
    user.is_active = False
    user.save()
    assert both_sql(lambda: user_from_token(raw_token)) == (None, None)


def test_institutions_by_id_are_the_same_through_the_orm(both_sql, cusm, ontario):
    raw, orm = both_sql(lambda: [i.code for i in sql.institutions_by_id({cusm.pk, ontario.pk})])
    assert raw == orm == sorted([cusm.code, ontario.code])
