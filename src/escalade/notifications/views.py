from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Notification


@login_required
def inbox(request):
    rows = [
        {"n": n, "text": services.render(n)}
        for n in Notification.objects.filter(user=request.user)[:100]
    ]
    return render(request, "notifications/inbox.html", {"rows": rows})


@login_required
@require_POST
def read_all(request):
    services.mark_read(request.user)
    return redirect("notifications:inbox")
