from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("", views.detail, name="detail"),
    path("acces/envoyer/", views.send_access, name="send_access"),
    path("acces/retirer/", views.revoke_access, name="revoke_access"),
]
