from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
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
