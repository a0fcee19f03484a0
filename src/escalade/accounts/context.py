"""Template context shared by every page: the user's roles and institutions."""

from django.conf import settings

from .choices import Role
from .services import institutions_of, otp, roles_at, roles_of, working_institution


def escalade_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mine = list(institutions_of(user))
    # the header names the institution of the page's data; pages without one (the
    # inbox, the catalogue) show the one the user works in now, and the roles held there
    here = working_institution(request, mine)
    roles = roles_at(user, here) if here is not None else roles_of(user)
    return {
        "my_roles": [Role(r).label for r in sorted(roles) if r in Role.values],
        "my_institutions": mine,
        "header_institution": here,
        # a second factor is set up here for local accounts; a directory's is its own
        "local_account": otp.is_local(user),
        "idle_seconds": int(settings.ESCALADE_IDLE_MINUTES * 60),
        "idle_warning": settings.ESCALADE_IDLE_WARNING_SECONDS,
    }
