"""Bank accounts, settings and result files for the account transfer tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from madoguchi.core.models import Municipality
from madoguchi.payments import transfers, zengin
from madoguchi.payments.models import BankAccount, Item, PaymentSettings, TransferBatch


def transfer_settings(municipality: Municipality) -> PaymentSettings:
    settings, _created = PaymentSettings.objects.update_or_create(
        municipality=municipality,
        defaults={
            "consignor_code": "1234567890",
            "consignor_name_kana": "カサマシ",
            "collecting_bank_code": "0001",
            "collecting_branch_code": "001",
        },
    )
    return settings


def make_account(municipality: Municipality, **kwargs: Any) -> BankAccount:
    values: dict[str, Any] = {
        "payer_name": "笠間 太郎",
        "payer_number": "1000001",
        "bank_code": "0001",
        "branch_code": "001",
        "account_type": "1",
        "account_number": "12345",
        "holder_name": "かさま　たろう",
        "items": [Item.FEE, Item.FIXED_ASSET_TAX],
        "valid_from": dt.date(2020, 1, 1),
    }
    values.update(kwargs)
    return transfers.register_account(municipality, **values)


def result_file(batch: TransferBatch, codes: list[str]) -> bytes:
    """What the bank sends back for a batch: its request with the given result codes."""
    sent = zengin.parse_file(bytes(batch.request_file))
    records = [dataclasses.replace(r, result_code=code) for r, code in zip(sent.records, codes, strict=True)]
    return zengin.write_file(sent.header, records, result=True)
