"""API tokens expire, their owner lists and revokes them on a page, and a bad token is
a 401 (not the session's CSRF 403), on POST too."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from escalade.accounts.models import ApiToken
from escalade.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


def bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_token_stops_working_when_it_expires(staff):
    raw = create_api_token(staff["level1_agent"], "script", days=30)
    token = ApiToken.objects.get()
    assert (token.expires_at - timezone.now()).days in (29, 30)
    assert bearer(raw).get("/api/me").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = bearer(raw).get("/api/me")
    assert r.status_code == 401 and r.json()["errors"][0]["field"] == "Authorization"


def test_a_bad_token_on_post_is_401_not_a_csrf_403(staff, body):
    r = bearer("esc_not-a-token").post("/api/incidents", body(), content_type="application/json")
    assert r.status_code == 401 and r.json()["errors"][0]["field"] == "Authorization"


def test_the_owner_makes_lists_and_revokes_tokens_on_a_page(staff):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff["level2_analyst"])
    r = page.post("/account/tokens/", {"name": "nightly export", "days": "7"})
    html = r.content.decode()
    raw = html.split('<code id="token-value">')[1].split("</code>")[0]
    assert raw.startswith("esc_") and "shown only once" in html
    assert bearer(raw).get("/api/me").status_code == 200
    token = ApiToken.objects.get(user=staff["level2_analyst"])
    assert token.name == "nightly export" and (token.expires_at - timezone.now()).days in (6, 7)
    listed = page.get("/account/tokens/").content.decode()
    assert token.prefix in listed and raw not in listed  # never shown again
    page.post(f"/account/tokens/{token.pk}/revoke/")
    assert bearer(raw).get("/api/me").status_code == 401
    assert "revoked" in page.get("/account/tokens/").content.decode()


def test_no_one_revokes_another_users_token(staff):
    raw = create_api_token(staff["manager"])
    token = ApiToken.objects.get(user=staff["manager"])
    other = Client()
    other.force_login(staff["level1_agent"])
    other.post(f"/account/tokens/{token.pk}/revoke/")
    assert bearer(raw).get("/api/me").status_code == 200


def test_a_token_page_refuses_a_lifetime_past_the_limit(staff, settings):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff["manager"])
    r = page.post("/account/tokens/", {"name": "x", "days": "400"})
    assert "Between 1 and 90 days." in r.content.decode() and not ApiToken.objects.exists()
