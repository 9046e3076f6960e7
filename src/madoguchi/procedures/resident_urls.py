"""The residents' catalog and applying under /<municipality>/procedures/ (see urls.py):
the catalog and a procedure's page (views.catalog), and the application from its first
step to the receipt (views.apply)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import apply, catalog

urlpatterns: list[URLPattern] = [
    path("", catalog.catalog, name="catalog"),
    path("p/<slug:slug>/", catalog.procedure_detail, name="procedure_detail"),
    path("p/<slug:slug>/form.pdf", catalog.paper_form, name="paper_form"),
    path("p/<slug:slug>/apply/", apply.apply, name="apply"),
    path("apply/<uuid:public_id>/step/<int:index>/", apply.step, name="step"),
    path("apply/<uuid:public_id>/confirm/", apply.confirm, name="confirm"),
    path("apply/<uuid:public_id>/discard/", apply.discard, name="discard"),
    path("apply/<uuid:public_id>/submitted/", apply.submitted, name="submitted"),
    path("apply/<uuid:public_id>/receipt.pdf", apply.receipt, name="receipt"),
    path("apply/<uuid:public_id>/attachments/<int:attachment_id>/", apply.attachment, name="attachment"),
]
