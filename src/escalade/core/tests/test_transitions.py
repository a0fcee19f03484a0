"""One transition table per stateful model: the moves as data, the services through them,
and the database refusing a state outside the choices."""

import pytest
from django.db import IntegrityError, transaction

from escalade.core.errors import Conflict
from escalade.core.transitions import Transitions

TABLE = Transitions({"accept": {"proposed": "open"}, "close": {"open": "closed"}})


def test_a_table_says_where_an_action_leads_and_what_is_possible():
    assert TABLE.target("accept", "proposed") == "open"
    assert TABLE.target("accept", "open") is None
    assert TABLE.allowed("open") == ["close"]
    assert TABLE.action_to("proposed", "open") == "accept"
    assert TABLE.action_to("proposed", "closed") is None
    assert TABLE.states() == {"proposed", "open", "closed"}
    with pytest.raises(Conflict) as err:
        TABLE.move("close", "proposed", "Only an open problem closes.")
    assert err.value.field == "state"


@pytest.mark.django_db
def test_a_rejected_problem_cannot_be_accepted_afterwards(cusm, staff):
    from escalade.problems import services
    from escalade.problems.models import Problem

    problem = Problem.objects.create(institution=cusm, title="Codec at Gatineau")
    services.update(staff["it_technician"], problem, {"state": "rejected"})
    with pytest.raises(Conflict):
        services.update(staff["it_technician"], problem, {"state": "open"})
    problem.refresh_from_db()
    assert problem.state == "rejected"


@pytest.mark.django_db
def test_the_database_refuses_a_state_outside_the_choices(cusm):
    from escalade.problems.models import Problem

    problem = Problem.objects.create(institution=cusm, title="Codec")
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(state="nonsense")
