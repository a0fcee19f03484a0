"""Signing in through an OpenID provider: a real one (django-oauth-toolkit with OpenID
Connect, in a second process on a free port). The code flow with PKCE lands with the
roles the groups claim maps to; a replayed answer, a token for another audience, an
expired one, one signed by another key and one with another nonce are refused; a
refresh the provider refuses ends the account; sign-out goes on at the provider."""

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client, RequestFactory
from joserfc import jwt
from joserfc.jwk import RSAKey

from escalade.accounts.models import ApiToken, DirectoryAccount
from escalade.accounts.services import create_api_token, oidc, roles_of
from escalade.accounts.tasks import check_provider_sessions
from escalade.core.choices import AuditAction
from escalade.core.models import AuditEvent

from . import oidc_provider

pytestmark = pytest.mark.django_db

PASSWORD = oidc_provider.PASSWORD
CLIENT_ID = oidc_provider.CLIENT_ID


@pytest.fixture
def configured(settings, oidc_provider_server):
    settings.ESCALADE_OIDC_PROVIDERS = oidc_provider.escalade_settings(oidc_provider_server)
    return oidc_provider_server


@pytest.fixture
def provider_key(oidc_provider_key):
    return oidc_provider_key


def through_provider(client, provider, username, password=PASSWORD):
    """Escalade's button, the provider's sign-in page, and back: the callback's answer."""
    start = client.get("/login/oidc/hopital/")
    assert start.status_code == 302
    at_provider = start["Location"]
    query = parse_qs(urlparse(at_provider).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    browser = requests.Session()
    r = browser.get(at_provider, allow_redirects=True, timeout=10)
    r = browser.post(r.url, {"username": username, "password": password}, allow_redirects=False)
    while r.status_code == 302 and not r.headers["Location"].startswith("http://testserver"):
        r = browser.get(
            requests.compat.urljoin(r.url, r.headers["Location"]), allow_redirects=False
        )
    back = urlparse(r.headers["Location"])
    return f"{back.path}?{back.query}", browser


def test_a_person_signs_in_through_the_provider_with_the_roles_of_their_groups(configured):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/")
    assert "Sign in with Hospital account" in page.content.decode()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "nadia")
    r = client.get(callback)
    assert r.status_code == 302 and r["Location"] == "/"
    account = DirectoryAccount.objects.get(source="oidc:hopital")
    user = account.user
    assert user.username == "nadia" and user.email == "nadia@hopital.example"
    assert roles_of(user) == {"level1_agent"} and "GG-TELESANTE-N1" in account.groups
    assert client.get("/incidents/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGNED_IN, object_id=str(user.pk), data__via="oidc:hopital"
    ).exists()
    assert user.profile.language == "fr-ca"  # the token's locale


def test_a_replayed_answer_is_refused(configured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "omar")
    assert client.get(callback)["Location"] == "/"
    thief = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = thief.get(callback)
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert thief.get("/incidents/")["Location"].startswith("/login/")
    client.logout()
    assert client.get(callback)["Location"] == "/login/"  # the same browser, used once


def test_groups_that_map_to_nothing_are_refused_with_the_reason(configured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "rita")
    r = client.get(callback, follow=True)
    assert "in no group that gives a role" in r.content.decode()
    assert not DirectoryAccount.objects.filter(user__username="rita").exists()


def _forge(key, configured, **claims):
    now = int(time.time())
    body = {
        "iss": configured.issuer,
        "sub": "42",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        **claims,
    }
    jwk = RSAKey.import_key(oidc_provider.pem(key))
    kid = oidc.app(oidc.provider("hopital")).fetch_jwk_set()["keys"][0]["kid"]
    return jwt.encode({"alg": "RS256", "kid": kid}, body, jwk)


@pytest.mark.parametrize(
    "claims, key_is_theirs, nonce",
    [
        ({"aud": "another-application"}, True, "the-nonce"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, True, "the-nonce"),
        ({}, False, "the-nonce"),
        ({}, True, "another-nonce"),
        ({"iss": "http://127.0.0.1:1/o"}, True, "the-nonce"),
    ],
    ids=["audience", "expired", "signature", "nonce", "issuer"],
)
def test_a_tampered_id_token_is_refused(configured, provider_key, claims, key_is_theirs, nonce):
    good = _forge(provider_key, configured)
    assert oidc.check_id_token("hopital", good, "the-nonce")["sub"] == "42"
    key = provider_key if key_is_theirs else rsa.generate_private_key(65537, 2048)
    with pytest.raises(oidc.Refused):
        oidc.check_id_token("hopital", _forge(key, configured, **claims), nonce)


def test_a_refresh_the_provider_refuses_ends_the_session_and_the_tokens(configured, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "paul")
    client.get(callback)
    user = DirectoryAccount.objects.get(user__username="paul").user
    raw = create_api_token(user, "script")
    settings.ESCALADE_OIDC_RECHECK_SECONDS = 0
    assert client.get("/incidents/").status_code == 200  # refreshed: still there
    configured.disable("paul")
    r = client.get("/incidents/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    assert ApiToken.objects.get(user=user).revoked
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/me").status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_ENDED, object_id=str(user.pk))


def test_a_session_without_refresh_token_signs_in_again_and_the_account_stays(configured, settings):
    """A provider that gives no refresh token (Entra ID without offline_access) cannot be
    asked again: the person signs in again at the provider; their account is not ended."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "ulla")
    client.get(callback)
    user = DirectoryAccount.objects.get(user__username="ulla").user
    session = client.session
    session[oidc.SESSION_KEY] = {**session[oidc.SESSION_KEY], "refresh_token": ""}
    session.save()
    settings.ESCALADE_OIDC_RECHECK_SECONDS = 0
    r = client.get("/incidents/")
    assert r.status_code == 302 and r["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "Your session has to be renewed: sign in again." in page
    user.refresh_from_db()
    assert user.is_active
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_ENDED, object_id=str(user.pk))


def test_a_session_that_makes_no_request_is_ended_by_the_scheduled_check(configured, settings):
    """A workstation left signed in, a script with its token: the provider is asked every
    five minutes all the same, and an account disabled there ends here."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "vera")
    client.get(callback)
    user = DirectoryAccount.objects.get(user__username="vera").user
    raw = create_api_token(user, "script")
    settings.ESCALADE_OIDC_RECHECK_SECONDS = 0
    first = check_provider_sessions.call()
    assert first == {"checked": 1, "refreshed": 1, "ended": 0, "unanswered": 0}
    assert client.get("/incidents/").status_code == 200  # the refreshed session works
    configured.disable("vera")
    assert check_provider_sessions.call()["ended"] == 1
    assert ApiToken.objects.get(user=user).revoked
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/me").status_code == 401
    assert client.get("/incidents/")["Location"].startswith("/login/")
    ended = AuditEvent.objects.get(action=AuditAction.ACCOUNT_ENDED, object_id=str(user.pk))
    assert ended.data["reason"] == "refresh refused by the provider"


def test_a_refresh_token_the_scheduled_check_just_used_is_no_refusal(configured, settings):
    """The provider rotates refresh tokens: a request that read the session before the
    scheduled check refreshed it holds the old one, which the provider refuses. That is
    not the account refused: the newer token is taken, the person keeps working."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, _b = through_provider(client, configured, "will")
    client.get(callback)
    user = DirectoryAccount.objects.get(user__username="will").user
    settings.ESCALADE_OIDC_RECHECK_SECONDS = 0
    request = RequestFactory().get("/incidents/")
    request.session = oidc.session_store(client.session.session_key)
    request.session.load()
    request.user = user
    stale = request.session[oidc.SESSION_KEY]["refresh_token"]
    assert check_provider_sessions.call()["refreshed"] == 1  # the provider rotated it
    assert oidc.recheck(request) == oidc.KEPT
    assert request.session[oidc.SESSION_KEY]["refresh_token"] != stale
    user.refresh_from_db()
    assert user.is_active
    assert client.get("/incidents/").status_code == 200


def test_sign_out_goes_on_at_the_provider(configured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    callback, browser = through_provider(client, configured, "sam")
    client.get(callback)
    assert browser.get(configured.base, timeout=10).text.endswith("sam</p>")
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"].startswith(f"{configured.issuer}/logout/")
    assert "id_token_hint" in r["Location"]
    assert client.get("/incidents/")["Location"].startswith("/login/")
    back = browser.get(r["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"].startswith(
        "http://testserver/login/"
    )
    assert browser.get(configured.base, timeout=10).text.endswith("</p>")
    assert "sam" not in browser.get(configured.base, timeout=10).text


def test_only_the_buttons_when_local_sign_in_is_off(configured, settings, staff):
    settings.ESCALADE_LOCAL_SIGN_IN = False
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()
    assert "Sign in with Hospital account" in page and 'name="password"' not in page
    r = Client().post("/login/", {"username": "manager", "password": "pw-Escalade-1"})
    assert r.status_code == 403
