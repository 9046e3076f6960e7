from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from madoguchi.audit.models import AuditEntry
from madoguchi.core.demo.loader import LoadReport, load_demo
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import demo
from madoguchi.payments.models import Invoice, InvoiceStatus, Payment, PaymentSettings

pytestmark = pytest.mark.django_db


def test_the_demo_has_payment_settings_and_invoices_and_loads_twice_alike(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    def load() -> LoadReport:
        # As the command does, with the on-commit work (the demo token's file) run.
        with django_capture_on_commit_callbacks(execute=True):
            return load_demo(token_path=tmp_path / "tokens.json")

    first = load()
    assert first.created["invoice"] == len(demo.INVOICES)
    kasama = Municipality.objects.get(code=demo.KASAMA_CODE)
    settings = PaymentSettings.objects.get(municipality=kasama)
    assert settings.convenience_company_code == "900123"
    with municipality_scope(kasama):
        # The payments demo's own invoices (other modules' demos issue fees of their own).
        own = Invoice.objects.filter(origin_type="")
        mine = own.filter(payer__email=demo.RESIDENT_EMAIL)
        assert mine.filter(status=InvoiceStatus.UNPAID).count() == 3
        assert mine.filter(status=InvoiceStatus.PAID).count() == 1
        assert mine.filter(item="fee").exists()
        assert own.filter(payer__isnull=True).count() == 2
        assert Payment.objects.filter(invoice__origin_type="").count() == 1
    counts = (Invoice.unscoped.count(), Payment.unscoped.count(), AuditEntry.objects.count())
    second = load()
    assert second.created["invoice"] == 0
    assert second.unchanged["invoice"] == len(demo.INVOICES)
    assert second.unchanged["payment_settings"] == 1
    assert (Invoice.unscoped.count(), Payment.unscoped.count(), AuditEntry.objects.count()) == counts
