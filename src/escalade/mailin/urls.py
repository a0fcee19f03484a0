from django.urls import path

from . import views

app_name = "mailin"

urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="list"),
    path("mailboxes/<slug:code>/fetch/", views.fetch, name="fetch"),
    path("mailboxes/rejected/<int:message_id>/retake/", views.retake, name="retake"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
