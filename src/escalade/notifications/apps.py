from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "escalade.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from escalade.core import events

        from . import services

        events.subscribe_all(services.event_to_webhooks)
