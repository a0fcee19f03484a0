"""The problems' hand-written SQL (COPY on PostgreSQL) and its ORM twin write the same."""

import pytest
from django.utils import timezone

from escalade.incidents.tests.factories import log
from escalade.problems import sql
from escalade.problems.models import ProblemLink
from escalade.problems.tests.factories import problem

pytestmark = pytest.mark.django_db


def test_links_are_the_same_through_copy_and_the_orm(both_sql, cusm, staff):
    agent = staff["level1_agent"]
    incidents = [log(agent, cusm, summary=f"No sound {n}") for n in range(4)]
    problems = [problem(staff["it_technician"], cusm, f"P{n}") for n in range(2)]
    at = timezone.now()

    def write(problem):
        pairs = [(problem.pk, i.pk) for i in incidents]
        sql.insert_links(pairs, agent.pk, at)
        return sorted(
            (lk.incident_id, lk.linked_by_id, lk.linked_at)
            for lk in ProblemLink.objects.filter(problem=problem)
        )

    order = iter(problems)
    raw, orm = both_sql(lambda: write(next(order)))
    assert raw == orm and len(raw) == 4
