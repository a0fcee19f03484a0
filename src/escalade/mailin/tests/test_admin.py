"""The admin lists the rejected messages with their reason and takes them again."""

import pytest

from escalade.accounts.choices import Role
from escalade.incidents.models import Incident
from escalade.mailin import services
from escalade.mailin.models import Mailbox, Message

pytestmark = pytest.mark.django_db


def test_the_admin_lists_rejected_messages_and_takes_one_again(
    client, cusm, make_user, make_mail, settings
):
    admin = make_user(Role.MANAGER, [cusm], username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    box = Mailbox.objects.select_related("institution").get(code="cct")
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1000
    rejected = services.receive(
        box,
        make_mail(
            subject="Scan du formulaire",
            attachments=[("scan.pdf", b"%PDF" + b"x" * 5000, "application/pdf")],
        ),
        via="smtp",
    )
    page = client.get("/admin/mailin/message/?state=rejected").content.decode()
    assert "Scan du formulaire" in page and "attachment_too_large" in page
    assert "x" * 100 not in page  # neither the raw message nor its text
    settings.ESCALADE_MAIL_ATTACHMENT_MAX_BYTES = 1_000_000
    r = client.post(
        "/admin/mailin/message/",
        {"action": "take_again", "_selected_action": [rejected.pk]},
    )
    assert r.status_code == 302
    assert Incident.objects.get().summary == "Scan du formulaire"
    assert not Message.objects.filter(state="rejected").exists()
    assert client.get(f"/admin/mailin/mailbox/{box.pk}/change/").status_code == 200
