"""SMS through Kannel: a page handed to the gateway's sendsms (retried, then failed),
and the replies its smsbox passes on ("OK 482913")."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from escalade.accounts.services import language_of
from escalade.core.i18n import pick

from ..choices import PageChannel, PageState
from ..models import Page
from .paging import acknowledge

# -- SMS through Kannel ---------------------------------------------------------------

SMS_TEXT = gettext_lazy(
    "Escalade: incident %(number)s, %(summary)s. Reply OK %(code)s to acknowledge."
)
SMS_DONE = gettext_lazy("Escalade: incident %(number)s acknowledged. Thank you.")
UNIT_SMS_DONE = gettext_lazy("Escalade: %(unit)s confirmed. Thank you.")
SMS_UNKNOWN = gettext_lazy("Escalade: this code is not a page waiting for you.")
SMS_RETRIES = 5
UNIT_SMS = {
    "degraded": gettext_lazy(
        "Escalade: %(unit)s has not confirmed it works on paper (outage #%(outage)s). "
        "Reply OK %(code)s once it has."
    ),
    "normal": gettext_lazy(
        "Escalade: %(unit)s has not confirmed it is back to normal work (outage "
        "#%(outage)s). Reply OK %(code)s once it is."
    ),
}


def sms_text(page: Page) -> str:
    """The page's SMS in its reader's language, short: the summary cut so that the whole
    holds in 160 characters (sent as UCS-2 for the accents: the gateway splits it)."""
    incident = page.paging.incident
    language = language_of(page.user)
    if page.paging.unit_id:
        unit = page.paging.unit
        with translation.override(language):
            return str(UNIT_SMS[unit.phase]) % {
                "unit": pick(unit.unit.label, language[:2]),
                "outage": unit.outage_id,
                "code": page.code,
            }
    with translation.override(language):
        params = {"number": incident.number, "summary": "", "code": page.code}
        room = 160 - len(str(SMS_TEXT) % params)
        summary = (
            incident.summary
            if len(incident.summary) <= room
            else incident.summary[: max(room - 1, 0)] + "…"
        )
        return str(SMS_TEXT) % {**params, "summary": summary}


def send_sms(page_id: int) -> str:
    """Hand a page's SMS to Kannel's sendsms (a worker; retried with backoff when the
    gateway refuses or is down, then failed). Accepted once: a second run sends nothing."""
    page = (
        Page.objects.select_related("paging__incident__institution", "paging__unit__unit", "user")
        .filter(pk=page_id, channel=PageChannel.SMS)
        .first()
    )
    if page is None or page.accepted_at or page.state != PageState.SENT:
        return "nothing to send"
    query = urllib.parse.urlencode(
        {
            "username": settings.ESCALADE_SMS_USER,
            "password": settings.ESCALADE_SMS_PASSWORD,
            "from": settings.ESCALADE_SMS_FROM,
            "to": re.sub(r"[^\d+]", "", page.phone),
            "text": sms_text(page),
            "charset": "UTF-8",
            "coding": "2",
        }
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - the configured gateway
            f"{settings.ESCALADE_SMS_SENDSMS_URL}?{query}", timeout=5
        ) as answer:
            body = answer.read(300).decode("utf-8", "replace")
            # "0: Accepted for delivery", or "3: Queued for later delivery" (no SMS
            # centre connected now): the gateway has it either way
            error = "" if answer.status in (200, 202) and body.startswith(("0:", "3:")) else body
    except (urllib.error.URLError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        row = Page.objects.select_for_update().get(pk=page.pk)
        row.attempts += 1
        if not error:
            row.accepted_at, row.last_error = timezone.now(), ""
        else:
            row.last_error = error[:300]
            if row.attempts >= SMS_RETRIES:
                row.state = PageState.FAILED
            else:
                from ..tasks import send_sms as task  # noqa: PLC0415 (cycle: the task calls us)

                wait = dt.timedelta(seconds=10 * 2 ** (row.attempts - 1))
                task.using(run_after=timezone.now() + wait).enqueue(row.pk)
        row.save(update_fields=["attempts", "accepted_at", "last_error", "state"])
    return error or "accepted"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-10:]


def sms_reply(sender: str, text: str) -> str:
    """A reply Kannel received ("OK 482913"): it acknowledges the page of that code if it
    comes from the phone the page went to. Returns the answer to send back."""
    match = re.match(r"^\s*OK\s+(\d{6})\b", (text or "")[:500], re.IGNORECASE)
    page = None
    if match and sender:
        # codes are short: of the pages with this code, the newest sent to this phone
        pages = (
            Page.objects.select_related(
                "paging__incident__institution", "paging__unit__unit", "user"
            )
            .filter(code=match.group(1), channel=PageChannel.SMS)
            .order_by("-sent_at", "-id")[:20]
        )
        page = next((p for p in pages if _digits(p.phone) == _digits(sender)), None)
    if page is None:
        return str(SMS_UNKNOWN)
    acknowledge(None, page, via="sms")
    language = language_of(page.user)
    with translation.override(language):
        if page.paging.unit_id:
            return str(UNIT_SMS_DONE) % {"unit": pick(page.paging.unit.unit.label)}
        return str(SMS_DONE) % {"number": page.paging.incident.number}
