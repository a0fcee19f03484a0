"""Mailboxes and the messages they received or sent (e-mail in, seeds 002-004)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.incidents.models import Incident
from escalade.notifications.models import OutgoingMail

from .choices import Direction, Kind, OnClosed, Security, State, Via


class Mailbox(models.Model):
    """A mailbox of an institution: how mail reaches it (an IMAP folder the collector
    reads, or the gateway that receives forwarded mail for its address) and what it does
    with what arrives (its rules, limits, acknowledgment)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    label = models.JSONField(_("name"), default=dict)
    address = models.EmailField(_("address"), unique=True)
    active = models.BooleanField(_("active"), default=True)
    # The IMAP collector (blank host: this mailbox is reached by the gateway only).
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_user = models.CharField(_("IMAP user"), max_length=200, blank=True)
    # The password never sits in the database or the pack: the name of the environment
    # variable that holds it.
    imap_password_env = models.CharField(_("password variable"), max_length=100, blank=True)
    folder = models.CharField(_("folder read"), max_length=200, default="INBOX")
    processed_folder = models.CharField(_("processed folder"), max_length=200, default="processed")
    rejected_folder = models.CharField(_("rejected folder"), max_length=200, default="rejected")
    gateway = models.BooleanField(_("accepts forwarded mail"), default=True)
    # What arrives
    max_bytes = models.PositiveIntegerField(_("largest message (bytes)"), default=10_000_000)
    acknowledge = models.BooleanField(_("acknowledge new requests"), default=True)
    on_closed = models.CharField(
        _("reply to a closed incident"),
        max_length=10,
        choices=OnClosed.choices,
        default=OnClosed.REOPEN,
    )
    requester_role = models.CharField(_("requester role"), max_length=30, default="staff")
    site = models.CharField(_("site when unknown"), max_length=200)
    unclassified_symptom = models.CharField(_("symptom to classify"), max_length=40)
    rules = models.JSONField(_("rules"), default=list, blank=True)
    # State of the collector
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    fetching_until = models.DateTimeField(null=True, blank=True)
    taken = models.PositiveIntegerField(_("messages taken"), default=0)
    rejected = models.PositiveIntegerField(_("messages rejected"), default=0)
    errors = models.PositiveIntegerField(_("fetch errors"), default=0)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["institution", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="mail_box_code"),
        ]

    def __str__(self) -> str:
        return f"{self.label_text} <{self.address}>"

    @property
    def label_text(self) -> str:
        """The mailbox's name in the reader's language."""
        return pick(self.label) or self.code

    @property
    def collects(self) -> bool:
        """Whether the IMAP collector reads this mailbox."""
        return bool(self.imap_host)


class Message(models.Model):
    """An e-mail a mailbox received, or one Escalade sent in an incident's thread. The
    Message-ID is the key: a message taken twice is the same row."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    message_id = models.CharField(_("Message-ID"), max_length=998)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    # whether it comes from its From domain (mailin/authenticity.py): pass, fail, none
    authentication = models.CharField(_("authentication"), max_length=4, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    # The original, kept to take a rejected message again (and for the record).
    raw = models.BinaryField(blank=True, default=b"", editable=False)
    outgoing = models.ForeignKey(
        OutgoingMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "direction", "message_id"], name="mail_msg_once"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="mail_msg_direction"
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "at"], name="mail_msg_thread"),
            models.Index(fields=["institution", "state", "at"], name="mail_msg_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.subject[:60]} ({self.get_state_display()})"


class Attachment(models.Model):
    """A file that came with a message, stored with its incident."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField(editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} B)"
