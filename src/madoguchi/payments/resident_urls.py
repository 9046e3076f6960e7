"""Residents' payment pages under /<municipality>/payments/ (My payments, paying online)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import resident_views

urlpatterns: list[URLPattern] = [
    path("", resident_views.my_payments, name="my_payments"),
    path("invoices/<str:number>/", resident_views.invoice_detail, name="invoice_detail"),
    path("invoices/<str:number>/pay/", resident_views.pay, name="pay"),
    path("return/<str:attempt_key>/", resident_views.payment_return, name="payment_return"),
]
