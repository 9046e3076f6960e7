"""Bills (納付書) and receipts (領収証書) for download: who may have which invoice's
documents, and the audit entry of every download (a bill or a receipt carries the
payer's name and address).

A resident has the documents of the invoices whose payer they are; staff holding
`payments.view_invoices` in the municipality have those of all its invoices. Anyone
else learns nothing, not even whether the number exists.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from madoguchi.accounts.permissions import has_permission
from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from . import bills, receipts
from .models import Invoice, InvoiceStatus
from .permissions import VIEW_INVOICES

#: Invoices whose bill can still be paid.
BILL_STATUSES = frozenset({InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID})


def visible_invoice(user: Any, municipality: Municipality | None, number: str) -> Invoice | None:
    """The municipality's invoice `number` if the user may see it, else None."""
    if municipality is None or not getattr(user, "is_authenticated", False) or not number.isdigit():
        return None
    with municipality_scope(municipality):
        invoice = Invoice.objects.select_related("municipality").filter(number=number).first()
    if invoice is None:
        return None
    if invoice.payer_id is not None and invoice.payer_id == user.pk:
        return invoice
    if has_permission(user, VIEW_INVOICES, municipality):
        return invoice
    return None


def _audit(request: HttpRequest, invoice: Invoice, document: str) -> None:
    audit.record(
        action=audit.Action.VIEW,
        obj=invoice,
        request=request,
        municipality=invoice.municipality,
        personal_data=True,
        subject=invoice.payer,
        fields=["number", "payer_name", "payer_address", "amount"],
        extra={"document": document},
    )


def bill_pdf(request: HttpRequest, invoice: Invoice) -> bytes | None:
    """The invoice's 納付書, or None when it can no longer be paid with a bill."""
    if invoice.status not in BILL_STATUSES:
        return None
    pdf = bills.render_bill(invoice)
    _audit(request, invoice, "bill")
    return pdf


def receipt_pdf(request: HttpRequest, invoice: Invoice) -> bytes | None:
    """The invoice's 領収証書, or None when nothing was received on it."""
    if not receipts.has_receipt(invoice):
        return None
    pdf = receipts.render_receipt(invoice)
    _audit(request, invoice, "receipt")
    return pdf
