"""Factories for the mailboxes: a message as a mail program writes it, for the receiving
services (mailin.services.receive) and the IMAP collector."""

import email.utils
from email.message import EmailMessage


def mail(
    subject="La caméra ne fonctionne plus",
    body="Bonjour,\n\nLa caméra de la salle 3 ne fonctionne plus.\n\nMerci\nMarie",
    sender="Marie Tremblay <marie.tremblay@hopital.example.org>",
    to="cct.telesante@cusm.example.org",
    html=None,
    attachments=(),
    msgid=None,
    **headers,
) -> bytes:
    """A message as a mail program writes it (UTF-8, RFC 2047 subjects)."""
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = email.utils.formatdate()
    m["Message-ID"] = msgid or email.utils.make_msgid(domain="hopital.example.org")
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    if html is not None and body is None:
        m.set_content(html, subtype="html")
    else:
        m.set_content(body)
        if html is not None:
            m.add_alternative(html, subtype="html")
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m.as_bytes()
