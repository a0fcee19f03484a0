"""Sign-in throttling: per account and address together, a growing delay per account,
and per address, on both sign-in pages. One person's mistakes behind the hospital's NAT
do not lock out the others, and a guesser elsewhere cannot lock a colleague out."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from escalade.accounts.models import LoginFailure
from escalade.accounts.rules import sign_in_delay

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


def test_a_guesser_elsewhere_does_not_lock_the_night_technician_out(staff, settings):
    """Issue 25, finding 7: five wrong passwords from anywhere locked a named colleague
    out for 15 minutes. Now the guesser's own address is refused; the owner, at their
    workstation, waits at most ESCALADE_LOGIN_MAX_DELAY_SECONDS."""
    settings.ESCALADE_LOGIN_MAX_DELAY_SECONDS = 30
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    start = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        statuses = []
        for _ in range(12):
            statuses.append(sign_in(attacker, "/login/", "telehealth_technician", "x").status_code)
            clock.shift(40)  # slower than the longest delay
        assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}  # its address refused
        clock.shift(2)
        owner = Client(REMOTE_ADDR="10.1.2.3", HTTP_ACCEPT_LANGUAGE="en")
        r = sign_in(owner, "/login/", "telehealth_technician", PW)
        assert r.status_code == 302  # 42 s after the last failure: past the 30 s delay


def test_failures_from_many_addresses_slow_the_account_down(staff, settings):
    settings.ESCALADE_LOGIN_MAX_DELAY_SECONDS = 30
    start = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for n in range(6):  # a botnet: one try per address, each after the delay
            if n:
                clock.shift(20)
            sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), "/login/", "manager", "x")
        assert LoginFailure.objects.count() == 6
        waiting = sign_in(
            Client(REMOTE_ADDR="10.0.0.5", HTTP_ACCEPT_LANGUAGE="en"), "/login/", "manager", PW
        )
        assert waiting.status_code == 429 and "wait 8 seconds" in waiting.content.decode()
        clock.shift(9)
        assert sign_in(Client(REMOTE_ADDR="10.0.0.5"), "/login/", "manager", PW).status_code == 302


@pytest.mark.parametrize(("failures", "wait"), [(0, 0), (2, 0), (3, 1), (5, 4), (9, 30), (50, 30)])
def test_the_delay_grows_and_is_capped(failures, wait):
    assert sign_in_delay(failures, 3, 30) == wait


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
