"""The portal's URLs as a bench run serves them (BENCH=1)."""

from django.urls import include, path

from portal.urls import *  # noqa: F403
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [*portal_urlpatterns, path("_bench/", include("bench.urls"))]
