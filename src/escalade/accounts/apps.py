from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles (groups), memberships, tokens. The groups are made by ensure_roles(),
    which the incidents app runs after its permissions exist (post_migrate) and the pack
    loader runs before loading."""

    name = "escalade.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")
