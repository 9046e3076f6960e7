from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Role, User
from madoguchi.audit import access
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import services
from madoguchi.payments.models import Channel, Invoice, InvoiceStatus, Item, Payment, PaymentSettings, RefundStatus
from madoguchi.testing.factories import UserFactory, make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import a_date, make_invoice
from .test_imports import GOOD, csv_bytes

pytestmark = pytest.mark.django_db

INDEX = "/staff/payments/invoices/"
# The console answers a refusal with a redirect to its home (and a message) or a 403.
REFUSED = {302, 403}


def staff(municipality: Municipality, *roles: str) -> User:
    return make_staff(municipality, *roles)


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def detail(invoice: Invoice) -> str:
    return f"{INDEX}{invoice.number}/"


def open_detail(client: Client, invoice: Invoice) -> Any:
    """Open the details as staff do: the reason screen first, then the page."""
    first = client.get(detail(invoice))
    if first.status_code != 302 or "access-reason" not in first["Location"]:
        return first
    subject = invoice.payer if invoice.payer is not None else invoice
    client.post(
        reverse("audit_access_reason"),
        {
            "key": access.subject_key_for(subject),
            "next": detail(invoice),
            "purpose": "inquiry",
            "detail": "窓口で納付の相談",
        },
    )
    return client.get(detail(invoice))


def fresh(invoice: Invoice) -> Invoice:
    with municipality_scope(invoice.municipality_id):
        return Invoice.objects.get(pk=invoice.pk)


def test_search_by_number_name_kana_and_payer_number(client: Client, kasama: Municipality) -> None:
    taro = make_invoice(kasama, payer_name="笠間 太郎", payer_name_kana="カサマ　タロウ", payer_number="1000001")
    hanako = make_invoice(kasama, payer_name="友部 花子", payer_name_kana="トモベ　ハナコ", payer_number="1000002")
    login(client, staff(kasama, Role.COUNTER_CLERK))
    for query in (taro.number, "笠間", "かさま", "ｶｻﾏ", "1000001", "かさま たろう"):
        body = client.get(INDEX, {"q": query}).content.decode()
        assert taro.number in body, query
        assert hanako.number not in body, query
    assert AuditEntry.objects.filter(object_type="payments.invoice", action="view", personal_data=True).exists()


def test_filters(client: Client, kasama: Municipality) -> None:
    tax = make_invoice(kasama, item=Item.FIXED_ASSET_TAX, fiscal_year=2025, due_date=a_date(10))
    fee = make_invoice(kasama, item=Item.FEE, fiscal_year=2024, due_date=a_date(40))
    services.record_payment(
        fee, channel=Channel.CONVENIENCE_STORE, reference="cvs-1", amount=fee.amount, paid_on=a_date()
    )
    login(client, staff(kasama, Role.OFFICER))

    def listed(**params: str) -> set[str]:
        body = client.get(INDEX, params).content.decode()
        return {n for n in (tax.number, fee.number) if n in body}

    assert listed(status="paid") == {fee.number}
    assert listed(item=Item.FIXED_ASSET_TAX) == {tax.number}
    assert listed(fiscal_year="2024") == {fee.number}
    assert listed(due_date_to=str(a_date(20))) == {tax.number}
    assert listed(channel=Channel.CONVENIENCE_STORE) == {fee.number}


def test_csv_export_is_for_managers_and_audited(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, payer_name="=HYPERLINK(1)")
    login(client, staff(kasama, Role.COUNTER_CLERK))
    assert client.get(INDEX, {"export": "csv"}).status_code in REFUSED
    login(client, staff(kasama, Role.OFFICER))
    response = client.get(INDEX, {"export": "csv"})
    assert response.status_code == 200
    body = response.getvalue().decode()
    assert invoice.number in body
    assert "'=HYPERLINK(1)" in body
    assert AuditEntry.objects.filter(object_type="payments.invoice", action="export").exists()


@pytest.mark.parametrize("role", [Role.COUNTER_CLERK, Role.AUDITOR, Role.APPROVER])
def test_who_may_read(client: Client, kasama: Municipality, role: str) -> None:
    invoice = make_invoice(kasama)
    login(client, staff(kasama, role))
    assert client.get(INDEX).status_code == 200
    assert client.get(detail(invoice)).status_code == 302  # to the reason screen
    assert open_detail(client, invoice).status_code == 200


def test_residents_are_refused(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama)
    login(client, UserFactory.create())
    for url in (INDEX, detail(invoice), "/staff/payments/invoice-import/"):
        assert client.get(url).status_code in REFUSED, url
    assert client.post(f"{detail(invoice)}cancel/", {"reason": "x"}).status_code in REFUSED
    assert fresh(invoice).status == InvoiceStatus.UNPAID


def test_detail_is_audited_as_personal_data(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, payer_name="笠間 太郎")
    login(client, staff(kasama, Role.COUNTER_CLERK))
    body = open_detail(client, invoice).content.decode()
    assert "笠間 太郎" in body
    entry = AuditEntry.objects.filter(object_type="payments.invoice", object_id=str(invoice.pk), action="view").get()
    assert entry.personal_data
    assert entry.reason.endswith("窓口で納付の相談")


def test_counter_payment_twice_with_the_same_form_records_once(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=5_000)
    login(client, staff(kasama, Role.COUNTER_CLERK))
    page = open_detail(client, invoice).content.decode()
    submission = re.search(r'name="submission" value="([^"]+)"', page)
    assert submission is not None
    form = {"amount": "5000", "paid_on": str(a_date()), "receipt_number": "", "submission": submission.group(1)}
    url = f"{detail(invoice)}counter-payment/"
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    with municipality_scope(kasama):
        assert Payment.objects.filter(invoice=invoice, channel=Channel.COUNTER).count() == 1
    assert fresh(invoice).status == InvoiceStatus.PAID
    # The page no longer offers to record a payment for a paid invoice.
    assert 'name="submission"' not in client.get(detail(invoice)).content.decode()


def test_auditors_cannot_record_or_cancel(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=5_000)
    login(client, staff(kasama, Role.AUDITOR))
    form = {"amount": "5000", "paid_on": str(a_date()), "submission": "x"}
    assert client.post(f"{detail(invoice)}counter-payment/", form).status_code in REFUSED
    assert client.post(f"{detail(invoice)}cancel/", {"reason": "誤り"}).status_code in REFUSED
    assert fresh(invoice).status == InvoiceStatus.UNPAID


def test_bad_input_changes_nothing(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=5_000)
    login(client, staff(kasama, Role.OFFICER))
    response = client.post(f"{detail(invoice)}counter-payment/", {"amount": "-1", "paid_on": "x", "submission": "k"})
    assert response.status_code == 302
    assert fresh(invoice).paid_amount == 0


def test_create_and_cancel_by_hand(client: Client, kasama: Municipality) -> None:
    login(client, staff(kasama, Role.OFFICER))
    response = client.post(
        f"{INDEX}new/",
        {
            "item": Item.FEE,
            "fiscal_year": "2025",
            "instalment": "0",
            "amount": "300",
            "due_date": str(a_date(14)),
            "payer_name": "笠間 太郎",
            "payer_name_kana": "かさま たろう",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with municipality_scope(kasama):
        invoice = Invoice.objects.get()
    assert invoice.payer_name_kana == "カサマ\u3000タロウ"
    assert response["Location"] == detail(invoice)
    client.post(f"{detail(invoice)}cancel/", {"reason": "二重発行"})
    assert fresh(invoice).status == InvoiceStatus.CANCELLED
    assert fresh(invoice).cancel_reason == "二重発行"


def test_refund_needs_another_person(client: Client, kasama: Municipality) -> None:
    invoice = make_invoice(kasama, amount=1_000)
    services.record_payment(invoice, channel=Channel.BANK_TRANSFER, reference="t-1", amount=1_500, paid_on=a_date())
    head = staff(kasama, Role.DEPARTMENT_HEAD)
    login(client, head)
    client.post(f"{detail(invoice)}refunds/", {"amount": "500", "reason": "過誤納"})
    with municipality_scope(kasama):
        refund = invoice.refunds.get()
    approve = f"{detail(invoice)}refunds/{refund.pk}/approve/"
    client.post(approve)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED
    login(client, staff(kasama, Role.APPROVER))
    client.post(approve)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED
    login(client, head)
    client.post(f"{detail(invoice)}refunds/{refund.pk}/paid/", {"reference": "振込123"})
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PAID
    assert fresh(invoice).status == InvoiceStatus.PAID


def test_import_screen_dry_run_then_import(client: Client, kasama: Municipality) -> None:
    login(client, staff(kasama, Role.OFFICER))
    url = "/staff/payments/invoice-import/"
    bad = client.post(url, {"file": SimpleUploadedFile("tax.csv", csv_bytes(GOOD[0], "x,,,,,,,,,,,"))})
    body = bad.content.decode()
    assert "3" in body
    assert "氏名" in body
    assert 'name="key"' not in body
    good = client.post(url, {"file": SimpleUploadedFile("tax.csv", csv_bytes(*GOOD, encoding="cp932"))})
    key = re.search(r'name="key" value="([^"]+)"', good.content.decode())
    assert key is not None
    with municipality_scope(kasama):
        assert Invoice.objects.count() == 0
    assert client.post(url, {"key": key.group(1)}).status_code == 302
    assert client.post(url, {"key": key.group(1)}).status_code == 302  # used once
    with municipality_scope(kasama):
        assert Invoice.objects.count() == 2


def test_import_and_settings_permissions(client: Client, kasama: Municipality) -> None:
    login(client, staff(kasama, Role.COUNTER_CLERK))
    assert client.get("/staff/payments/invoice-import/").status_code in REFUSED
    assert client.get("/staff/payments/settings/").status_code in REFUSED
    login(client, staff(kasama, Role.MUNICIPAL_ADMIN))
    assert client.get("/staff/payments/settings/").status_code == 200
    response = client.post("/staff/payments/settings/", {"convenience_company_code": "12345"})
    assert response.status_code == 200  # refused: six digits
    assert not PaymentSettings.objects.filter(municipality=kasama).exists()
    client.post(
        "/staff/payments/settings/", {"convenience_company_code": "912345", "pay_easy_institution_number": "58021"}
    )
    assert PaymentSettings.objects.get(municipality=kasama).convenience_company_code == "912345"


def test_tenant_isolation(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = make_invoice(other.municipality, payer_name="水戸 次郎")
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(INDEX, as_user=home.staff, markers=[theirs.number, "水戸 次郎"])
    iso.assert_page_excludes(f"{INDEX}?q={theirs.number}", as_user=home.staff, markers=["水戸 次郎"])
    iso.assert_unreachable(detail(theirs), obj=theirs, as_user=home.staff)
    for action in ("counter-payment/", "cancel/", "refunds/"):
        iso.assert_unreachable(f"{detail(theirs)}{action}", obj=theirs, as_user=home.staff, methods=("post",))


def test_the_payments_menu_offers_the_screens_a_role_may_use(client: Client, kasama: Municipality) -> None:
    login(client, staff(kasama, Role.OFFICER))
    menu = client.get("/staff/").content.decode()
    assert "/staff/payments/invoices/" in menu
    assert "/staff/payments/invoice-import/" in menu
    assert "/staff/payments/settings/" not in menu
    login(client, staff(kasama, Role.MUNICIPAL_ADMIN))
    assert "/staff/payments/settings/" in client.get("/staff/").content.decode()
