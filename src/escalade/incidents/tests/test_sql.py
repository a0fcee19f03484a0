"""The intake's hand-written SQL and its ORM twin (ESCALADE_RAW_SQL=0) give the same
answers, so a Django upgrade can be checked against both."""

import pytest

from escalade.accounts.models import Membership
from escalade.incidents import services, sql
from escalade.incidents.models import Assignment

from .factories import log

pytestmark = pytest.mark.django_db


def test_members_by_load_is_the_same_through_the_orm(both_sql, cusm, team, make_user):
    second = make_user("it_technician", [cusm], username="second-it", email="b@x.org")
    Membership.objects.filter(user=team["it_technician"]).update(open_assignments=3)
    roles = ["chief_telehealth_technician", "it_technician", "nobody"]
    raw, orm = both_sql(lambda: sql.members_by_load(cusm.pk, roles))
    assert [tuple(r) for r in raw] == [tuple(r) for r in orm]
    assert [r[2] for r in raw if r[4] == "it_technician"] == ["second-it", "t-it_technician"]
    assert second.pk in [r[1] for r in raw]


def test_shift_load_is_the_same_through_the_orm_and_never_below_zero(settings, cusm, team):
    ids = [team["it_technician"].pk, team["chief_telehealth_technician"].pk]

    def load():
        return sorted(
            Membership.objects.filter(user_id__in=ids).values_list("open_assignments", flat=True)
        )

    for raw in (True, False):
        settings.ESCALADE_RAW_SQL = raw
        Membership.objects.filter(user_id__in=ids).update(open_assignments=1)
        sql.shift_load(cusm.pk, 2, ids)
        assert load() == [3, 3]
        sql.shift_load(cusm.pk, -5, ids)
        assert load() == [0, 0]


def test_the_intake_runs_whole_through_the_orm(settings, cusm, team):
    settings.ESCALADE_RAW_SQL = False
    incident = log(team["level1_agent"], cusm, symptom="codec")
    incident.refresh_from_db()
    assert incident.ticket.number.startswith("C2-") and incident.severity == "major"
    assigned = set(
        Assignment.objects.filter(incident=incident).values_list("role", "user__username")
    )
    assert assigned == {
        ("chief_telehealth_technician", "t-chief_telehealth_technician"),
        ("it_technician", "t-it_technician"),
    }
    load = Membership.objects.get(user=team["it_technician"]).open_assignments
    services.resolve(team["level1_agent"], incident, "Codec restarted.")
    assert Membership.objects.get(user=team["it_technician"]).open_assignments == load - 1
