from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles (groups), memberships, tokens. The groups are made by ensure_roles(),
    which the incidents app runs after its permissions exist (post_migrate) and the pack
    loader runs before loading."""

    name = "escalade.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from escalade.core import idempotency, packs

        from . import services

        packs.before_loading(services.ensure_roles)
        idempotency.identify_with(services.user_from_token, services.institution_ids_of)
