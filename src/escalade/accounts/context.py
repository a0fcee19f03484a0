"""Template context shared by every page: the user's roles and institutions."""

from django.conf import settings

from .choices import Role
from .services import institutions_of, roles_of


def escalade_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    from escalade.notifications.services import unread_count

    return {
        "unread_notifications": unread_count(user),
        "my_roles": [Role(r).label for r in roles if r in Role.values],
        "my_institutions": list(institutions_of(user)),
        "idle_seconds": int(settings.ESCALADE_IDLE_MINUTES * 60),
        "idle_warning": settings.ESCALADE_IDLE_WARNING_SECONDS,
    }
