from django.urls import path

from reenrolment import views

app_name = "reenrolment"

urlpatterns = [
    path("", views.index, name="index"),
    path(
        "campagnes/<int:campaign_pk>/eleves/<int:student_pk>/",
        views.request_form,
        name="request_form",
    ),
    path("campagnes/<int:campaign_pk>/nouvel-enfant/", views.add_child, name="add_child"),
    path("demandes/<int:pk>/", views.request_detail, name="request_detail"),
    path("demandes/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path(
        "consentements/<int:pk>/document/",
        views.requirement_document,
        name="requirement_document",
    ),
    path(
        "demandes/<int:pk>/documents/<str:requirement>/",
        views.upload_document,
        name="upload_document",
    ),
]
