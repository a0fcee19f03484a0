"""Template context of every page: the count of the user's unread notifications (the
bell in the header)."""

from .services import unread_count


def notifications_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
