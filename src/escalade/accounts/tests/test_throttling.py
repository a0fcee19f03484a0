"""Sign-in throttling: per account and per address, separately, on both sign-in pages.
One person's mistakes behind the hospital's NAT do not lock out the others."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PW = "pw-Escalade-1"


def sign_in(client, path, username, password):
    return client.post(path, {"username": username, "password": password, "next": "/"})


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_an_account_is_locked_after_its_failures_and_the_others_behind_the_address_are_not(
    staff, settings, path
):
    settings.ESCALADE_LOGIN_MAX_FAILURES = 3
    for role in ("level1_agent", "manager"):
        staff[role].is_staff = True
        staff[role].save()
    nat = Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        assert sign_in(nat, path, "level1_agent", "wrong").status_code == 200
    locked = sign_in(nat, path, "level1_agent", PW)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    colleague = Client(REMOTE_ADDR="10.0.0.1")  # same address, another person
    assert sign_in(colleague, path, "manager", PW).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")  # the locked account from anywhere
    assert sign_in(elsewhere, path, "level1_agent", PW).status_code == 429


def test_an_address_is_locked_after_many_failures_of_any_accounts(staff, settings):
    settings.ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        assert sign_in(attacker, "/admin/login/", f"guess-{n}", "x").status_code == 200
    assert sign_in(attacker, "/login/", "manager", PW).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.2"), "/login/", "manager", PW).status_code == 302


def test_behind_the_proxy_the_forwarded_address_counts(staff, settings):
    settings.ESCALADE_BEHIND_PROXY = True
    settings.ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for _ in range(2):
        Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.1").post(
            "/login/", {"username": "x", "password": "y"}
        )
    other = Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert sign_in(other, "/login/", "manager", PW).status_code == 302
