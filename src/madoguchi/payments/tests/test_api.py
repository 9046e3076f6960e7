from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from madoguchi.accounts.models import Role
from madoguchi.api import services as api_services
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import services
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus, Item
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

from .factories import a_date, make_invoice

pytestmark = pytest.mark.django_db

BODY = {
    "item": "fixed_asset_tax",
    "fiscal_year": 2025,
    "instalment": 1,
    "amount": 45600,
    "due_date": "2025-07-31",
    "payer_name": "友部 花子",
    "payer_number": "1000002",
    "payer_postal_code": "3091792",
    "source_reference": "T-2025-0002",
}


def token(municipality: Municipality, *roles: str) -> dict[str, Any]:
    user = make_staff(municipality, *roles)
    _token, raw = api_services.issue_token(municipality=municipality, user=user, name="税務システム連携")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, data: dict[str, Any], auth: dict[str, Any]) -> Any:
    return client.post(url, data=data, content_type="application/json", **auth)


def test_list_filters_and_detail_with_payments(client: Client, kasama: Municipality) -> None:
    auth = token(kasama, Role.OFFICER)
    paid = make_invoice(kasama, item=Item.FEE, fiscal_year=2025, payer_number="1000001")
    services.record_payment(paid, channel=Channel.PAY_EASY, reference="pe-1", amount=paid.amount, paid_on=a_date())
    open_tax = make_invoice(kasama, item=Item.FIXED_ASSET_TAX, fiscal_year=2024)

    def numbers(**params: Any) -> list[str]:
        response = client.get("/api/v1/kasama/invoices/", params, **auth)
        assert response.status_code == 200, response.content
        return [i["number"] for i in response.json()["results"]]

    assert set(numbers()) == {paid.number, open_tax.number}
    assert numbers(status="paid") == [paid.number]
    assert numbers(item="fixed_asset_tax") == [open_tax.number]
    assert numbers(fiscal_year=2025) == [paid.number]
    assert numbers(payer_number="1000001") == [paid.number]
    assert numbers(updated_since="2999-01-01") == []
    assert client.get("/api/v1/kasama/invoices/", {"status": "nope"}, **auth).status_code == 400
    detail = client.get(f"/api/v1/kasama/invoices/{paid.number}/", **auth).json()
    assert detail["status"] == "paid"
    assert detail["balance"] == 0
    assert detail["payments"] == [
        {
            "channel": "pay_easy",
            "reference": "pe-1",
            "amount": paid.amount,
            "paid_on": str(a_date()),
            "recorded_at": detail["payments"][0]["recorded_at"],
        }
    ]
    reads = AuditEntry.objects.filter(object_type="payments.invoice", action="view", personal_data=True)
    assert reads.filter(object_id=str(paid.pk)).exists()
    assert reads.filter(object_id="").count() >= 6


def test_create_is_idempotent_with_source_reference(client: Client, kasama: Municipality) -> None:
    auth = token(kasama, Role.OFFICER)
    first = post(client, "/api/v1/kasama/invoices/", BODY, auth)
    assert first.status_code == 201, first.content
    again = post(client, "/api/v1/kasama/invoices/", BODY, auth)
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert first.json()["payer_postal_code"] == "309-1792"
    conflict = post(client, "/api/v1/kasama/invoices/", {**BODY, "amount": 1}, auth)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"
    with municipality_scope(kasama):
        assert Invoice.objects.count() == 1


def test_create_refuses_bad_input(client: Client, kasama: Municipality) -> None:
    auth = token(kasama, Role.OFFICER)
    response = post(client, "/api/v1/kasama/invoices/", {**BODY, "amount": 0, "item": "dog_tax"}, auth)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"amount", "item"}
    with municipality_scope(kasama):
        assert not Invoice.objects.exists()


def test_cancel(client: Client, kasama: Municipality) -> None:
    auth = token(kasama, Role.OFFICER)
    invoice = make_invoice(kasama)
    url = f"/api/v1/kasama/invoices/{invoice.number}/cancel/"
    assert post(client, url, {"reason": ""}, auth).status_code == 400
    response = post(client, url, {"reason": "賦課取消し"}, auth)
    assert response.status_code == 200
    assert response.json()["status"] == InvoiceStatus.CANCELLED
    assert response.json()["cancel_reason"] == "賦課取消し"
    assert post(client, url, {"reason": "もう一度"}, auth).json()["cancel_reason"] == "賦課取消し"


def test_reading_roles_cannot_write(client: Client, kasama: Municipality) -> None:
    auth = token(kasama, Role.AUDITOR)
    invoice = make_invoice(kasama)
    assert client.get("/api/v1/kasama/invoices/", **auth).status_code == 200
    assert post(client, "/api/v1/kasama/invoices/", BODY, auth).status_code == 403
    assert post(client, f"/api/v1/kasama/invoices/{invoice.number}/cancel/", {"reason": "x"}, auth).status_code == 403
    assert client.get("/api/v1/kasama/invoices/").status_code == 401


def test_tenant_isolation(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = make_invoice(other.municipality)
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_api_unreachable(f"/api/v1/{home.slug}/invoices/{theirs.number}/", obj=theirs, token=home.token)
    iso.assert_api_unreachable(
        f"/api/v1/{home.slug}/invoices/{theirs.number}/cancel/", obj=theirs, token=home.token, methods=("post",)
    )
    iso.assert_api_cross_tenant_refused(f"/api/v1/{other.slug}/invoices/", token=home.token)
    listed = client.get(f"/api/v1/{home.slug}/invoices/", HTTP_AUTHORIZATION=f"Bearer {home.token}").json()
    assert theirs.number not in {i["number"] for i in listed["results"]}
