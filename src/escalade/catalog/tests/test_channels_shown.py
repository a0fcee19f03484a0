"""A provider's channels as people use them on every page that lists them: a phone to
tap, written as the institution's country writes it, with its extension; an address to
write to; a portal to open."""

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from conftest import pack_institution

pytestmark = pytest.mark.django_db

TAG = Template("{% load escalade %}{% channel_value c %}")


def shown(channel, institution=None) -> str:
    with translation.override("fr-ca"):
        return TAG.render(Context({"c": channel, "institution": institution}))


def test_each_kind_is_shown_as_it_is_used():
    pau, ciusss = pack_institution("ch-pau-imaging"), pack_institution("ciusss-emtl")
    vendor = {"kind": "phone", "value": "+33153622400", "extension": ""}
    assert shown(vendor, pau) == '<a href="tel:+33153622400">01 53 62 24 00</a>'
    desk = {"kind": "phone", "value": "514 251-4000", "extension": "5656"}
    assert shown(desk, ciusss) == '<a href="tel:+15142514000;ext=5656">514 251-4000 poste 5656</a>'
    mail = {"kind": "email", "value": "pau@imadis.fr"}
    assert shown(mail) == '<a href="mailto:pau@imadis.fr">pau@imadis.fr</a>'
    portal = {"kind": "portal", "value": "https://eservice.philips.com"}
    assert (
        shown(portal) == '<a href="https://eservice.philips.com">https://eservice.philips.com</a>'
    )
    # not an address to open: shown as text, never a link
    assert shown({"kind": "web", "value": "javascript:alert(1)"}) == "javascript:alert(1)"
    assert shown({"kind": "person", "value": "IT hotline"}) == "IT hotline"
    assert shown({"kind": "phone", "value": "the switchboard"}, pau) == "the switchboard"


def test_the_catalogue_links_them(make_user):
    pau = pack_institution("ch-pau-imaging")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(make_user("manager", [pau]))
    html = client.get("/catalogue/").content.decode()
    article = html[html.index('id="provider-nicesoft"') :]
    assert '<a href="tel:+33153622400">01 53 62 24 00</a>' in article[: article.index("</article>")]
    assert '<a href="mailto:support@nicesoft.fr">' in article
