"""Passkeys (WebAuthn) as the second factor of local accounts, checked for real: a
software authenticator with its own P-256 key answers the server's options, and the
server verifies the signatures, the origin, the challenge and the counter."""

import html
import json

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from escalade.accounts.services import otp
from escalade.core.choices import AuditAction
from escalade.core.models import AuditEvent

from .authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Escalade-1"
ORIGIN = "http://testserver"


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def register(client, key: SoftAuthenticator, name="Work key", origin=ORIGIN):
    options = post(client, "/account/second-factor/passkey/begin/").json()
    return post(
        client, f"/account/second-factor/passkey/complete/?name={name}", key.create(options, origin)
    )


def with_passkey(user, name="Work key") -> SoftAuthenticator:
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(user)
    key = SoftAuthenticator()
    assert register(owner, key, name).status_code == 200
    return key


def password_step(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = client.post("/login/?next=/incidents/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/login/second-factor/"
    return client


def passkey_step(client, key: SoftAuthenticator, origin=ORIGIN):
    options = post(client, "/login/second-factor/passkey/begin/").json()
    return post(client, "/login/second-factor/passkey/complete/", key.get(options, origin))


def test_a_local_account_adds_a_passkey_and_gives_it_after_its_password(staff):
    user = staff["level2_analyst"]
    key = with_passkey(user, "Clé du bureau")
    credential = WebAuthnCredential.objects.get(user=user)
    assert credential.confirmed and credential.name == "Clé du bureau"
    added = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR_ADDED, object_id=str(user.pk))
    assert added.data == {"kind": "passkey", "name": "Clé du bureau"}

    client = password_step(user)
    assert client.get("/incidents/")["Location"].startswith("/login/")  # not yet
    page = client.get("/login/second-factor/").content.decode()
    assert "Use my passkey" in page and 'name="code"' not in page  # no app: no code field
    r = passkey_step(client, key)
    assert r.status_code == 200 and r.json()["redirect_url"] == "/incidents/"
    assert client.get("/incidents/").status_code == 200
    credential.refresh_from_db()
    assert credential.sign_count == 1 and credential.last_used_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.SIGNED_IN, object_id=str(user.pk)).exists()


def test_the_passkey_step_comes_only_after_the_password(staff):
    user = staff["level2_analyst"]
    key = with_passkey(user)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = post(stranger, "/login/second-factor/passkey/begin/")
    assert r.status_code == 403
    assert r.json()["errors"][0] == {
        "field": "passkey",
        "code": "unauthenticated",
        "message": "Sign in again: this request has expired.",
    }
    # options asked by someone else's session do not sign this one in
    client = password_step(user)
    options = post(client, "/login/second-factor/passkey/begin/").json()
    r = post(stranger, "/login/second-factor/passkey/complete/", key.get(options, ORIGIN))
    assert r.status_code == 403
    assert stranger.get("/incidents/")["Location"].startswith("/login/")


def test_another_account_s_passkey_a_replay_a_phishing_page_and_a_clone_are_refused(staff):
    user, other = staff["level2_analyst"], staff["manager"]
    with_passkey(user)
    others_key = with_passkey(other)

    client = password_step(user)
    r = passkey_step(client, others_key)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "bad_passkey"
    assert client.get("/incidents/")["Location"].startswith("/login/")
    refused = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, object_id=str(user.pk))
    assert refused.get().data["why"] == "second_factor"

    # the right key, but answering a page at another address (a look-alike site)
    key = with_passkey(staff["level1_agent"])
    client = password_step(staff["level1_agent"])
    r = passkey_step(client, key, origin="https://escalade.example.evil")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "bad_passkey"

    # a right answer, replayed later: the server's challenge is a new one each time
    options = post(client, "/login/second-factor/passkey/begin/").json()
    answer = key.get(options, ORIGIN)
    assert post(client, "/login/second-factor/passkey/complete/", answer).status_code == 200
    client.logout()
    again = password_step(staff["level1_agent"])
    post(again, "/login/second-factor/passkey/begin/")
    r = post(again, "/login/second-factor/passkey/complete/", answer)
    assert r.status_code == 422 and again.get("/incidents/")["Location"].startswith("/login/")
    # ... and the same challenge is never answered twice
    assert post(again, "/login/second-factor/passkey/complete/", answer).status_code == 400

    # a copy of the key whose counter went back (a cloned authenticator)
    key.counter = 0
    r = passkey_step(again, key)
    assert r.status_code == 422
    assert again.get("/incidents/")["Location"].startswith("/login/")


def test_a_passkey_is_added_only_past_the_current_second_factor(staff):
    user = staff["level2_analyst"]
    with_passkey(user)
    # a session that has not given its second factor (signed in some other way)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    r = post(client, "/account/second-factor/passkey/begin/")
    assert r.status_code == 403 and "second factor first" in r.json()["errors"][0]["message"]
    assert WebAuthnCredential.objects.filter(user=user).count() == 1


def test_a_directory_account_has_no_passkey_here(staff):
    from escalade.accounts.models import DirectoryAccount

    user = staff["level1_agent"]
    user.set_unusable_password()
    user.save()
    DirectoryAccount.objects.create(user=user, source="ldap", subject="uid=x")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    r = post(client, "/account/second-factor/passkey/begin/")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "forbidden"


def test_an_administrator_keeps_a_last_passkey_and_removes_one_of_two(settings, make_user, cusm):
    settings.ESCALADE_OTP = "admins"
    admin = make_user("manager", [cusm], username="root-admin", is_superuser=True, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/login/", {"username": "root-admin", "password": PASSWORD})
    assert client.get("/incidents/")["Location"] == "/account/second-factor/"
    page = client.get("/account/second-factor/").content.decode()
    assert "add a passkey or set up an authenticator app" in page
    first = SoftAuthenticator()
    assert register(client, first, "Key A").status_code == 200
    assert client.get("/incidents/").status_code == 200  # the new passkey counts for this session
    assert register(client, SoftAuthenticator(), "Key B").status_code == 200
    a, b = (WebAuthnCredential.objects.get(name=n) for n in ("Key A", "Key B"))
    assert client.post("/account/second-factor/", {"remove_passkey": b.pk}).status_code == 302
    r = client.post("/account/second-factor/", {"remove_passkey": a.pk})
    assert r.status_code == 400 and "must keep a second factor" in r.content.decode()
    assert [c.name for c in otp.passkeys_of(admin)] == ["Key A"]
    removed = AuditEvent.objects.get(action=AuditAction.SECOND_FACTOR_REMOVED)
    assert removed.data == {"kind": "passkey", "name": "Key B"}
    # someone else's passkey is not one's own to remove
    other = with_passkey(make_user("manager", [cusm], username="other-admin"))
    assert other is not None
    theirs = WebAuthnCredential.objects.exclude(user=admin).get()
    assert client.post("/account/second-factor/", {"remove_passkey": theirs.pk}).status_code == 400
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_the_pages_speak_french(staff):
    user = staff["level2_analyst"]
    with_passkey(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    page = html.unescape(client.get("/login/second-factor/").content.decode())
    assert "Utiliser ma clé d'accès" in page
    r = post(client, "/login/second-factor/passkey/complete/", {})
    assert "Reconnectez-vous" in r.json()["errors"][0]["message"]
