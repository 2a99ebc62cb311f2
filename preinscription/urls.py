from django.urls import path

from preinscription import views

app_name = "preinscription"

urlpatterns = [
    path("", views.apply, name="apply"),
    path("suivi/<str:token>/", views.status, name="status"),
    path("suivi/<str:token>/documents/<str:key>/", views.add_document, name="add_document"),
    path(
        "consentements/<int:pk>/document/",
        views.requirement_document,
        name="requirement_document",
    ),
]
