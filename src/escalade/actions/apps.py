from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "escalade.actions"
    label = "actions"
    verbose_name = _("Action items")

    def ready(self):
        from . import timeline

        timeline.register_all()
