"""Announcing a notice: the organisations' contacts told by e-mail in their language,
and the feeds."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.catalog.models import Contact
from escalade.core.i18n import in_language, pick
from escalade.notifications import services as notify

from ..models import Notice, NoticeUpdate
from .common import when

# -- announcing -----------------------------------------------------------------

SUBJECTS = {
    "published": gettext_lazy("[Service notice] %(kind)s: %(title)s"),
    "updated": gettext_lazy("[Service notice, update] %(title)s"),
    "resolved": gettext_lazy("[Service notice, resolved] %(title)s"),
    "cancelled": gettext_lazy("[Service notice, cancelled] %(title)s"),
}


def render_mail(notice: Notice, what: str, update: NoticeUpdate | None = None) -> tuple[str, str]:
    """Subject and body of an announcement, in the active language."""
    zone = notice.institution.zone
    lines = [
        pick(notice.title),
        "",
        f"{_('Kind')}: {notice.get_kind_display()}",
        f"{_('Start')}: {when(notice.start, zone)}",
        f"{_('End')}: {when(notice.end, zone)}",
    ]
    if notice.services:
        lines.append(f"{_('Affected services')}: {', '.join(notice.services)}")
    orgs = ", ".join(str(o) for o in notice.organisations.all())
    if orgs:
        lines.append(f"{_('Organisations')}: {orgs}")
    for label, field in ((_("Impact"), "impact"), (_("What users should do"), "user_action")):
        if pick(getattr(notice, field)):
            lines += ["", f"{label}:", pick(getattr(notice, field))]
    if pick(notice.body):
        lines += ["", pick(notice.body)]
    if update is not None:
        lines += ["", f"{_('Update')} ({when(update.created_at, zone)}):", pick(update.body)]
    if what in ("resolved", "cancelled") and pick(notice.resolution):
        lines += ["", f"{_('Resolution')}:", pick(notice.resolution)]
    lines += [
        "",
        _("Pass this notice on to your users."),
        f"{settings.ESCALADE_BASE_URL}/notices/{notice.pk}/",
    ]
    subject = str(SUBJECTS[what]) % {
        "kind": notice.get_kind_display(),
        "title": pick(notice.title),
    }
    return subject, "\n".join(lines) + "\n"


def announce(notice: Notice, what: str, update: NoticeUpdate | None = None) -> int:
    """E-mail the designated contacts of the affected organisations (one e-mail per
    address, in the contact's language), tell signed-in members in-app, and emit the
    webhook event. Called inside the publishing transaction: sent after commit."""

    contacts = Contact.objects.filter(
        organisation__in=notice.organisations.all(), active=True
    ).exclude(email="")
    seen = set()
    for contact in contacts.order_by("pk"):
        if contact.email.lower() in seen:
            continue
        seen.add(contact.email.lower())
        with in_language(contact.language):
            subject, body = render_mail(notice, what, update)
        notify.send_mail([contact.email], subject, body)
    members = {u for o in notice.organisations.all() for u in o.members.filter(is_active=True)}
    notify.to_users(
        sorted(members, key=lambda u: u.pk),
        kind=f"notice_{what}",
        params={"title": pick(notice.title)},
        link=f"/notices/{notice.pk}/",
    )
    notify.emit(
        notice.institution,
        f"notice.{what}",
        {"id": notice.pk, "kind": notice.kind, "title": notice.title, "state": notice.state},
    )
    return len(seen)
