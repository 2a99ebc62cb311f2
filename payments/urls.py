from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.start, name="start"),
    path("retour/<str:reference>/", views.payment_return, name="return"),
    path("notification/", views.notify, name="notify"),
    path("simulateur/", views.simulator, name="simulator"),
]
