"""`/documents/<id>/`: the download of a supporting document (see students.views.download)."""

from django.urls import path

from students import views

app_name = "documents"

urlpatterns = [path("<int:pk>/", views.download, name="download")]
