from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from escalade.core.models import Institution

from . import services
from .services import remind_reviews as remind


@task()
def remind_reviews() -> int:
    """The daily reminder of runbooks whose review falls due."""
    return remind(timezone.localdate())


@task()
def receive_alerts(actor_id: int, institution_id: int, alerts: list, group_key: str) -> dict:
    """A large Alertmanager call, taken in the background (the webhook answered 202): the
    same work as a small call, each alert by its fingerprint (a retry folds, never
    doubles), the token's owner as actor."""
    actor = get_user_model().objects.get(pk=actor_id)
    institution = Institution.objects.get(pk=institution_id)
    return services.receive_alerts(actor, institution, alerts, group_key)


@task()
def check_units(outage_id: int, phase: str) -> int:
    """The units still silent after the runbook's delay: their leads are paged."""
    return services.check_units(outage_id, phase)
