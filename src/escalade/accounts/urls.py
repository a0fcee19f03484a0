from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/alive/", views.alive, name="alive"),
    path("login/second-factor/", views.second_factor, name="second_factor"),
    path("account/second-factor/", views.second_factor_setup, name="second_factor_setup"),
    path(
        "login/second-factor/passkey/begin/",
        views.PasskeySignInBegin.as_view(),
        name="passkey_sign_in_begin",
    ),
    path(
        "login/second-factor/passkey/complete/",
        views.PasskeySignInComplete.as_view(),
        name="passkey_sign_in_complete",
    ),
    path(
        "account/second-factor/passkey/begin/",
        views.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "account/second-factor/passkey/complete/",
        views.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path("login/oidc/<slug:name>/", views.oidc_start, name="oidc_start"),
    path("login/oidc/<slug:name>/callback/", views.oidc_callback, name="oidc_callback"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
