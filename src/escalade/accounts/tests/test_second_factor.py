"""A second factor for local accounts: an authenticator app's code after the password,
set up and removed by its owner, required of administrators when the configuration says
so (ESCALADE_OTP=admins, the default with ESCALADE_PRODUCTION=1)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from escalade.accounts.models import DirectoryAccount
from escalade.accounts.services import otp
from escalade.core.choices import AuditAction
from escalade.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Escalade-1"


def code_of(device, at=None) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def set_up(client, user) -> TOTPDevice:
    page = client.get("/account/second-factor/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/account/second-factor/", {"code": "000000"}).status_code == 400
    r = client.post("/account/second-factor/", {"code": code_of(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_local_account_sets_up_an_authenticator_and_gives_its_code_after_the_password(staff):
    user = staff["level2_analyst"]
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(user)
    device = set_up(owner, user)
    assert AuditEvent.objects.filter(
        action=AuditAction.SECOND_FACTOR_ADDED, object_id=str(user.pk)
    ).exists()
    later = timezone.now() + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False) as clock:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        r = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert r.status_code == 302 and r["Location"] == "/login/second-factor/"
        assert client.get("/incidents/")["Location"].startswith("/login/")  # not yet
        r = client.post("/login/second-factor/", {"code": "123456"})
        assert r.status_code == 400 and "not the one the authenticator shows" in r.content.decode()
        right = code_of(device, timezone.now())
        assert client.post("/login/second-factor/", {"code": right}).status_code == 400  # slowed
        clock.shift(2)  # a failure slows the next try by a second
        right = code_of(device, timezone.now())
        r = client.post("/login/second-factor/", {"code": right})
        assert r.status_code == 302 and r["Location"] == "/"
        assert client.get("/incidents/").status_code == 200
        # the same code again (a shoulder-surfer, a replay) does not sign in
        again = Client(HTTP_ACCEPT_LANGUAGE="en")
        again.post("/login/", {"username": user.username, "password": PASSWORD})
        assert again.post("/login/second-factor/", {"code": right}).status_code == 400


def test_an_administrator_must_set_one_up_before_working_when_required(settings, make_user, cusm):
    settings.ESCALADE_OTP = "admins"
    admin = make_user("manager", [cusm], username="root-admin", is_superuser=True, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = client.post("/login/", {"username": "root-admin", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/incidents/")["Location"] == "/account/second-factor/"
    assert client.get("/admin/")["Location"] == "/account/second-factor/"
    r = client.get("/api/me", HTTP_HX_REQUEST="true")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "forbidden"
    device = set_up(client, admin)
    assert client.get("/incidents/").status_code == 200
    later = timezone.now() + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        r = client.post("/account/second-factor/", {"remove": "1", "code": code_of(device, later)})
        assert r.status_code == 400  # refused: the account must keep one
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_the_owner_removes_it_with_a_current_code(staff):
    user = staff["manager"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    device = set_up(client, user)
    later = timezone.now() + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False) as clock:
        assert (
            client.post("/account/second-factor/", {"remove": "1", "code": "1"}).status_code == 400
        )
        clock.shift(2)
        code = code_of(device, timezone.now())
        r = client.post("/account/second-factor/", {"remove": "1", "code": code})
        assert r.status_code == 302
    assert otp.device_of(user) is None
    assert AuditEvent.objects.filter(
        action=AuditAction.SECOND_FACTOR_REMOVED, object_id=str(user.pk)
    )


def test_directory_accounts_keep_the_directory_s_own_second_factor(settings, staff):
    settings.ESCALADE_OTP = "all"
    user = staff["level1_agent"]
    assert otp.must_have(user)
    user.set_unusable_password()
    user.save()
    DirectoryAccount.objects.create(user=user, source="ldap", subject="uid=x")
    assert not otp.must_have(user)
