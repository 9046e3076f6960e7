"""/api/v1/: the REST API. Tenant endpoints live under /api/v1/<municipality>/."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from madoguchi.core.api import DepartmentViewSet, MunicipalityViewSet

public = SimpleRouter(trailing_slash=True)
public.register("municipalities", MunicipalityViewSet, basename="municipality")

tenant = SimpleRouter(trailing_slash=True)
tenant.register("departments", DepartmentViewSet, basename="department")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(public.urls)),
    path("<slug:municipality_slug>/", include(tenant.urls)),
]
