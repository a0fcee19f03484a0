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
        from django.contrib.auth import signals

        from escalade.core import idempotency, packs

        from . import services
        from .services import directory, signins

        packs.before_loading(services.ensure_roles)
        idempotency.identify_with(services.user_from_token, services.institution_ids_of)
        directory.register()
        signals.user_logged_in.connect(signins.signed_in, dispatch_uid="escalade-signed-in")
        signals.user_logged_out.connect(signins.signed_out, dispatch_uid="escalade-signed-out")
        signals.user_login_failed.connect(signins.refused, dispatch_uid="escalade-refused")
