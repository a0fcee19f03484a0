from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<slug:code>/", views.organisation_detail, name="organisation"),
    path("contacts/confirm/<str:token>/", views.confirm_by_link, name="confirm_contact"),
]
