from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _ensure_schedules(sender, **kwargs):
    from .scheduler import ensure_schedules

    ensure_schedules()


class CoreConfig(AppConfig):
    name = "escalade.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from . import retention

        post_migrate.connect(_ensure_schedules, sender=self)
        retention.declare()
        # every app's events.py: each event is declared (core/events.py) before any runs
        autodiscover_modules("events")
