"""Payments in the demo: Kasama's 収納の設定 (fictitious codes) and invoices for the demo
resident (open tax and fee invoices, one paid at the counter) and for other payers.

Called by `core.demo.loader` inside its transaction. Everything goes through
`payments.services` and is idempotent: invoices by their `source_reference`, the payment
by its (channel, reference), the settings only where a field is empty — running the demo
again creates nothing and writes no audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from . import services
from .models import Channel, Invoice, Item, PaymentSettings

if TYPE_CHECKING:
    from madoguchi.core.demo.loader import DemoLoader

KASAMA_CODE = "082163"
RESIDENT_EMAIL = "hanako@resident.example"
BUSINESS_EMAIL = "info@madoguchi-toubou.example"

#: Not codes anyone was given: the agent's, Pay-easy's and the bank's numbers are made up
#: (the bank and branch exist in the Zengin data so that the transfer screens can show them).
SETTINGS = {
    "convenience_company_code": "900123",
    "pay_easy_institution_number": "99821",
    "bank_transfer_account": "常陽銀行 笠間支店 普通 1234567 笠間市会計管理者",
    "consignor_code": "9990082163",
    "consignor_name_kana": "ｶｻﾏｼ",
    "collecting_bank_code": "0130",
    "collecting_branch_code": "041",
}


@dataclass(frozen=True)
class DemoInvoice:
    key: str
    item: str
    amount: int
    due_in_days: int
    payer: str = ""  # "resident", "business" or "" (a payer without an account)
    payer_name: str = "山田 花子"
    payer_name_kana: str = "ヤマダ　ハナコ"
    payer_number: str = "2000001"
    instalment: int = 0
    description: str = ""
    paid: bool = False


INVOICES = (
    DemoInvoice("0001", Item.MUNICIPAL_INHABITANT_TAX, 28_500, 20, "resident", instalment=3),
    DemoInvoice("0002", Item.FIXED_ASSET_TAX, 41_200, 35, "resident", instalment=2),
    DemoInvoice("0003", Item.FEE, 300, 14, "resident", description="住民票の写し 1通", payer_number=""),
    DemoInvoice("0004", Item.LIGHT_VEHICLE_TAX, 10_800, -30, "resident", paid=True),
    DemoInvoice(
        "0005",
        Item.FIXED_ASSET_TAX,
        186_400,
        35,
        "business",
        payer_name="株式会社まどぐち陶房",
        payer_name_kana="カブシキガイシャマドグチトウボウ",
        payer_number="3000001",
        instalment=2,
    ),
    DemoInvoice(
        "0006",
        Item.NATIONAL_HEALTH_INSURANCE_TAX,
        19_700,
        20,
        payer_name="友部 一郎",
        payer_name_kana="トモベ　イチロウ",
        payer_number="2000002",
        instalment=5,
    ),
    DemoInvoice(
        "0007",
        Item.FACILITY_FEE,
        2_200,
        7,
        payer_name="岩間 さくら",
        payer_name_kana="イワマ　サクラ",
        payer_number="",
        description="笠間市民体育館 第1競技場 2時間",
    ),
)


def _settings(loader: DemoLoader, municipality: Municipality) -> None:
    current = PaymentSettings.objects.filter(municipality=municipality).first()
    if current is None:
        current = PaymentSettings.objects.create(municipality=municipality, **SETTINGS)
        audit.record(action=audit.Action.CREATE, obj=current, municipality=municipality, fields=sorted(SETTINGS))
        loader._count("payment_settings", "created")
        return
    missing = {k: v for k, v in SETTINGS.items() if not getattr(current, k)}
    if not missing:
        loader._count("payment_settings", "unchanged")
        return
    for name, value in missing.items():
        setattr(current, name, value)
    current.save(update_fields=[*missing, "updated_at"])
    audit.record(action=audit.Action.UPDATE, obj=current, municipality=municipality, fields=sorted(missing))
    loader._count("payment_settings", "updated")


def _user(email: str) -> Any:
    from madoguchi.accounts.models import User

    return User.objects.filter(email__iexact=email).first()


def load(loader: DemoLoader) -> None:
    """Kasama's payment settings and demo invoices (nothing for other municipalities)."""
    municipality = loader.municipalities.get(KASAMA_CODE)
    if municipality is None:
        return
    _settings(loader, municipality)
    payers = {"resident": _user(RESIDENT_EMAIL), "business": _user(BUSINESS_EMAIL), "": None}
    today = timezone.localdate()
    fiscal_year = today.year if today.month >= 4 else today.year - 1
    created = 0
    for entry in INVOICES:
        reference = f"DEMO-{fiscal_year}-{entry.key}"
        with municipality_scope(municipality):
            exists = Invoice.objects.filter(source_reference=reference).exists()
        due = today + timedelta(days=entry.due_in_days)
        invoice = services.create_invoice(
            municipality=municipality,
            item=entry.item,
            fiscal_year=fiscal_year,
            instalment=entry.instalment,
            amount=entry.amount,
            issued_on=min(today, due - timedelta(days=30)),
            due_date=due,
            payer=payers[entry.payer],
            payer_name=entry.payer_name,
            payer_name_kana=entry.payer_name_kana,
            payer_number=entry.payer_number,
            payer_postal_code="309-1611",
            payer_address="茨城県笠間市笠間1番地（架空）",
            description=entry.description,
            source_reference=reference,
        )
        if entry.paid:
            services.record_payment(
                invoice,
                channel=Channel.COUNTER,
                reference=f"demo:{reference}",
                amount=entry.amount,
                paid_on=due - timedelta(days=3),
                note="デモ",
            )
        loader._count("invoice", "unchanged" if exists else "created")
        created += 0 if exists else 1
    loader.out(f"納付書 / invoices: {created} 作成 / created, {len(INVOICES) - created} 登録済み / already there")
