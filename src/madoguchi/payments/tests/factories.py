"""Invoices for tests, issued through the service like real ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.payments import services
from madoguchi.payments.models import Invoice, Item


def make_invoice(municipality: Municipality, *, amount: int = 12_300, item: str = Item.FEE, **kwargs: Any) -> Invoice:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "fiscal_year": today.year if today.month >= 4 else today.year - 1,
        "due_date": today + timedelta(days=30),
        "payer_name": "笠間 太郎",
        "payer_name_kana": "カサマ タロウ",
    }
    defaults.update(kwargs)
    return services.create_invoice(municipality=municipality, item=item, amount=amount, **defaults)


def a_date(days: int = 0) -> date:
    return timezone.localdate() + timedelta(days=days)
