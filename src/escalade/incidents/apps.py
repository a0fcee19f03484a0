from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs):
    from escalade.accounts.services import ensure_roles

    ensure_roles()


def _ensure_search_index(sender, using="default", **kwargs):
    from django.db import connections

    from .search import ensure_index

    ensure_index(connections[using])


class IncidentsConfig(AppConfig):
    name = "escalade.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from . import pack, timeline

        pack.register()
        timeline.register_all()
        # Roles get the incident permissions once they exist.
        post_migrate.connect(_ensure_roles, sender=self)
        post_migrate.connect(_ensure_search_index, sender=self)
