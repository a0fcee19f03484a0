"""The banner of current broadcasts on every page (seed 004: « L'informatique diffusera
le message suivant »): Escalade's pages are workstations too."""

from escalade.accounts.services import institutions_of

from .selectors import broadcast_view, current_broadcasts


def broadcast_banner(request):
    """The broadcasts current in the signed-in user's institutions, warnings first; the
    page shows those of its own institution only (base.html: a Pau imaging warning is
    not for a Montréal agent's call form)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "banner_broadcasts": [
            broadcast_view(b) for b in current_broadcasts(list(institutions_of(user)), drills=False)
        ]
    }
