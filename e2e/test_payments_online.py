"""Paying an invoice online through the sandbox gateway, in Chromium: a resident signs
in, opens My payments, pays on the sandbox's own page, comes back, waits for the
gateway's signed notification and sees the invoice paid, with its receipt. The gateway
then sends the same notification three times and an older one after it: nothing is
applied twice. Every page on the way (the sandbox's too) is checked with axe-core."""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.payments.models import GatewayNotification, Invoice, InvoiceStatus, OnlinePayment, Payment
from madoguchi.payments.tests.factories import make_invoice
from madoguchi.paysandbox import services as sandbox
from madoguchi.paysandbox.models import DeliveryStatus, SandboxDelivery, SandboxEvent
from madoguchi.testing.factories import UserFactory

from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PENDING_DELAY_S = 4


def run_tasks() -> None:
    """What the task worker (`manage.py db_worker`) does: run every task that is due."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


@pytest.fixture
def gateway_settings(settings: object) -> None:
    # Every notification is sent three times, and "in progress" arrives after "paid".
    settings.PAYSANDBOX_NOTIFY_REPEAT = 3  # type: ignore[attr-defined]
    settings.PAYSANDBOX_NOTIFY_INTERVAL = 0  # type: ignore[attr-defined]
    settings.PAYSANDBOX_NOTIFY_DELAYS = {"payment.pending": PENDING_DELAY_S}  # type: ignore[attr-defined]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}  # type: ignore[attr-defined]


def test_resident_pays_online_and_repeated_reordered_notifications_apply_once(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality, gateway_settings: None
) -> None:
    resident: User = UserFactory.create(email="hanako@example.jp", family_name="笠間", given_name="花子")
    invoice = make_invoice(kasama, amount=12_300, payer=resident, description="体育館の使用料", payer_name="笠間 花子")
    sign_in(context, base_url, resident)

    page.goto(f"{base_url}/kasama/payments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("お支払い")
    page.get_by_role("link", name=re.compile("体育館の使用料")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("手数料")
    page.get_by_label("クレジットカード").check()
    page.get_by_role("button", name="支払いに進む").click()

    # The sandbox gateway's own page.
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/sbx_pay_"))
    expect(page.get_by_text("12,300円")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("4242 4242 4242 4242")
    page.get_by_role("textbox", name="カード番号").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="支払う", exact=True).click()

    # Back at the municipality: pending until the notification arrives.
    expect(page).to_have_url(re.compile(r"/kasama/payments/return/"))
    expect(page.get_by_text("決済の結果を確認しています")).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNPAID

    run_tasks()  # the sandbox sends "paid" three times
    expect(page.get_by_text("お支払いが完了しました")).to_be_visible(timeout=15_000)
    receipt = page.get_by_role("link", name=re.compile("領収証書"))
    expect(receipt).to_be_visible()
    href = receipt.get_attribute("href")
    assert href
    response = page.request.get(f"{base_url}{href}")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")

    attempt = OnlinePayment.unscoped.get(invoice=invoice)
    succeeded = SandboxEvent.objects.get(payment__public_id=attempt.provider_reference, type="payment.succeeded")
    pending = SandboxEvent.objects.get(payment__public_id=attempt.provider_reference, type="payment.pending")
    assert pending.occurred_at < succeeded.occurred_at
    assert SandboxDelivery.objects.filter(event=succeeded, status=DeliveryStatus.DELIVERED).count() == 3
    assert [n.result for n in GatewayNotification.objects.filter(online_payment=attempt).order_by("id")] == [
        "applied",
        "duplicate",
        "duplicate",
    ]

    # The older "in progress" notification arrives late, three times, then "paid" again.
    time.sleep(PENDING_DELAY_S)
    run_tasks()
    sandbox.schedule(succeeded)
    run_tasks()
    assert SandboxDelivery.objects.filter(event=pending, status=DeliveryStatus.DELIVERED).count() == 3
    results = list(
        GatewayNotification.objects.filter(online_payment=attempt).order_by("id").values_list("result", flat=True)
    )
    assert results == ["applied", "duplicate", "duplicate", "stale", "duplicate", "duplicate", "duplicate"]
    invoice = Invoice.unscoped.get(pk=invoice.pk)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.paid_amount == 12_300
    assert Payment.unscoped.filter(invoice=invoice).count() == 1

    page.goto(f"{base_url}/kasama/payments/")
    history = page.get_by_role("region", name="これまでのお支払い")
    expect(history).to_contain_text("体育館の使用料")
    expect(history).to_contain_text("納付済み")
    expect(page.get_by_text("お支払いが必要な納付書はありません。")).to_be_visible()


def test_on_a_phone_without_javascript_internet_banking_returns_to_where_the_payment_started(
    no_js_page: Page, base_url: str, kasama: Municipality, gateway_settings: None
) -> None:
    page = no_js_page
    resident: User = UserFactory.create(email="taro@example.jp")
    invoice = make_invoice(
        kasama, amount=2_000, payer=resident, description="住民票の写し", return_url="/kasama/payments/"
    )
    sign_in(page.context, base_url, resident)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(f"{base_url}/kasama/payments/invoices/{invoice.number}/")
    page.get_by_label("インターネットバンキング").check()
    page.get_by_role("button", name="支払いに進む").click()
    expect(page).to_have_url(re.compile(r"/sandbox-gateway/pay/"))
    page.get_by_label("ひばり信用金庫（テスト）").check()
    page.get_by_role("button", name="支払いを承認する").click()

    expect(page.get_by_text("決済の結果を確認しています")).to_be_visible()
    run_tasks()
    page.get_by_role("link", name="最新の状態を表示する").click()
    expect(page.get_by_text("お支払いが完了しました")).to_be_visible()
    page.get_by_role("link", name="お手続きの画面に戻る").click()
    expect(page).to_have_url(f"{base_url}/kasama/payments/")
    assert Payment.unscoped.get(invoice=invoice).channel == "online_banking"
