"""The application's icon: in every page's head, and where browsers ask for it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_favicon_is_served_and_named_by_every_page(staff):
    client = Client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith(".svg")
    client.force_login(staff["level1_agent"])
    html = client.get("/incidents/").content.decode()
    assert '<link rel="icon" href="/static/escalade/favicon' in html
    login = Client().get("/login/").content.decode()
    assert 'rel="icon"' in login
