from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "escalade.mailin"
    label = "mailin"
    verbose_name = _("E-mail in")

    def ready(self):
        from . import pack

        pack.register()
