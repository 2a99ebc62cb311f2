from django.urls import path

from accounts import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/verification/", two_factor_views.verify, name="two_factor_verify"),
    path("connexion/double-authentification/", two_factor_views.setup, name="two_factor_setup"),
    path(
        "connexion/codes-de-secours/",
        two_factor_views.backup_codes,
        name="two_factor_backup_codes",
    ),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.password_change, name="password_change"),
    path("mot-de-passe-perdu/", views.password_reset_request, name="password_reset"),
    path("mot-de-passe-perdu/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe-perdu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
