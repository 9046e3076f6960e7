"""Online payment through the sandbox gateway: starting an attempt, signed notifications
(repeated, reordered, forged), declines, timeouts settled by a status query, refunds,
and who may see which invoice."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from madoguchi.accounts.models import Role, User
from madoguchi.audit import access
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.payments import online, services
from madoguchi.payments.models import (
    Channel,
    GatewayNotification,
    Invoice,
    InvoiceStatus,
    NotificationResult,
    OnlinePayment,
    OnlinePaymentStatus,
    Payment,
    RefundStatus,
)
from madoguchi.paysandbox import services as sandbox
from madoguchi.paysandbox.models import SandboxEvent, SandboxPayment, SandboxRefund, SandboxStatus
from madoguchi.testing.factories import UserFactory, make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import make_invoice

pytestmark = pytest.mark.django_db

NOTIFY = "/payment-gateways/sandbox/notify/"


def _start(invoice: Invoice, payer: User, *, method: str = Channel.ONLINE_CARD, key: str = "") -> online.StartedPayment:
    return online.start_payment(
        invoice,
        method=method,
        attempt_key=key or online.new_attempt_key(),
        payer=payer,
        return_url="http://testserver/kasama/payments/return/x/",
        notify_url=f"http://testserver{NOTIFY}",
    )


def _sandbox_payment(attempt: OnlinePayment) -> SandboxPayment:
    return SandboxPayment.objects.get(public_id=attempt.provider_reference)


def _post(client: Client, event: SandboxEvent) -> dict:
    body, headers = sandbox.signed_request(event)
    response = client.post(
        NOTIFY, data=body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=headers["Sandbox-Signature"]
    )
    return {"status": response.status_code, **response.json()}


@pytest.fixture
def resident() -> User:
    user: User = UserFactory.create(email="hanako@example.jp")
    return user


@pytest.fixture
def paid_by_card(kasama: Municipality, resident: User) -> tuple[Invoice, OnlinePayment, SandboxEvent]:
    invoice = make_invoice(kasama, amount=12_300, payer=resident)
    started = _start(invoice, resident)
    payment = sandbox.open_page(_sandbox_payment(started.online_payment))
    sandbox.pay_by_card(payment, "4242 4242 4242 4242")
    event = SandboxEvent.objects.get(payment=payment, type="payment.succeeded")
    return invoice, started.online_payment, event


def test_the_same_notification_three_times_applies_one_payment(
    client: Client, paid_by_card: tuple[Invoice, OnlinePayment, SandboxEvent]
) -> None:
    invoice, attempt, event = paid_by_card
    results = [_post(client, event) for _ in range(3)]
    assert [r["result"] for r in results] == ["applied", "duplicate", "duplicate"]
    assert all(r["status"] == 200 for r in results)
    invoice.refresh_from_db()
    attempt.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.paid_amount == 12_300
    assert attempt.status == OnlinePaymentStatus.SUCCEEDED
    payments = list(Payment.unscoped.filter(invoice=invoice))
    assert len(payments) == 1
    assert payments[0].channel == Channel.ONLINE_CARD
    assert payments[0].reference == attempt.provider_reference
    # Every notification is kept, the repeats marked as such.
    kept = GatewayNotification.objects.filter(online_payment=attempt).order_by("id")
    assert [n.result for n in kept] == ["applied", "duplicate", "duplicate"]
    assert all(n.signature_valid for n in kept)
    assert kept[0].event_id == event.public_id
    assert AuditEntry.objects.filter(object_type="payments.onlinepayment", action="update").exists()


def test_a_forged_or_tampered_notification_is_rejected_and_kept(
    client: Client, paid_by_card: tuple[Invoice, OnlinePayment, SandboxEvent]
) -> None:
    invoice, _attempt, event = paid_by_card
    body = event.body.encode()
    forged = sandbox.sign(body, secret="not-the-gateway")
    response = client.post(NOTIFY, data=body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=forged)
    assert response.status_code == 400
    assert response.json()["result"] == "rejected"
    # A genuine signature over other content (the amount changed) is no better.
    _body, headers = sandbox.signed_request(event)
    tampered = body.replace(b'"amount":12300', b'"amount":1')
    response = client.post(
        NOTIFY, data=tampered, content_type="application/json", HTTP_SANDBOX_SIGNATURE=headers["Sandbox-Signature"]
    )
    assert response.status_code == 400
    # Without any signature, and with an old one.
    assert client.post(NOTIFY, data=body, content_type="application/json").status_code == 400
    old = sandbox.sign(body, timestamp=int((timezone.now() - timedelta(hours=1)).timestamp()))
    assert (
        client.post(NOTIFY, data=body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=old).status_code == 400
    )
    rejected = GatewayNotification.objects.filter(result=NotificationResult.REJECTED)
    assert rejected.count() == 4
    assert not rejected.filter(signature_valid=True).exists()
    invoice.refresh_from_db()
    assert invoice.paid_amount == 0
    assert not Payment.unscoped.filter(invoice=invoice).exists()
    # The genuine one still applies afterwards.
    assert _post(client, event)["result"] == "applied"


def test_an_unknown_gateway_and_a_get_are_refused(client: Client) -> None:
    assert (
        client.post("/payment-gateways/nobody/notify/", data=b"{}", content_type="application/json").status_code == 404
    )
    assert client.get(NOTIFY).status_code == 405


def test_events_out_of_order_older_one_is_stale(
    client: Client, paid_by_card: tuple[Invoice, OnlinePayment, SandboxEvent]
) -> None:
    invoice, attempt, succeeded = paid_by_card
    pending = SandboxEvent.objects.get(payment__public_id=attempt.provider_reference, type="payment.pending")
    assert pending.occurred_at < succeeded.occurred_at
    assert _post(client, succeeded)["result"] == "applied"
    assert _post(client, pending)["result"] == "stale"
    assert _post(client, pending)["result"] == "duplicate"
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.SUCCEEDED
    assert attempt.last_event_at == succeeded.occurred_at
    assert invoice.paid_amount == 12_300
    assert Payment.unscoped.filter(invoice=invoice).count() == 1


def test_a_declined_card_leaves_the_invoice_open(client: Client, kasama: Municipality, resident: User) -> None:
    invoice = make_invoice(kasama, amount=5_000, payer=resident)
    attempt = _start(invoice, resident).online_payment
    sandbox.pay_by_card(_sandbox_payment(attempt), "4000000000000002")
    event = SandboxEvent.objects.get(payment__public_id=attempt.provider_reference, type="payment.declined")
    assert _post(client, event)["result"] == "applied"
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.DECLINED
    assert attempt.failure_reason == "card_declined"
    assert invoice.status == InvoiceStatus.UNPAID
    assert not Payment.unscoped.filter(invoice=invoice).exists()
    # The payer may try again with a new attempt.
    again = _start(invoice, resident)
    assert again.online_payment.pk != attempt.pk


def test_a_timeout_is_settled_by_a_status_query(kasama: Municipality, resident: User) -> None:
    invoice = make_invoice(kasama, amount=7_700, payer=resident)
    attempt = _start(invoice, resident).online_payment
    payment = sandbox.pay_by_card(_sandbox_payment(attempt), "4000 0000 0000 0119")
    assert payment.status == SandboxStatus.PENDING
    # No notification of the outcome will ever come.
    assert not SandboxEvent.objects.filter(payment=payment, type="payment.succeeded").exists()
    attempt.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.PENDING

    # Too recent to be reconciled yet.
    assert online.reconcile_pending(older_than=timedelta(minutes=10)) == 0
    OnlinePayment.unscoped.filter(pk=attempt.pk).update(created_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("reconcile_online_payments", "--minutes=10", stdout=out)
    assert out.getvalue().startswith("1 online payment(s) settled")
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.SUCCEEDED
    assert invoice.status == InvoiceStatus.PAID
    # Asking again changes nothing.
    online.query_status(attempt)
    invoice.refresh_from_db()
    assert invoice.paid_amount == 7_700
    assert Payment.unscoped.filter(invoice=invoice).count() == 1


def test_refund_goes_back_through_the_gateway_once(
    client: Client, kasama: Municipality, paid_by_card: tuple[Invoice, OnlinePayment, SandboxEvent]
) -> None:
    invoice, attempt, event = paid_by_card
    _post(client, event)
    proposer = make_staff(kasama, Role.OFFICER)
    approver = make_staff(kasama, Role.APPROVER)
    invoice = services.cancel_invoice(invoice, reason="予約の取消し", actor=proposer)
    refund = services.request_refund(
        invoice, amount=12_300, reason="施設予約の取消し", actor=proposer, channel=Channel.ONLINE_CARD
    )
    with pytest.raises(online.OnlinePaymentError):
        online.refund_online(refund, actor=proposer)  # not approved yet
    services.approve_refund(refund, actor=approver)
    refund = online.refund_online(refund, actor=approver)
    assert refund.status == RefundStatus.PAID
    assert refund.reference.startswith("sbx_ref_")
    again = online.refund_online(refund, actor=approver)
    assert again.reference == refund.reference
    assert SandboxRefund.objects.count() == 1
    gateway_payment = _sandbox_payment(attempt)
    assert gateway_payment.status == SandboxStatus.REFUNDED
    assert gateway_payment.refunded_amount == 12_300
    attempt.refresh_from_db()
    invoice.refresh_from_db()
    assert attempt.status == OnlinePaymentStatus.REFUNDED
    assert invoice.refunded_amount == 12_300
    # The gateway's own report of the refund changes nothing more.
    refunded_event = SandboxEvent.objects.get(payment=gateway_payment, type="payment.refunded")
    assert _post(client, refunded_event)["result"] == "applied"
    assert _post(client, event)["result"] == "duplicate"
    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.refunded_amount) == (12_300, 12_300)


def test_a_double_click_starts_one_attempt(client: Client, kasama: Municipality, resident: User) -> None:
    invoice = make_invoice(kasama, amount=3_000, payer=resident)
    sign_in(client, resident)
    key = online.new_attempt_key()
    url = f"/kasama/payments/invoices/{invoice.number}/pay/"
    first = client.post(url, {"method": Channel.ONLINE_CARD, "attempt_key": key})
    second = client.post(url, {"method": Channel.ONLINE_CARD, "attempt_key": key})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert first["Location"].startswith("/sandbox-gateway/pay/sbx_pay_")
    assert OnlinePayment.unscoped.filter(invoice=invoice).count() == 1
    assert SandboxPayment.objects.count() == 1
    attempt = OnlinePayment.unscoped.get(invoice=invoice)
    assert attempt.status == OnlinePaymentStatus.PENDING
    sandbox_payment = _sandbox_payment(attempt)
    assert sandbox_payment.notify_url == f"http://testserver{NOTIFY}"
    assert sandbox_payment.return_url == f"http://testserver/kasama/payments/return/{key}/"
    # Another key is another attempt; a malformed key starts none.
    client.post(url, {"method": Channel.ONLINE_BANKING, "attempt_key": online.new_attempt_key()})
    client.post(url, {"method": Channel.ONLINE_CARD, "attempt_key": "short"})
    assert OnlinePayment.unscoped.filter(invoice=invoice).count() == 2


def test_the_pages_of_a_payment_from_start_to_paid(client: Client, kasama: Municipality, resident: User) -> None:
    invoice = make_invoice(kasama, amount=4_400, payer=resident, return_url="/kasama/bookings/12/")
    sign_in(client, resident)
    page = client.get("/kasama/payments/")
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    detail = client.get(f"/kasama/payments/invoices/{invoice.number}/")
    assert "支払いに進む" in detail.content.decode()
    key = detail.context["form"].initial["attempt_key"]
    pay = client.post(f"/kasama/payments/invoices/{invoice.number}/pay/", {"method": "online_card", "attempt_key": key})
    gateway_page = client.get(pay["Location"])
    assert gateway_page.status_code == 200
    assert "4242 4242 4242 4242" in gateway_page.content.decode()
    back = client.post(pay["Location"], {"action": "card", "card_number": "4242424242424242"})
    assert back["Location"] == f"http://testserver/kasama/payments/return/{key}/"
    pending = client.get(f"/kasama/payments/return/{key}/")
    assert "決済の結果を確認しています" in pending.content.decode()
    assert "/kasama/bookings/12/" not in pending.content.decode()
    event = SandboxEvent.objects.get(type="payment.succeeded")
    assert _post(client, event)["result"] == "applied"
    paid = client.get(f"/kasama/payments/return/{key}/", HTTP_HX_REQUEST="true")
    body = paid.content.decode()
    assert "お支払いが完了しました" in body
    assert 'href="/kasama/bookings/12/"' in body
    assert AuditEntry.objects.filter(action="view", object_type="payments.invoice", object_id=str(invoice.pk)).exists()


def test_only_the_payer_sees_an_invoice(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    mine = make_invoice(home.municipality, payer=home.resident, description="わたしの納付書")
    neighbour: User = UserFactory.create()
    theirs = make_invoice(home.municipality, payer=neighbour, description="となりの納付書")
    elsewhere = make_invoice(other.municipality, payer=home.resident, description="よその団体の納付書")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(
        f"/{home.slug}/payments/", as_user=home.resident, markers=[theirs.description, elsewhere.description]
    )
    assert mine.description in client.get(f"/{home.slug}/payments/").content.decode()
    iso.assert_unreachable(f"/{home.slug}/payments/invoices/{theirs.number}/", obj=theirs, as_user=home.resident)
    iso.assert_unreachable(
        f"/{home.slug}/payments/invoices/{theirs.number}/pay/", obj=theirs, as_user=home.resident, methods=["post"]
    )
    # The same number in the other municipality is another invoice, not reachable from here.
    assert elsewhere.number == mine.number
    response = client.get(f"/{home.slug}/payments/invoices/{elsewhere.number}/")
    assert elsewhere.description not in response.content.decode()
    # Staff of the other municipality see nothing of this one's invoices.
    iso.assert_unreachable(f"/{home.slug}/payments/invoices/{mine.number}/", obj=mine, as_user=other.staff)
    # Staff of this municipality may open it (without the pay form).
    sign_in(client, home.staff)
    url = f"/{home.slug}/payments/invoices/{mine.number}/"
    to_reason = client.get(url)
    assert to_reason.status_code == 302
    assert to_reason["Location"].startswith(reverse("audit_access_reason"))
    session = client.session
    request = RequestFactory().get(url)
    request.session = session
    access.give_reason(request, access.subject_key_for(home.resident), access.Purpose.INQUIRY, "電話での問い合わせ")
    session.save()
    staff_view = client.get(url)
    assert staff_view.status_code == 200
    entry = AuditEntry.objects.filter(action="view", object_id=str(mine.pk)).latest("sequence")
    assert entry.actor_id == home.staff.pk
    assert "電話での問い合わせ" in entry.reason
    assert staff_view.context["form"] is None
    # Someone else's attempt is not theirs to follow, nor to pay with.
    attempt = _start(mine, home.resident).online_payment
    sign_in(client, neighbour)
    assert client.get(f"/{home.slug}/payments/return/{attempt.attempt_key}/").status_code == 404
    with pytest.raises(online.OnlinePaymentError):
        _start(mine, neighbour, key=attempt.attempt_key)


def test_the_sandbox_api_wants_its_key(client: Client) -> None:
    body = json.dumps({"amount": 100, "method": "card", "return_url": "http://x/", "notify_url": "http://x/"})
    response = client.post(
        "/sandbox-gateway/api/v1/payments", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k" * 20
    )
    assert response.status_code == 401
    assert not SandboxPayment.objects.exists()
