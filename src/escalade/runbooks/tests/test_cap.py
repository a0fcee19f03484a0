"""Every broadcast is a valid OASIS CAP 1.2 document (checked against the OASIS schema),
and the Atom feed lists them with a link to each; no sign-in for either."""

from pathlib import Path

import feedparser
import pytest
from django.test import Client
from lxml import etree

from escalade.runbooks import services
from escalade.runbooks.tests.factories import outage as activate

pytestmark = pytest.mark.django_db
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "CAP-v1.2.xsd")))
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def test_every_broadcast_of_an_outage_is_valid_cap_1_2(pau, crew):
    outage = activate(crew["it_technician"], pau, "case4_ris_pacs")
    anonymous = Client()
    warnings = {
        b.pk: anonymous.get(f"/api/broadcasts/{b.public_id}.cap") for b in outage.broadcasts.all()
    }
    services.restore(crew["it_technician"], outage)
    rows = list(outage.broadcasts.all())
    assert len(rows) == 4  # two warnings, then two pieces of information
    for b in rows:
        r = warnings.get(b.pk) or anonymous.get(f"/api/broadcasts/{b.public_id}.cap")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/cap+xml")
        doc = etree.fromstring(r.content)
        SCHEMA.assertValid(doc)
        infos = doc.findall("cap:info", CAP)
        assert [i.findtext("cap:language", namespaces=CAP) for i in infos] == ["fr-FR", "en"]  # Pau
        assert infos[0].findtext("cap:headline", namespaces=CAP) == b.title["fr"]
        assert doc.findtext("cap:sent", namespaces=CAP).endswith("+01:00")  # Paris, winter
        urgency = infos[0].findtext("cap:urgency", namespaces=CAP)
        assert urgency == ("Immediate" if b.kind == "warning" else "Past")
        assert doc.find("cap:incidents", CAP) is None  # no internal number
        assert outage.incident.number.encode() not in r.content
        if b.kind == "warning":
            assert doc.findtext("cap:msgType", namespaces=CAP) == "Alert"
        else:  # the end updates the warnings, naming each (sender,identifier,sent)
            assert doc.findtext("cap:msgType", namespaces=CAP) == "Update"
            refs = doc.findtext("cap:references", namespaces=CAP).split()
            assert len(refs) == 2 and all(r.count(",") == 2 for r in refs)
            assert all(
                r.startswith("escalade@ch-pau-imaging,escalade.ch-pau-imaging.") for r in refs
            )
    assert anonymous.get("/api/broadcasts/999999.cap").status_code == 404
    # an ended warning is no longer served
    ended = next(b for b in rows if b.kind == "warning")
    assert anonymous.get(f"/api/broadcasts/{ended.public_id}.cap").status_code == 404


def test_the_atom_feed_links_each_cap_document(pau, crew):
    outage = activate(crew["it_technician"], pau)
    reader = Client(HTTP_ACCEPT_LANGUAGE="fr")
    feed = feedparser.parse(reader.get("/feeds/broadcasts.atom", {"host": "MRADI001"}).content)
    (entry,) = feed.entries
    assert entry.title == "PACS en panne"
    assert entry.link.endswith(f"/api/broadcasts/{outage.broadcasts.get().public_id}.cap")
    assert reader.get("/feeds/broadcasts.atom").status_code == 400  # which workstation?
