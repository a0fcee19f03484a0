"""A person can hold different roles at different institutions (a manager at one
hospital, a level-1 agent at another): Membership.roles narrows the account's roles at
its institution, and every guard that names an institution (the services' require(), the
pages' and the API's reads of personal health information) uses the roles held there."""

import pytest
from django.test import Client

from conftest import pack_institution
from escalade.accounts import rules as perms
from escalade.accounts.models import Membership
from escalade.accounts.services import create_api_token, has_permission, roles_at, roles_of
from escalade.core.models import AuditEvent
from escalade.incidents.tests.factories import log
from escalade.telesessions.services import PatientInput
from escalade.telesessions.tests.factories import make_session

pytestmark = pytest.mark.django_db
PATIENT = PatientInput(name="Jeanne Tremblay", phone="819-966-6000")


@pytest.fixture
def emtl(db):
    return pack_institution("ciusss-emtl")


@pytest.fixture
def two_hats(cusm, emtl, make_user):
    """A manager at cusm who is a level-1 agent at ciusss-emtl."""
    from escalade.accounts.services import set_roles

    user = make_user("manager", [cusm, emtl], username="deux-chapeaux")
    set_roles(user, ["manager", "level1_agent"])
    Membership.objects.filter(user=user, institution=emtl).update(roles=["level1_agent"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}"), user


def test_the_roles_held_at_each_institution(two_hats, cusm, emtl):
    api, user = two_hats
    assert roles_of(user) == {"manager", "level1_agent"}
    assert roles_at(user, cusm) == {"manager", "level1_agent"}  # empty: all the account's
    assert roles_at(user, emtl) == {"level1_agent"}
    assert has_permission(user, perms.VIEW_PATIENT, cusm)
    assert not has_permission(user, perms.VIEW_PATIENT, emtl)
    me = api.get("/api/me").json()
    assert {i["code"]: i["roles"] for i in me["institutions"]} == {
        "cusm": ["level1_agent", "manager"],
        "ciusss-emtl": ["level1_agent"],
    }
    # a membership only narrows: a role the account lacks is not given by it
    Membership.objects.filter(user=user, institution=emtl).update(roles=["it_technician"])
    user.__dict__.pop("_escalade_member_roles", None)
    assert roles_at(user, emtl) == set()


def test_a_manager_s_action_is_refused_where_the_person_is_a_level1_agent(
    two_hats, cusm, emtl, staff, make_user
):
    api, user = two_hats
    there = log(staff["level1_agent"], cusm)
    agent_emtl = make_user("level1_agent", [emtl])
    here = log(agent_emtl, emtl, symptom="org_equipment")
    change = {"impact": "high", "urgency": "high", "reason": "a clinic waits"}
    ok = api.post(f"/api/incidents/{there.number}/priority", change, "application/json")
    assert ok.status_code == 200, ok.content
    r = api.post(f"/api/incidents/{here.number}/priority", change, "application/json")
    assert r.status_code == 403
    assert r.json()["errors"][0]["code"] == "forbidden"
    here.refresh_from_db()
    assert here.impact != "high"
    # what a level-1 agent does there still works
    note = api.post(f"/api/incidents/{here.number}/notes", {"text": "rappelé"}, "application/json")
    assert note.status_code == 201, note.content


def test_patients_are_shown_only_where_the_person_may_see_them(two_hats, cusm, emtl, make_user):
    api, user = two_hats
    coordinator = make_user("clinical_coordinator", [cusm, emtl])
    seen = []
    for institution in (cusm, emtl):
        session = make_session(coordinator, institution, patients=[PATIENT])
        out = api.get(f"/api/telesessions/{session.pk}").json()
        seen.append([p.get("name") for p in out["patients"]])
    assert seen == [["Jeanne Tremblay"], [None]]
    views = AuditEvent.objects.filter(action="phi_viewed", actor=user)
    assert views.count() == 1  # the access recorded, where it happened only


def test_the_header_names_the_roles_held_where_the_person_works_now(two_hats, cusm, emtl):
    _api, user = two_hats
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(user)
    Membership.objects.filter(user=user).update(is_default=False)
    Membership.objects.filter(user=user, institution=emtl).update(is_default=True)
    who = page.get("/incidents/").content.decode()
    assert "deux-chapeaux · Level-1 agent<" in who
