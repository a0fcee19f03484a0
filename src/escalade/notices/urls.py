from django.urls import path

from . import feeds, views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/new/", views.notice_new, name="new"),
    path("notices/<int:notice_id>/", views.notice_detail, name="detail"),
    path("notices/feed-key/", views.renew_feed, name="renew_feed"),
    path("interruptions/", views.interruption_list, name="interruptions"),
    path(
        "organisations/<slug:code>/interruptions/new/",
        views.interruption_new,
        name="interruption_new",
    ),
    path("feeds/notices.atom", feeds.atom, name="atom"),
    path("feeds/notices.ics", feeds.ics, name="ics"),
    path("feeds/<str:key>/notices.atom", feeds.atom, name="my_atom"),
    path("feeds/<str:key>/notices.ics", feeds.ics, name="my_ics"),
]
