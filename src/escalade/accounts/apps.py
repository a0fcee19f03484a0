from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from .services import ensure_roles

    ensure_roles()


class AccountsConfig(AppConfig):
    name = "escalade.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        post_migrate.connect(_ensure_roles, sender=self)
