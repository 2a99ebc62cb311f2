from django.urls import path

from bench.views import reference

urlpatterns = [path("reference/", reference, name="bench_reference")]
