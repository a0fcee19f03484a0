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

    mine = list(institutions_of(user))
    return {
        "unread_notifications": unread_count(user),
        "my_roles": [Role(r).label for r in roles if r in Role.values],
        "my_institutions": mine,
        # the header names the institution of the page's data; pages without one (the
        # inbox, the catalogue) show the one the user works in now
        "header_institution": _working_in(request, user, mine),
        "idle_seconds": int(settings.ESCALADE_IDLE_MINUTES * 60),
        "idle_warning": settings.ESCALADE_IDLE_WARNING_SECONDS,
    }


def _working_in(request, user, mine):
    code = request.session.get("institution") if hasattr(request, "session") else None
    for inst in mine:
        if inst.code == code:
            return inst
    from .models import Membership

    default = Membership.objects.filter(user=user, is_default=True).values_list(
        "institution_id", flat=True
    )
    ids = set(default)
    return next((i for i in mine if i.pk in ids), mine[0] if mine else None)
