"""Shared workstations: a session idle for ESCALADE_IDLE_MINUTES is signed out; a page's
own refreshes are not activity; API tokens are not sessions."""

import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def idle_for(client, seconds):
    session = client.session
    session["escalade_active_at"] = time.time() - seconds
    session.save()


def test_an_idle_session_is_signed_out_with_a_message(staff, settings):
    settings.ESCALADE_IDLE_MINUTES = 30
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(staff["level1_agent"])
    assert c.get("/incidents/").status_code == 200
    idle_for(c, 29 * 60)
    assert c.get("/incidents/").status_code == 200  # still inside: and this is activity
    idle_for(c, 31 * 60)
    r = c.get("/incidents/", follow=True)
    assert r.redirect_chain[0][0].startswith("/login/?next=/incidents/")
    assert "signed out after 30 minutes without activity" in r.content.decode()
    assert c.get("/incidents/").status_code == 302


def test_the_page_s_timer_lands_on_the_sign_in_page_once_signed_out(staff, settings):
    """The page goes to the sign-in page itself when the time is up: shown there, with
    the message and its `next`, not sent to a sign-in page whose `next` is itself."""
    settings.ESCALADE_IDLE_MINUTES = 30
    c = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    c.force_login(staff["level1_agent"])
    idle_for(c, 31 * 60)
    r = c.get("/login/?next=%2Fincidents%2F")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Votre session a été fermée après 30 minutes sans activité." in html
    assert 'name="next" value="/incidents/"' in html
    assert c.get("/incidents/").status_code == 302  # signed out


def test_a_pages_own_refresh_is_not_activity(staff, settings):
    settings.ESCALADE_IDLE_MINUTES = 30
    c = Client()
    c.force_login(staff["level1_agent"])
    c.get("/incidents/")
    idle_for(c, 29 * 60)
    c.get("/incidents/", HTTP_X_ESCALADE_POLL="1")  # the live panel, every second
    assert c.session["escalade_active_at"] < time.time() - 28 * 60
    idle_for(c, 31 * 60)
    r = c.get("/incidents/", HTTP_X_ESCALADE_POLL="1", HTTP_HX_REQUEST="true")
    assert r.status_code == 401 and r["HX-Redirect"].startswith("/login/")


def test_the_page_carries_the_timeout_and_stay_signed_in_counts(staff, settings):
    settings.ESCALADE_IDLE_MINUTES = 30
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(staff["manager"])
    html = c.get("/incidents/").content.decode()
    assert 'data-idle-seconds="1800"' in html and "Stay signed in" in html
    idle_for(c, 29 * 60)
    assert c.post("/account/alive/").status_code == 200
    assert c.session["escalade_active_at"] > time.time() - 5


def test_tokens_are_not_sessions(api, settings):
    settings.ESCALADE_IDLE_MINUTES = 1
    assert api("level1_agent").get("/api/me").status_code == 200
