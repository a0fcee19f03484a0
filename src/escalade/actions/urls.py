from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list, name="list"),
    path("actions/<int:item_id>/<slug:action>/", views.act, name="act"),
]
