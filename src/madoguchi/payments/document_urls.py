"""Bills (納付書) and receipts (領収証書) as PDF, under /<municipality>/payments/."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import documents

urlpatterns: list[URLPattern] = [
    path("invoices/<str:number>/bill.pdf", documents.bill_pdf, name="bill_pdf"),
    path("invoices/<str:number>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
]
