"""The codes of the mailboxes' errors and rejection reasons (beside core.errors.Code)."""

from enum import StrEnum


class MailError(StrEnum):
    MALFORMED = "malformed"  # not readable as an e-mail
    NOT_TAKEN = "not_taken"  # the intake refused what the message gave
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    DANGEROUS_ATTACHMENT = "dangerous_attachment"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    NO_HANDLER = "no_handler"  # a rule names a handler no app registered
    NO_PASSWORD = "no_mailbox_password"  # the environment holds no password for it
    NOT_IMAP = "not_imap"  # a gateway-only mailbox has nothing to fetch
    UNREACHABLE = "mailbox_unreachable"  # the IMAP server refused or did not answer
    NOT_AUTHENTICATED = "not_authenticated"  # a rule wants its sender's domain's signature
    NOT_REJECTED = "not_rejected"  # only a rejected message is taken again
