"""Broadcasts as OASIS Common Alerting Protocol 1.2 documents, and the Atom feed that
indexes them (the way CAP publishers list their alerts), so that desktop notifiers and
alerting systems can take Escalade's broadcasts as they are."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .choices import BroadcastKind
from .models import Broadcast

NS = "urn:oasis:names:tc:emergency:cap:1.2"


def _time(value: dt.datetime, zone) -> str:
    """CAP's time: seconds and a numeric offset, never Z (2026-12-08T10:00:00+01:00)."""
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def identifier(b: Broadcast) -> str:
    """The broadcast's CAP identifier: unique per institution and broadcast (its public
    id, never the sequential number)."""
    return f"escalade.{b.institution.code}.broadcast.{b.public_id}"


def document(b: Broadcast) -> bytes:
    """One broadcast as a CAP 1.2 alert: restricted to its group of workstations, one
    `info` per language, a warning Immediate and Moderate, information Past and Minor."""
    institution = b.institution
    zone = institution.zone
    ET.register_namespace("", NS)

    def add(parent, name, text=None):
        node = ET.SubElement(parent, f"{{{NS}}}{name}")
        if text is not None:
            node.text = str(text)
        return node

    alert = ET.Element(f"{{{NS}}}alert")
    add(alert, "identifier", identifier(b))
    add(alert, "sender", f"escalade@{institution.code}")
    add(alert, "sent", _time(b.starts_at, zone))
    add(alert, "status", "Actual")
    # the information that it is back updates the outage's warnings (CAP `Update`)
    warnings = (
        list(Broadcast.objects.filter(outage_id=b.outage_id, kind=BroadcastKind.WARNING))
        if b.outage_id and b.kind != BroadcastKind.WARNING
        else []
    )
    add(alert, "msgType", "Update" if warnings else "Alert")
    add(alert, "scope", "Restricted")
    labels = b.group_label or {}
    add(alert, "restriction", labels.get("en") or labels.get("fr") or b.group)
    if warnings:
        add(
            alert,
            "references",
            " ".join(
                f"escalade@{institution.code},{identifier(w)},{_time(w.starts_at, zone)}"
                for w in warnings
            ),
        )
    warning = b.kind == BroadcastKind.WARNING
    for lang in ("fr", "en"):
        if not (b.title or {}).get(lang):
            continue
        info = add(alert, "info")
        add(info, "language", institution.language_tag(lang))
        add(info, "category", "Infra")
        add(info, "event", b.title[lang])
        add(info, "urgency", "Immediate" if warning else "Past")
        add(info, "severity", "Moderate" if warning else "Minor")
        add(info, "certainty", "Observed")
        add(info, "effective", _time(b.starts_at, zone))
        if b.ends_at:
            add(info, "expires", _time(b.ends_at, zone))
        add(info, "senderName", (institution.name or {}).get(lang) or institution.code)
        add(info, "headline", b.title[lang])
        add(info, "description", (b.message or {}).get(lang, ""))
        area = add(info, "area")
        add(area, "areaDesc", labels.get(lang) or b.group)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def atom(rows: list[Broadcast], base_url: str, language: str) -> bytes:
    """The Atom feed of these broadcasts, each entry pointing to its CAP document."""
    feed = Atom1Feed(
        title=str(_("Escalade broadcasts")),
        link=f"{base_url}/feeds/broadcasts.atom",
        description="",
        language=language,
        feed_url=f"{base_url}/feeds/broadcasts.atom",
    )
    for b in rows:
        feed.add_item(
            title=(b.title or {}).get(language) or (b.title or {}).get("fr", ""),
            link=f"{base_url}/api/broadcasts/{b.public_id}.cap",
            description=(b.message or {}).get(language) or (b.message or {}).get("fr", ""),
            unique_id=identifier(b),
            pubdate=b.starts_at,
            updateddate=b.starts_at,
            categories=[b.kind, b.group],
            enclosures=[],
        )
    return feed.writeString("utf-8").encode()
