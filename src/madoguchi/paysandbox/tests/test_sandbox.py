"""The sandbox gateway on its own: its payment page's rules, its API over HTTP (as a
provider configured with BASE_URL calls it), its notification sending and retries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.payments import gateways, online
from madoguchi.payments.models import (
    Channel,
    GatewayNotification,
    InvoiceStatus,
    NotificationResult,
    OnlinePaymentStatus,
)
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.paysandbox import services, tasks
from madoguchi.paysandbox.models import DeliveryStatus, SandboxDelivery, SandboxPayment, SandboxStatus
from madoguchi.testing.factories import UserFactory


def _new(key: str = "key-0000000000000001", amount: int = 1000, method: str = "card") -> SandboxPayment:
    return services.create_payment(
        services.NewPayment(
            amount=amount,
            method=method,
            description="テスト",
            merchant_reference="ref",
            return_url="http://testserver/back/",
            notify_url="http://testserver/payment-gateways/sandbox/notify/",
        ),
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_create_is_idempotent_per_key_and_refuses_a_reused_key() -> None:
    first = _new()
    assert _new().pk == first.pk
    with pytest.raises(services.SandboxError) as excinfo:
        _new(amount=2000)
    assert excinfo.value.status == 409
    assert SandboxPayment.objects.count() == 1


@pytest.mark.django_db
def test_card_numbers_are_checked_and_a_form_sent_twice_decides_once() -> None:
    payment = _new()
    with pytest.raises(services.SandboxError, match="カード番号が正しくありません"):
        services.pay_by_card(payment, "4242 4242 4242 4241")
    with pytest.raises(services.SandboxError, match="テスト用のカード番号"):
        services.pay_by_card(payment, "5555 5555 5555 4444")  # valid, but not a test card
    assert services.pay_by_card(payment, "4000-0000-0000-0002").status == SandboxStatus.DECLINED
    assert services.pay_by_card(payment, "4242424242424242").status == SandboxStatus.DECLINED
    assert list(payment.events.values_list("type", flat=True)) == ["payment.declined"]


@pytest.mark.django_db
def test_internet_banking_approve_or_reject(client: Client) -> None:
    approved = _new(key="bank-000000000000001", method="bank")
    page = client.get(f"/sandbox-gateway/pay/{approved.public_id}/")
    assert "お使いの金融機関" in page.content.decode()
    response = client.post(
        f"/sandbox-gateway/pay/{approved.public_id}/", {"action": "bank_approve", "bank": services.BANKS[0]}
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/back/"
    approved.refresh_from_db()
    assert approved.status == SandboxStatus.SUCCEEDED
    assert approved.bank_name == services.BANKS[0]
    rejected = _new(key="bank-000000000000002", method="bank")
    client.post(f"/sandbox-gateway/pay/{rejected.public_id}/", {"action": "bank_reject", "bank": services.BANKS[1]})
    rejected.refresh_from_db()
    assert rejected.status == SandboxStatus.CANCELLED
    # An unknown bank is refused with a message, and nothing changes.
    third = _new(key="bank-000000000000003", method="bank")
    page = client.post(f"/sandbox-gateway/pay/{third.public_id}/", {"action": "bank_approve", "bank": "偽銀行"})
    assert page.status_code == 200
    assert "金融機関を選んでください" in page.content.decode()
    third.refresh_from_db()
    assert third.status == SandboxStatus.CREATED


@pytest.mark.django_db
def test_the_page_in_english() -> None:
    payment = _new()
    page = Client().get(f"/sandbox-gateway/pay/{payment.public_id}/?lang=en")
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_refunds_once_per_key_and_never_more_than_paid() -> None:
    payment = services.pay_by_card(_new(), "4242424242424242")
    first = services.refund(payment, amount=400, idempotency_key="r1")
    assert services.refund(payment, amount=400, idempotency_key="r1").pk == first.pk
    with pytest.raises(services.SandboxError):
        services.refund(payment, amount=700, idempotency_key="r2")
    services.refund(payment, amount=600, idempotency_key="r3")
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (SandboxStatus.REFUNDED, 1000)


@pytest.mark.django_db(transaction=True)
def test_over_http_the_provider_and_the_notifications_work_end_to_end(
    live_server: Any, settings: Any, kasama: Municipality
) -> None:
    settings.PAYMENT_GATEWAYS = {
        "sandbox": {
            "CLASS": "madoguchi.payments.gateways.sandbox.SandboxGateway",
            "OPTIONS": {"BASE_URL": live_server.url},
        }
    }
    settings.PAYSANDBOX_NOTIFY_REPEAT = 2
    settings.PAYSANDBOX_NOTIFY_INTERVAL = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    payer: User = UserFactory.create()
    invoice = make_invoice(kasama, amount=2_500, payer=payer)
    started = online.start_payment(
        invoice,
        method=Channel.ONLINE_BANKING,
        attempt_key=online.new_attempt_key(),
        payer=payer,
        return_url=f"{live_server.url}/kasama/payments/return/x/",
        notify_url=f"{live_server.url}/payment-gateways/sandbox/notify/",
    )
    assert started.redirect_url.startswith(f"{live_server.url}/sandbox-gateway/pay/")
    payment = SandboxPayment.objects.get(public_id=started.online_payment.provider_reference)
    services.pay_by_bank(payment, services.BANKS[0], approve=True)
    assert tasks.deliver_due() == 2
    assert SandboxDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
    attempt = started.online_payment
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID
    # The status query over HTTP agrees; a wrong API key is refused as a permanent error.
    assert online.query_status(attempt).result == "applied"
    gateways.register(gateways.get("sandbox").__class__(BASE_URL=live_server.url, API_KEY="wrong"), replace=True)
    with pytest.raises(gateways.PermanentGatewayError):
        online.query_status(attempt)


@pytest.mark.django_db(transaction=True)
def test_a_notification_that_is_not_accepted_is_sent_again_then_given_up(live_server: Any, settings: Any) -> None:
    settings.PAYSANDBOX_NOTIFY_REPEAT = 1
    settings.PAYSANDBOX_NOTIFY_MAX_ATTEMPTS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    payment = services.create_payment(
        services.NewPayment(
            amount=100,
            method="card",
            description="",
            merchant_reference="",
            return_url=f"{live_server.url}/",
            notify_url=f"{live_server.url}/payment-gateways/sandbox/notify/",
        ),
        idempotency_key="retry-0000000000001",
    )
    services.pay_by_card(payment, "4242424242424242")
    delivery = SandboxDelivery.objects.get()
    # madoguchi knows no such payment: it answers 404, and the sandbox tries again later.
    assert tasks.deliver(delivery.pk) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_status) == (1, 404)
    assert delivery.due_at > payment.status_changed_at
    SandboxDelivery.objects.filter(pk=delivery.pk).update(due_at=payment.status_changed_at)
    assert tasks.deliver(delivery.pk) == DeliveryStatus.FAILED
    assert tasks.deliver(delivery.pk) == "skipped: failed"
    # Both were kept by madoguchi, neither claimed the event id.
    kept = GatewayNotification.objects.filter(result=NotificationResult.REJECTED, signature_valid=True)
    assert kept.count() == 2
    assert all("#unmatched-" in n.event_id for n in kept)
