from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("", views.student_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/documents/<str:requirement>/", views.upload, name="upload_document"),
]
