from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("help/", views.guide, name="guide"),
    path("help/preview/", views.preview, name="preview"),
]
