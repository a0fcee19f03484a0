"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "en-CA"}


def sign_in(page, base_url: str, username: str, lang: str = "en", then: str = "/incidents/"):
    """Signed in as `username`, the interface in `lang`, on the page `then` (none: stay).

    The session is made as the sign-in page makes it, by Django's login() (its signal: the
    sign-in recorded, the last sign-in set), and its cookie is given to the browser: the
    page itself costs a test 0.7 s a sign-in. The sign-in page is driven in a browser by
    sign_in_by_keyboard (the level-1 agent's test), and by the idle, passkey, provider and
    directory tests."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from conftest import live_server_held

    client = Client()
    with live_server_held():  # its read and its writes on the live server's connection
        client.force_login(get_user_model().objects.get(username=username))
    session = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [
            {"name": session, "value": client.cookies[session].value, "url": base_url},
            {"name": "django_language", "value": lang, "url": base_url},
        ]
    )
    if then:
        page.goto(f"{base_url}{then}")


def sign_in_by_keyboard(page, base_url: str, username: str) -> None:
    """Sign in through the sign-in page as an agent does, by keyboard only: the name, Tab,
    the password (the demo password of every test user), Enter; the queue opens."""
    page.goto(f"{base_url}/login/")
    page.get_by_label(re.compile("Username|Nom d’utilisateur|Nom d'utilisateur")).fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type("pw-Escalade-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/"))
