from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/alive/", views.alive, name="alive"),
    path("login/second-factor/", views.second_factor, name="second_factor"),
    path("account/second-factor/", views.second_factor_setup, name="second_factor_setup"),
    path("login/oidc/<slug:name>/", views.oidc_start, name="oidc_start"),
    path("login/oidc/<slug:name>/callback/", views.oidc_callback, name="oidc_callback"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
