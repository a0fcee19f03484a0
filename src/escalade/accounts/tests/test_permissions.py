"""Each role's permissions, and institutions that cannot see each other."""

import pytest

from conftest import ROOT
from escalade.accounts.choices import Role
from escalade.core.errors import Forbidden
from escalade.incidents import selectors, services
from escalade.incidents.tests.factories import log

pytestmark = pytest.mark.django_db

MAY = {
    # role: (escalate, reclassify, close, requester history)
    Role.LEVEL1_AGENT: (True, False, True, True),
    Role.LEVEL2_ANALYST: (True, True, True, True),
    Role.LEVEL3_COORDINATOR: (True, False, True, True),
    Role.TELEHEALTH_TECHNICIAN: (True, False, False, True),
    Role.CHIEF_TELEHEALTH_TECHNICIAN: (True, True, True, True),
    Role.IT_TECHNICIAN: (True, True, True, True),
    Role.EVENT_COORDINATOR: (False, False, False, True),
    Role.CLINICAL_COORDINATOR: (False, False, False, False),
    Role.MANAGER: (False, True, True, True),
    Role.REQUESTER: (False, False, False, False),
}


def _allowed(call) -> bool:
    try:
        call()
        return True
    except Forbidden:
        return False


@pytest.mark.parametrize("role", list(Role))
def test_who_may_escalate_reclassify_close_and_see_history(role, cusm, staff):
    user = staff[role.value]
    escalate, reclassify, close, history = MAY[role]
    incident = log(staff["level1_agent"], cusm)
    assert _allowed(lambda: services.escalate(user, incident, to_level=2, reason="r")) is escalate
    incident = log(staff["level1_agent"], cusm, symptom="lan")
    assert _allowed(lambda: services.reclassify(user, incident, "minor", "r")) is reclassify
    incident = log(staff["level1_agent"], cusm, resolved_on_first_call=True)
    assert _allowed(lambda: services.close(user, incident)) is close
    assert (selectors.requester_history(user, incident) is not None) is history


def test_a_requester_logs_requests_and_sees_only_their_own(cusm, staff, make_user):
    mine = log(staff["requester"], cusm, channel="web")
    log(staff["level1_agent"], cusm)
    assert list(selectors.visible_incidents(staff["requester"], cusm)) == [mine]
    with pytest.raises(Forbidden):
        services.add_note(staff["requester"], mine, "any news?")


@pytest.fixture
def other(db):
    from escalade.core.packs import load_pack

    return load_pack(ROOT / "tests" / "fixtures" / "other-pack").institution


def test_a_user_of_one_institution_cannot_read_or_change_the_others_incidents(
    cusm, other, staff, make_user, api, body, client
):
    outsider = make_user("level2_analyst", [other], username="outsider")
    theirs = log(staff["level1_agent"], cusm)
    # service layer
    with pytest.raises(Forbidden):
        services.add_note(outsider, theirs, "peek")
    with pytest.raises(Forbidden):
        services.escalate(outsider, theirs, to_level=2, reason="x")
    # API
    from django.test import Client

    from escalade.accounts.services import create_api_token

    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(outsider)}")
    assert c.get(f"/api/incidents/{theirs.number}").status_code == 404
    r = c.post(
        f"/api/incidents/{theirs.number}/notes", {"text": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert c.get("/api/incidents").json()["count"] == 0
    assert c.get("/api/incidents", {"institution": "cusm"}).status_code == 403
    # pages
    client.force_login(outsider)
    assert client.get(f"/incidents/{theirs.number}/").status_code == 404
    r = client.post(f"/incidents/{theirs.number}/note/", {"text": "x"})
    assert r.status_code == 404
    assert theirs.number not in client.get("/incidents/?queue=all").content.decode()


def test_a_member_of_two_institutions_names_one_in_the_api(cusm, other, make_user, body):
    from django.test import Client

    from escalade.accounts.models import Membership
    from escalade.accounts.services import create_api_token

    both = make_user("level1_agent", [cusm, other], username="both")
    Membership.objects.filter(user=both).update(is_default=False)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(both)}", HTTP_ACCEPT_LANGUAGE="en")
    r = c.post("/api/incidents", body(), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "institution"
    r = c.post(
        "/api/incidents", body(institution="other-hospital"), content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["number"].startswith("OTH-")
    assert r.json()["institution"] == "other-hospital"


def test_roles_are_groups_with_their_permissions(staff):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    assert staff["level2_analyst"].has_perm("incidents.reclassify_incident")
    assert not staff["level1_agent"].has_perm("incidents.reclassify_incident")


def test_a_token_stops_working_when_revoked_or_its_user_is_deactivated(staff):
    from django.test import Client

    from escalade.accounts.models import ApiToken
    from escalade.accounts.services import (
        belongs_to,
        create_api_token,
        has_permission,
        set_roles,
        user_from_token,
    )

    agent, analyst = staff["level1_agent"], staff["level2_analyst"]
    raw = create_api_token(agent)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    me = c.get("/api/me")
    assert me.status_code == 200 and me.json()["username"] == agent.username
    # roles and institutions come with the token, and say what the user may do
    user = user_from_token(raw)
    assert user.pk == agent.pk and has_permission(user, "escalate_incident")
    assert not has_permission(user, "reclassify_incident")
    assert belongs_to(user, agent.memberships.get().institution_id)
    assert not belongs_to(user, agent.memberships.get().institution_id + 1000)
    set_roles(analyst, [Role.LEVEL1_AGENT, Role.LEVEL2_ANALYST])
    two = user_from_token(create_api_token(analyst))
    assert two._escalade_roles == {"level1_agent", "level2_analyst"}
    assert has_permission(two, "reclassify_incident")
    ApiToken.objects.filter(user=agent).update(revoked=True)
    assert c.get("/api/me").status_code == 401
    raw = create_api_token(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    r = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/incidents")
    assert r.status_code == 401 and r.json()["errors"]
    assert user_from_token(raw) is None


def test_the_default_institution_is_used_when_none_is_named(cusm, other, make_user, body):
    from django.test import Client

    from escalade.accounts.models import Membership
    from escalade.accounts.services import create_api_token

    both = make_user("level1_agent", [cusm, other], username="both-default")
    Membership.objects.filter(user=both).update(is_default=False)
    Membership.objects.filter(user=both, institution=other).update(is_default=True)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(both)}", HTTP_ACCEPT_LANGUAGE="en")
    r = c.post("/api/incidents", body(), content_type="application/json")
    assert r.status_code == 201 and r.json()["institution"] == "other-hospital"
    r = c.post("/api/incidents", body(institution="cusm"), content_type="application/json")
    assert r.status_code == 201 and r.json()["institution"] == "cusm"


def test_the_one_permission_helper_agrees_with_djangos_has_perm(cusm, make_user):
    """has_permission() reads the role matrix in memory; Django's has_perm() reads the
    groups' permissions in the database: for every role and every permission the code
    names, both must answer the same (a permission missing from the database would make
    the admin and the pages disagree)."""
    from django.contrib.auth.models import Permission

    from escalade.accounts import rules
    from escalade.accounts.services import has_permission

    named = {
        value
        for name, value in vars(rules).items()
        if name.isupper() and isinstance(value, str) and "_" in value
    }
    codes = {p.codename: p.content_type.app_label for p in Permission.objects.all()}
    assert named <= set(codes), f"not in the database: {sorted(named - set(codes))}"
    for role in Role:
        user = make_user(role.value, [cusm], username=f"perm-{role.value}")
        for codename in sorted(named):
            ours = has_permission(user, codename)
            django = user.has_perm(f"{codes[codename]}.{codename}")
            assert ours == django, (role.value, codename, ours, django)
