from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/alive/", views.alive, name="alive"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
