from django.urls import path

from reenrolment import views

app_name = "reenrolment"

urlpatterns = [path("", views.index, name="index")]
