"""/payment-gateways/<provider>/notify/: where gateways POST their server-to-server
notifications (at the site root: a gateway knows one address per merchant)."""

from __future__ import annotations

from django.urls import path

from . import gateway_views

app_name = "payment_gateways"

urlpatterns = [
    path("<slug:provider>/notify/", gateway_views.notify, name="notify"),
]
