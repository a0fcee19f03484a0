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


def sign_in(page, base_url: str, username: str, lang: str = "en") -> None:
    """Sign in through the login page, in `lang` (the demo password of every test user)."""
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": base_url}])
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-Escalade-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/incidents/"))
