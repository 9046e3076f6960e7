"""/sandbox-gateway/: the sandbox gateway's own URL space (at the site root, outside any
municipality and any language prefix, as an outside company's site would be)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "paysandbox"

urlpatterns = [
    path("pay/<str:public_id>/", views.pay, name="pay"),
    path("api/v1/<path:path>", views.api, name="api"),
]
