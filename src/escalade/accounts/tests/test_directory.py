"""Signing in through the hospital's directory: a real OpenLDAP server (Debian's slapd,
started on a free port with StartTLS and a throwaway authority) holding people, nested
groups and a disabled account; the roles come from each institution's mapping, are lost
with the group, and an account the directory disables is ended within one check."""

import socket
import threading
import time

import pytest
from django.test import Client
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE
from pydantic import ValidationError

from escalade.accounts import rules, slapd
from escalade.accounts.models import ApiToken, DirectoryAccount, Membership
from escalade.accounts.services import create_api_token, has_permission, roles_of
from escalade.accounts.services.directory import GroupRule
from escalade.accounts.services.ldap import DirectoryDown
from escalade.accounts.tasks import check_directory_accounts
from escalade.core.choices import AuditAction
from escalade.core.models import AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not slapd.available(), reason="Debian's slapd is not installed"),
]


@pytest.fixture(scope="session")
def directory_server(tmp_path_factory):
    server = slapd.start(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def directory(directory_server, settings):
    settings.ESCALADE_LDAP = directory_server.settings()
    return directory_server


_n = {"n": 0}


def person(server, groups, **attrs) -> str:
    """A new person in the directory, member of `groups`: their uid (each test its own)."""
    _n["n"] += 1
    uid = f"p{_n['n']}-{time.monotonic_ns() % 10**9}"
    conn = server.admin()
    conn.add(
        slapd.person_dn(uid),
        ["inetOrgPerson"],
        {
            "uid": uid,
            "cn": uid,
            "sn": "Test",
            "givenName": "Pat",
            "mail": f"{uid}@hopital.example",
            "userPassword": slapd.PASSWORD,
            **attrs,
        },
    )
    for cn in groups:
        conn.modify(slapd.group_dn(cn), {"member": [(MODIFY_ADD, [slapd.person_dn(uid)])]})
    conn.unbind()
    return uid


def sign_in(uid, password=slapd.PASSWORD):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/", {"username": uid, "password": password})
    return client, response


def codes(user):
    return sorted(Membership.objects.filter(user=user).values_list("institution__code", flat=True))


def test_a_level1_agent_signs_in_with_the_directory_password_and_works_for_two_institutions(
    directory,
):
    uid = person(directory, ["GG-TELESANTE-N1"])
    client, r = sign_in(uid)
    assert r.status_code == 302 and r["Location"] == "/"
    account = DirectoryAccount.objects.get(subject=slapd.person_dn(uid))
    user = account.user
    assert not user.has_usable_password() and user.email == f"{uid}@hopital.example"
    assert roles_of(user) == {"level1_agent"}
    assert codes(user) == ["ciusss-emtl", "cusm"]
    assert client.get("/incidents/").status_code == 200
    actions = set(
        AuditEvent.objects.filter(object_type="user", object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    )
    assert {AuditAction.SIGNED_IN, AuditAction.ROLES_FROM_DIRECTORY} <= actions


def test_a_group_inside_a_mapped_group_gives_its_role(directory):
    uid = person(directory, ["GG-TELESANTE-N2-MTL"])  # nested in GG-TELESANTE-N2
    _client, r = sign_in(uid)
    assert r.status_code == 302
    user = DirectoryAccount.objects.get(subject=slapd.person_dn(uid)).user
    assert roles_of(user) == {"level2_analyst"} and codes(user) == ["cusm"]


def test_a_role_that_sees_patients_comes_only_from_a_line_that_says_so(directory):
    uid = person(directory, ["GG-TELESANTE-GEST"])  # phi: true in the cusm pack
    sign_in(uid)
    user = DirectoryAccount.objects.get(subject=slapd.person_dn(uid)).user
    assert has_permission(user, rules.VIEW_PATIENT)
    with pytest.raises(ValidationError, match="phi: true"):
        GroupRule(group="GG-X", role="clinical_coordinator")
    unsaid = GroupRule.model_construct(group="GG-X", role="clinical_coordinator", phi=False)
    assert rules.grants({"cusm": [unsaid]}, ["gg-x"]) == {}


def test_each_institution_s_mapping_gives_the_roles_held_there(directory):
    # GG-TELESANTE-N1: level-1 agent at cusm and at ciusss-emtl; GG-TELESANTE-GEST:
    # manager (who sees patients) at cusm only
    uid = person(directory, ["GG-TELESANTE-N1", "GG-TELESANTE-GEST"])
    client, r = sign_in(uid)
    assert r.status_code == 302
    user = DirectoryAccount.objects.get(subject=slapd.person_dn(uid)).user
    cusm, emtl = (Membership.objects.get(user=user, institution__code=c) for c in CODES)
    assert sorted(cusm.roles) == ["level1_agent", "manager"] and emtl.roles == ["level1_agent"]
    assert has_permission(user, rules.VIEW_PATIENT, cusm.institution)
    assert not has_permission(user, rules.VIEW_PATIENT, emtl.institution)
    change = AuditEvent.objects.get(action=AuditAction.ROLES_FROM_DIRECTORY, object_id=str(user.pk))
    assert change.changes["roles_by_institution"][1] == [
        "ciusss-emtl: level1_agent",
        "cusm: level1_agent, manager",
    ]
    # leaving the managers' group leaves cusm's manager role only
    conn = directory.admin()
    conn.modify(
        slapd.group_dn("GG-TELESANTE-GEST"), {"member": [(MODIFY_DELETE, [slapd.person_dn(uid)])]}
    )
    conn.unbind()
    sign_in(uid)
    cusm.refresh_from_db()
    assert cusm.roles == ["level1_agent"]


CODES = ("cusm", "ciusss-emtl")


def test_wrong_password_disabled_account_and_no_group_are_refused_and_recorded(directory):
    uid = person(directory, ["GG-TELESANTE-N1"])
    _c, r = sign_in(uid, "not-the-password")
    assert (
        r.status_code == 200
        and not DirectoryAccount.objects.filter(subject=slapd.person_dn(uid)).exists()
    )
    _c, r = sign_in("ancien")  # employeeType=disabled
    assert r.status_code == 200
    lost = person(directory, [])
    _c, r = sign_in(lost)
    assert r.status_code == 200
    assert "in no group that gives a role" in r.content.decode()
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert {e.data["username"] for e in refused} >= {uid, "ancien", lost}


def test_a_person_removed_from_a_group_loses_the_role_at_the_next_sign_in(directory):
    uid = person(directory, ["GG-TELESANTE-N1", "GG-TELESANTE-N2"])
    sign_in(uid)
    user = DirectoryAccount.objects.get(subject=slapd.person_dn(uid)).user
    assert roles_of(user) == {"level1_agent", "level2_analyst"}
    conn = directory.admin()
    conn.modify(
        slapd.group_dn("GG-TELESANTE-N1"), {"member": [(MODIFY_DELETE, [slapd.person_dn(uid)])]}
    )
    conn.unbind()
    _c, r = sign_in(uid)
    assert r.status_code == 302
    user.refresh_from_db()
    user._escalade_roles = None
    assert roles_of(user) == {"level2_analyst"} and codes(user) == ["cusm"]
    change = AuditEvent.objects.filter(
        action=AuditAction.ROLES_FROM_DIRECTORY, object_id=str(user.pk)
    ).latest("at")
    assert change.changes["roles"] == [["level1_agent", "level2_analyst"], ["level2_analyst"]]
    assert change.changes["institutions"] == [["ciusss-emtl", "cusm"], ["cusm"]]


def test_an_account_disabled_in_the_directory_loses_its_session_and_tokens_at_the_next_check(
    directory,
):
    uid = person(directory, ["GG-TELESANTE-N1"])
    other = person(directory, ["GG-TELESANTE-N1"])
    client, _r = sign_in(uid)
    colleague, _r = sign_in(other)
    user = DirectoryAccount.objects.get(subject=slapd.person_dn(uid)).user
    raw = create_api_token(user, "script")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/me").status_code == 200
    conn = directory.admin()
    conn.modify(slapd.person_dn(uid), {"employeeType": [(MODIFY_REPLACE, ["disabled"])]})
    conn.unbind()
    counts = check_directory_accounts.call()
    assert counts["ended"] == 1 and counts["checked"] >= 2
    assert client.get("/incidents/")["Location"].startswith("/login/")
    assert api.get("/api/me").status_code == 401
    assert ApiToken.objects.get(user=user).revoked
    assert colleague.get("/incidents/").status_code == 200  # the other one stays
    ended = AuditEvent.objects.get(action=AuditAction.ACCOUNT_ENDED, object_id=str(user.pk))
    assert ended.data["tokens_revoked"] == 1 and ended.data["sessions_ended"] == 1
    _c, r = sign_in(uid)
    assert r.status_code == 200  # and no sign-in while disabled there


def test_an_account_removed_from_the_directory_is_ended(directory):
    uid = person(directory, ["GG-TELESANTE-N1"])
    sign_in(uid)
    conn = directory.admin()
    conn.modify(
        slapd.group_dn("GG-TELESANTE-N1"), {"member": [(MODIFY_DELETE, [slapd.person_dn(uid)])]}
    )
    conn.delete(slapd.person_dn(uid))
    conn.unbind()
    check_directory_accounts.call()
    account = DirectoryAccount.objects.get(subject=slapd.person_dn(uid))
    assert account.ended_at is not None and not account.user.is_active
    assert account.ended_reason == "gone in the directory"


def test_a_local_account_of_the_same_name_is_not_taken_over(directory, make_user, cusm):
    uid = person(directory, ["GG-TELESANTE-N2"])
    make_user("requester", [cusm], username=uid)
    _c, r = sign_in(uid)
    assert r.status_code == 200 and "A local account already has the username" in (
        r.content.decode()
    )


@pytest.fixture
def silent_directory(settings, directory_server):
    """A directory that accepts the connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    settings.ESCALADE_LDAP = directory_server.settings(url=f"ldap://127.0.0.1:{port}", timeout=1.0)
    yield
    stop.set()
    thread.join()
    for s in held:
        s.close()
    listener.close()


def test_a_directory_that_does_not_answer_gives_a_clear_message_fast_and_local_accounts_still_work(
    silent_directory, make_user, cusm
):
    started = time.monotonic()
    _c, r = sign_in("agent1")
    waited = time.monotonic() - started
    assert r.status_code == 200 and waited < 4
    assert "directory does not answer" in r.content.decode()
    make_user("manager", [cusm], username="break-glass")
    _c, r = sign_in("break-glass", "pw-Escalade-1")
    assert r.status_code == 302
    user = make_user("level1_agent", [cusm], username="dir-user")
    DirectoryAccount.objects.create(user=user, source="ldap", subject=slapd.person_dn("dir-user"))
    with pytest.raises(DirectoryDown):  # the check stops: no one is ended for silence
        check_directory_accounts.call()
    user.refresh_from_db()
    assert user.is_active
