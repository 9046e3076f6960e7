"""The reconciliation screens of the staff console: upload with a dry run, the imports,
the exception queue with its decisions and CSV, the daily collection report; who may
do what, and that nothing of another municipality shows."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.payments import reconciliation, services
from madoguchi.payments.models import (
    Channel,
    ExceptionReason,
    Invoice,
    InvoiceStatus,
    NoticeImport,
    NoticeStatus,
    PaymentNotice,
    PaymentSettings,
    Refund,
)
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair

from .factories import make_invoice
from .notice_files import COMPANY_CODE, CvsPayment, convenience_file, day, pay_easy_file, stream

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: User) -> None:
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}, {"method": "mfa", "type": "totp"}]
    session.save()


def refused(response: object) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    return status in (403, 404) or (status == 302 and response["Location"] == "/staff/")  # type: ignore[index]


@pytest.fixture
def officer(client: Client, kasama: Municipality) -> User:
    PaymentSettings.objects.update_or_create(
        municipality=kasama, defaults={"convenience_company_code": COMPANY_CODE, "pay_easy_institution_number": "12345"}
    )
    user = make_staff(kasama, Role.OFFICER)
    sign_in(client, user)
    return user


def _exception(kasama: Municipality, invoice: Invoice, amount: int, key: str) -> PaymentNotice:
    reconciliation.import_notice_file(
        kasama,
        "pay-easy",
        stream(pay_easy_file([(invoice, amount, invoice.confirmation_number, key)])),
        file_name=f"{key}.csv",
    )
    return PaymentNotice.unscoped.get(record_key=key)


def test_upload_previews_then_imports(client: Client, kasama: Municipality, officer: User) -> None:
    a = make_invoice(kasama, amount=2_000)
    data = convenience_file([CvsPayment(a), CvsPayment(a, receipt=2)])
    response = client.post(
        "/staff/payments/notices/upload/",
        {"format": "convenience", "file": SimpleUploadedFile("sokuho.txt", data)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "まだ取り込んでいません" in page
    assert "二重納付" in page  # the second record of the same invoice
    assert not NoticeImport.unscoped.exists()
    token = response.context["token"]
    response = client.post("/staff/payments/notices/upload/", {"token": token})
    assert response.status_code == 302
    assert Invoice.unscoped.get(pk=a.pk).status == InvoiceStatus.PAID
    notice_import = NoticeImport.unscoped.get()
    assert (notice_import.matched_count, notice_import.exception_count, notice_import.imported_by_id) == (
        1,
        1,
        officer.pk,
    )
    # The token was used up; the same file again is refused with when it was imported.
    assert client.post("/staff/payments/notices/upload/", {"token": token}).status_code == 302
    assert NoticeImport.unscoped.count() == 1
    again = client.post(
        "/staff/payments/notices/upload/", {"format": "convenience", "file": SimpleUploadedFile("again.txt", data)}
    )
    assert "取込済み" in again.content.decode()
    listing = client.get("/staff/payments/notices/")
    assert "sokuho.txt" in listing.content.decode()


def test_a_malformed_upload_names_the_line(client: Client, kasama: Municipality, officer: User) -> None:
    a = make_invoice(kasama, amount=2_000)
    data = convenience_file([CvsPayment(a)]).replace(b"\r\n8", b"\r\n7", 1)
    response = client.post(
        "/staff/payments/notices/upload/", {"format": "convenience", "file": SimpleUploadedFile("bad.txt", data)}
    )
    assert response.status_code == 200
    assert "3 行目" in response.content.decode()
    assert not NoticeImport.unscoped.exists()


def test_queue_filters_exports_and_decides(client: Client, kasama: Municipality, officer: User) -> None:
    a = make_invoice(kasama, amount=1_000)
    b = make_invoice(kasama, amount=1_000)
    differs = _exception(kasama, a, 900, "Q1")
    _exception(kasama, b, 1, "Q2")
    page = client.get("/staff/payments/exceptions/", {"reason": ExceptionReason.AMOUNT_DIFFERS, "q": a.number})
    assert page.status_code == 200
    assert a.number in page.content.decode()
    assert b.number not in page.content.decode()
    exported = client.get("/staff/payments/exceptions/", {"export": "csv", "channel": Channel.PAY_EASY})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert len(rows) == 3
    assert {rows[1][4], rows[2][4]} == {a.number, b.number}
    assert AuditEntry.objects.filter(action="export", object_type="payments.paymentnotice").exists()

    detail = client.get(f"/staff/payments/exceptions/{differs.pk}/")
    assert detail.status_code == 200
    assert a.payer_name in detail.content.decode()
    assert AuditEntry.objects.filter(action="view", object_type="payments.invoice", personal_data=True).exists()
    response = client.post(
        f"/staff/payments/exceptions/{differs.pk}/",
        {"action": "match", "invoice_number": a.number, "note": "一部納付"},
    )
    assert response.status_code == 302
    differs.refresh_from_db()
    assert (differs.status, differs.decided_by_id) == (NoticeStatus.RESOLVED, officer.pk)
    assert Invoice.unscoped.get(pk=a.pk).paid_amount == 900


def test_refund_and_ignore_from_the_screen(client: Client, kasama: Municipality, officer: User) -> None:
    a = make_invoice(kasama, amount=1_000)
    services.record_payment(a, channel=Channel.COUNTER, reference="c", amount=1_000, paid_on=day("2026-11-19"))
    duplicate = _exception(kasama, a, 1_000, "R1")
    response = client.post(
        f"/staff/payments/exceptions/{duplicate.pk}/",
        {"action": "refund", "invoice_number": a.number, "note": "二重納付"},
    )
    assert response.status_code == 302
    assert Refund.unscoped.get(invoice=a).amount == 1_000
    other = _exception(kasama, a, 5, "R2")
    missing_reason = client.post(f"/staff/payments/exceptions/{other.pk}/", {"action": "ignore", "note": ""})
    assert missing_reason.status_code == 200
    assert "理由を入力" in missing_reason.content.decode()
    client.post(f"/staff/payments/exceptions/{other.pk}/", {"action": "ignore", "note": "試験"})
    other.refresh_from_db()
    assert other.status == NoticeStatus.IGNORED


def test_report_shows_table_chart_and_csv(client: Client, kasama: Municipality, officer: User) -> None:
    a = make_invoice(kasama, amount=1_000)
    services.record_payment(a, channel=Channel.PAY_EASY, reference="p", amount=1_000, paid_on=day("2026-11-20"))
    response = client.get("/staff/payments/collection-report/", {"start": "2026-11-01", "end": "2026-11-30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<figure" in page
    assert 'role="img"' in page
    assert "ペイジー 1,000円" in page
    assert "style=" not in page.split("<figure", 1)[1].split("</figure>", 1)[0]
    exported = client.get(
        "/staff/payments/collection-report/", {"start": "2026-11-01", "end": "2026-11-30", "export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1] == ["2026-11-20", "ペイジー", "手数料", "1", "1000"]
    wrong = client.get("/staff/payments/collection-report/", {"start": "2026-11-30", "end": "2026-11-01"})
    assert "終わりは始めより後" in wrong.content.decode()


def test_who_may_do_what(client: Client, kasama: Municipality) -> None:
    a = make_invoice(kasama, amount=1_000)
    notice = _exception(kasama, a, 1, "P1")
    auditor = make_staff(kasama, Role.AUDITOR)
    sign_in(client, auditor)
    assert client.get("/staff/payments/exceptions/").status_code == 200
    assert client.get("/staff/payments/collection-report/").status_code == 200
    assert refused(client.get("/staff/payments/notices/upload/"))
    assert refused(client.post(f"/staff/payments/exceptions/{notice.pk}/", {"action": "ignore", "note": "x"}))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.EXCEPTION
    client.logout()
    assert client.get("/staff/payments/exceptions/").status_code == 302


def test_tenant_isolation(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = make_invoice(other.municipality, amount=1_000, payer_name="水戸 花子")
    notice = _exception(other.municipality, theirs, 7, "ISO-1")
    services.record_payment(theirs, channel=Channel.PAY_EASY, reference="iso", amount=1_000, paid_on=day("2026-11-20"))
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes("/staff/payments/exceptions/?status=", as_user=home.staff, markers=[theirs.number])
    iso.assert_page_excludes("/staff/payments/notices/", as_user=home.staff, markers=["ISO-1.csv"])
    iso.assert_page_excludes(
        "/staff/payments/collection-report/?start=2026-11-01&end=2026-11-30", as_user=home.staff, markers=["ペイジー"]
    )
    iso.assert_unreachable(f"/staff/payments/exceptions/{notice.pk}/", obj=notice, as_user=home.staff)
