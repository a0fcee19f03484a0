import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from escalade.accounts.choices import Role
from escalade.accounts.models import Membership
from escalade.accounts.services import create_user
from escalade.core.models import Institution
from escalade.incidents.models import SymptomCategory

DEMO_USERS = [
    ("agent", Role.LEVEL1_AGENT),
    ("analyst", Role.LEVEL2_ANALYST),
    ("coordinator", Role.LEVEL3_COORDINATOR),
    ("tech", Role.TELEHEALTH_TECHNICIAN),
    ("chieftech", Role.CHIEF_TELEHEALTH_TECHNICIAN),
    ("ittech", Role.IT_TECHNICIAN),
    ("eventcoord", Role.EVENT_COORDINATOR),
    ("clincoord", Role.CLINICAL_COORDINATOR),
    ("manager", Role.MANAGER),
    ("requester", Role.REQUESTER),
]


def _create(username: str, hashed: str, **fields):
    """A demo user with the demo password's hash, made once for all of them: hashing costs
    0.3 s (PBKDF2), 4 s of `make run` for 12 users; the demo accounts share a password
    that this command prints anyway."""
    with transaction.atomic():
        user = create_user(username, password=None, **fields)
        user.password = hashed
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create one demo user per role in every loaded institution (only those missing) and print the logins."

    def handle(self, **options):
        password = os.environ.get("ESCALADE_DEMO_PASSWORD", "escalade-demo")
        hashed = make_password(password)

        # Users land in the first: one whose pack takes calls (it has symptoms to choose),
        # the first loaded (`make run` loads the telehealth centre's pack first).
        takes_calls = set(SymptomCategory.objects.values_list("institution_id", flat=True))
        institutions = sorted(
            Institution.objects.all(), key=lambda i: (i.pk not in takes_calls, i.pk)
        )
        User = get_user_model()
        created = 0
        for username, role in DEMO_USERS:
            if not User.objects.filter(username=username).exists():
                _create(username, hashed, roles=[role], institutions=institutions)
                created += 1
        if not User.objects.filter(username="admin").exists():
            _create(
                "admin",
                hashed,
                roles=[Role.MANAGER],
                institutions=institutions,
                is_staff=True,
                is_superuser=True,
            )
            created += 1

        for user in User.objects.filter(username__in=[u for u, _r in DEMO_USERS] + ["admin"]):
            for inst in institutions:
                Membership.objects.get_or_create(user=user, institution=inst)
            if institutions and not Membership.objects.filter(user=user, is_default=True).exists():
                Membership.objects.filter(user=user, institution=institutions[0]).update(
                    is_default=True
                )
        # seed 002: the person designated for personal health information of the North
        # Regional Hospital (organisations.yaml), who opens its sealed reports
        if not User.objects.filter(username="designee").exists():
            _create(
                "designee",
                hashed,
                roles=[Role.CLINICAL_COORDINATOR],
                institutions=institutions,
                email="n.roy@hopital-nord.example.org",
                first_name="Nadia",
                last_name="Roy",
            )
            created += 1
        # one language throughout: the product's (the roles' names are translated)
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(
                _("demo users: %(n)s created; password for each: %(password)s")
                % {"n": created, "password": password}
            )
            for username, role in DEMO_USERS:
                self.stdout.write(f"  {username:<12} {role.label}")
            self.stdout.write(
                f"  {'designee':<12} " + _("designated person (North Regional Hospital)")
            )
            self.stdout.write(f"  {'admin':<12} " + _("administrator"))
