"""How the incidents' audit actions read on the timeline (registered in core.timeline by
the app's ready())."""

from __future__ import annotations

from django.utils.translation import gettext as _

from escalade.accounts.choices import Role
from escalade.core.choices import AuditAction
from escalade.core.i18n import pick
from escalade.core.timeline import label, register

from .choices import Channel, PartnerKind, PatientSafety, Severity


def _created(ev):
    data = ev.data or {}
    return [
        _("Logged by %(channel)s, priority %(priority)s.")
        % {"channel": label(Channel, data.get("channel")), "priority": data.get("priority")}
    ]


def _classified(ev):
    return [pick((ev.data or {}).get("reason"))]


def _reclassified(ev):
    if "symptom" in (ev.data or {}):  # level 1 chose the symptom of an e-mail
        before, after = (ev.changes or {}).get("symptom", [None, None])
        return [_("Symptom chosen: %(before)s → %(after)s") % {"before": before, "after": after}]
    before, after = (ev.changes or {}).get("severity", [None, None])
    return [
        _("%(before)s → %(after)s: %(reason)s")
        % {
            "before": label(Severity, before),
            "after": label(Severity, after),
            "reason": (ev.data or {}).get("reason", ""),
        }
    ]


def _escalated(ev):
    data = ev.data or {}
    lines = [
        _("Level %(from)s → level %(to)s: %(reason)s")
        % {
            "from": data.get("from_level"),
            "to": data.get("to_level"),
            "reason": data.get("reason", ""),
        }
    ]
    if data.get("partner"):
        lines.append(
            _("Partner: %(partner)s %(kind)s, reference %(ref)s")
            % {
                "partner": data["partner"],
                "kind": label(PartnerKind, data.get("partner_kind")),
                "ref": data.get("external_ref") or "—",
            }
        )
    return lines


def _assigned(ev):
    data = ev.data or {}
    return [
        _("%(role)s: %(user)s")
        % {
            "role": dict(Role.choices).get(data.get("role"), data.get("role")),
            "user": data.get("user") or _("nobody holds this role yet"),
        }
    ]


def _priority(ev):
    before, after = (ev.changes or {}).get("priority", ["?", "?"])
    return [
        _("Priority %(before)s → %(after)s: %(reason)s")
        % {"before": before, "after": after, "reason": (ev.data or {}).get("reason", "")}
    ]


def _patient_safety(ev):
    data = ev.data or {}
    return [
        label(PatientSafety, data.get("patient_safety")),
        data.get("note", ""),
        _("The manager was told; the incident declaration is prepared."),
    ]


def _note(ev):
    data = ev.data or {}
    if data.get("by_requester"):
        return [
            _("The requester wrote (e-mail from %(sender)s):") % {"sender": data["by_requester"]},
            data.get("text", ""),
        ]
    if data.get("to_requester"):
        return [data.get("text", ""), _("Sent to the requester by e-mail.")]
    return [data.get("text", "")]


def _notified(ev):
    data = ev.data or {}
    users, mailed = data.get("users", []), data.get("mailed")
    people = ", ".join(users) or "—"
    if mailed is None or set(mailed) >= set(users):  # recorded before "mailed", or all were
        return [_("Told (in-app and e-mail): %(people)s") % {"people": people}]
    if not mailed:
        return [_("Told in the application (no e-mail address): %(people)s") % {"people": people}]
    return [
        _("Told in the application: %(people)s; by e-mail too: %(mailed)s")
        % {"people": people, "mailed": ", ".join(mailed)}
    ]


def register_all() -> None:
    register(AuditAction.CREATED, _created)
    register(AuditAction.CLASSIFIED, _classified)
    register(AuditAction.RECLASSIFIED, _reclassified)
    register(AuditAction.ESCALATED, _escalated)
    register(AuditAction.ASSIGNED, _assigned)
    register(
        AuditAction.TICKET_OPENED,
        lambda ev: [_("Ticket %(number)s") % {"number": (ev.data or {}).get("ticket")}],
    )
    register(
        AuditAction.SHEET_RECORDED,
        lambda ev: [_("Session %(session)s") % {"session": (ev.data or {}).get("session") or "—"}],
    )
    register(AuditAction.PRIORITY_CHANGED, _priority)
    register(AuditAction.NOTE_ADDED, _note)
    register(
        AuditAction.RESOLVED, lambda ev: [((ev.changes or {}).get("resolution", ["", ""])[1] or "")]
    )
    register(AuditAction.REOPENED, lambda ev: [(ev.data or {}).get("reason", "")])
    register(AuditAction.PATIENT_SAFETY, _patient_safety)
    register(AuditAction.NOTIFIED, _notified)
    register(
        AuditAction.ATTACHMENT_DOWNLOADED,
        lambda ev: [(ev.data or {}).get("filename", "")],
    )
    register(
        AuditAction.ATTACHED,
        lambda ev: [
            _("One of the calls of %(parent)s.") % {"parent": (ev.data or {}).get("parent")}
        ],
    )
    register(AuditAction.DETACHED, _detached)
    register(AuditAction.INCIDENT_MERGED, _merged)
    register(AuditAction.REQUESTER_TOLD, _told)


def _detached(ev):
    data = ev.data or {}
    return [
        _("No longer one of the calls of %(parent)s: %(reason)s")
        % {"parent": data.get("parent"), "reason": data.get("reason", "")}
    ]


def _merged(ev):
    data = ev.data or {}
    return [
        _("%(merged)s merged into %(kept)s (%(notes)s notes moved).")
        % {"merged": data.get("merged"), "kept": data.get("kept"), "notes": data.get("notes", 0)}
    ]


def _told(ev):
    data = ev.data or {}
    how = _("by e-mail") if data.get("by") == "email" else _("called back by phone")
    return [_("The requester was told of the resolution, %(how)s.") % {"how": how}]
