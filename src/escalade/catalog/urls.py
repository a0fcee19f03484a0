from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [path("catalogue/", views.catalogue, name="catalogue")]
