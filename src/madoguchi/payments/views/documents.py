"""Bill (納付書) and receipt (領収証書) PDFs under /<municipality>/payments/invoices/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import documents


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@never_cache
@login_required
def bill_pdf(request: HttpRequest, number: str, municipality_slug: str = "") -> HttpResponse:
    invoice = documents.visible_invoice(request.user, getattr(request, "municipality", None), number)
    if invoice is None:
        raise Http404
    pdf = documents.bill_pdf(request, invoice)
    if pdf is None:
        raise Http404
    return _pdf_response(pdf, f"bill-{invoice.number}.pdf")


@require_safe
@never_cache
@login_required
def receipt_pdf(request: HttpRequest, number: str, municipality_slug: str = "") -> HttpResponse:
    invoice = documents.visible_invoice(request.user, getattr(request, "municipality", None), number)
    if invoice is None:
        raise Http404
    pdf = documents.receipt_pdf(request, invoice)
    if pdf is None:
        raise Http404
    return _pdf_response(pdf, f"receipt-{invoice.number}.pdf")
