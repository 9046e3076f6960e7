"""/api/v1/: the REST API and its OpenAPI document.

To add endpoints, register a viewset on one of the two routers (one line each):

- `public`: data anyone may read, at /api/v1/<prefix>/ (e.g. postal codes);
- `tenant`: one municipality's data, at /api/v1/<municipality>/<prefix>/, with a token
  of that municipality and `HasPermission`.

A prefix of `public` must be in settings.RESERVED_SLUGS, so that no municipality can
take it as its URL name. Plain views go into `public_views` or `tenant_views`.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from madoguchi.audit.api import AuditEntryViewSet
from madoguchi.core.api import DepartmentViewSet, MunicipalityViewSet
from madoguchi.facilities.api import BookingViewSet as FacilityBookingViewSet
from madoguchi.facilities.api import FacilityViewSet
from madoguchi.payments.api import InvoiceViewSet
from madoguchi.portal.api import OpenDataViewSet
from madoguchi.procedures.api import ProcedureViewSet

from .views import MeView, SchemaView

public = SimpleRouter(trailing_slash=True)
public.register("municipalities", MunicipalityViewSet, basename="municipality")
public.register("facilities", FacilityViewSet, basename="facility")
public.register("opendata", OpenDataViewSet, basename="opendata")

tenant = SimpleRouter(trailing_slash=True)
tenant.register("departments", DepartmentViewSet, basename="department")
tenant.register("audit-entries", AuditEntryViewSet, basename="audit-entry")
tenant.register("invoices", InvoiceViewSet, basename="invoice")
tenant.register("procedures", ProcedureViewSet, basename="procedure")
tenant.register("facility-bookings", FacilityBookingViewSet, basename="facility-booking")

public_views: list[URLPattern | URLResolver] = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("postal-codes/", include("madoguchi.japanese.api_urls")),
]

tenant_views: list[URLPattern | URLResolver] = [
    path("me/", MeView.as_view(), name="api-me"),
]

urlpatterns = [
    *public_views,
    path("", include(public.urls)),
    path("<slug:municipality_slug>/", include([*tenant_views, *tenant.urls])),
]
