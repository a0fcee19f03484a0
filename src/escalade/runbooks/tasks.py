from django.utils import timezone
from django_tasks import task

from .services import remind_reviews as remind


@task()
def remind_reviews() -> int:
    """The daily reminder of runbooks whose review falls due."""
    return remind(timezone.localdate())
