"""Choices of the mailboxes: how they are reached, what became of a message."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    SSL = "ssl", _("IMAP over TLS (port 993)")
    STARTTLS = "starttls", _("IMAP with STARTTLS")
    NONE = "none", _("Unencrypted IMAP (a local server only)")


class OnClosed(models.TextChoices):
    """What a reply to a resolved or closed incident does (the pack says)."""

    REOPEN = "reopen", _("Reopen the incident")
    NEW = "new", _("Open a new incident linked to it")


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class Via(models.TextChoices):
    IMAP = "imap", _("IMAP collector")
    SMTP = "smtp", _("Mail gateway")
    ESCALADE = "escalade", _("Escalade")


class State(models.TextChoices):
    OPENED = "opened", _("Opened an incident")
    THREADED = "threaded", _("Added to an incident")
    ROUTED = "routed", _("Taken by a handler")
    DROPPED = "dropped", _("Dropped by a rule")
    IGNORED = "ignored", _("Automatic reply: ignored")
    REJECTED = "rejected", _("Rejected")
    HELD = "held", _("Held: not authenticated")
    SENT = "sent", _("Sent")

    @classmethod
    def tones(cls) -> dict:
        """The colour of each value's badge ({% badge %})."""
        return {
            cls.OPENED: "minor",
            cls.THREADED: "minor",
            cls.ROUTED: "minor",
            cls.DROPPED: "status",
            cls.IGNORED: "status",
            cls.REJECTED: "major",
            cls.HELD: "warn",
            cls.SENT: "status",
        }


class Kind(models.TextChoices):
    """What a message Escalade sent was."""

    ACKNOWLEDGMENT = "ack", _("Acknowledgment")
    NOTE = "note", _("Note to the requester")
    REFUSAL = "refusal", _("Refusal")
    REQUEST = "request", _("Request")
