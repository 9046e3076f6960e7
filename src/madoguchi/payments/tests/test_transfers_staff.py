"""The account transfer screens of the staff console: registration with the Zengin bank
data, batches, request file download, result upload with line and field errors,
permissions and tenant isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http.response import HttpResponseBase
from django.test import Client

from madoguchi.accounts.models import Role
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import transfers
from madoguchi.payments.models import BankAccount, InvoiceStatus, Payment, TransferBatch
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import make_invoice
from .transfer_factories import make_account, result_file, transfer_settings

pytestmark = pytest.mark.django_db

ACCOUNTS = "/staff/payments/bank-accounts/"
BATCHES = "/staff/payments/transfers/"
DAY = dt.date(2026, 5, 27)


def staff_client(municipality: Municipality, *roles: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    sign_in(client, make_staff(municipality, *roles))
    return client


def denied(response: HttpResponseBase) -> bool:
    """The console refuses: Wagtail sends staff without the permission back to its
    home page with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/staff/")


def registration(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "payer_name": "笠間 花子",
        "payer_number": "1000002",
        "bank_code": "０００１",
        "branch_code": "001",
        "account_type": "1",
        "account_number": "7654321",
        "account_holder_kana": "かさま　はなこ",
        "items": ["fee", "fixed_asset_tax"],
        "valid_from": "2026-04-01",
        "customer_number": "",
    }
    data.update(overrides)
    return data


def test_an_officer_registers_an_account_with_the_zengin_bank_data(kasama: Municipality) -> None:
    client = staff_client(kasama, Role.OFFICER)
    page = client.get(f"{ACCOUNTS}add/")
    assert page.status_code == 200
    assert "japanese/japanese.js" in page.content.decode()  # the bank and branch lookups
    response = client.post(f"{ACCOUNTS}add/", registration())
    assert response.status_code == 302
    with municipality_scope(kasama):
        account = BankAccount.objects.get()
    assert account.holder_kana == "ｶｻﾏ ﾊﾅｺ"
    assert (account.bank_code, account.branch_code) == ("0001", "001")
    detail = client.get(response["Location"])
    assert "ｶｻﾏ ﾊﾅｺ" in detail.content.decode()
    assert AuditEntry.objects.filter(object_type="payments.bankaccount", action="view", personal_data=True).exists()


def test_a_branch_the_bank_does_not_have_is_refused(kasama: Municipality) -> None:
    client = staff_client(kasama, Role.OFFICER)
    response = client.post(f"{ACCOUNTS}add/", registration(branch_code="998", account_holder_kana="山田"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "支店コード998の支店はありません" in body
    assert "口座名義に使えない文字があります" in body
    assert BankAccount.unscoped.count() == 0


def test_the_account_list_searches_filters_and_exports(kasama: Municipality) -> None:
    make_account(kasama, payer_name="笠間 太郎", holder_name="カサマ タロウ")
    make_account(kasama, payer_name="友部 次郎", holder_name="トモベ ジロウ", payer_number="1000003")
    client = staff_client(kasama, Role.COUNTER_CLERK)
    body = client.get(ACCOUNTS, {"q": "トモベ"}).content.decode()
    assert "友部 次郎" in body
    assert "笠間 太郎" not in body
    assert "笠間 太郎" not in client.get(ACCOUNTS, {"status": "suspended"}).content.decode()
    export = client.get(ACCOUNTS, {"export": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "ﾄﾓﾍﾞ ｼﾞﾛｳ" in text
    assert AuditEntry.objects.filter(object_type="payments.bankaccount", action="export").exists()


def test_suspending_an_account(kasama: Municipality) -> None:
    account = make_account(kasama)
    client = staff_client(kasama, Role.OFFICER)
    client.post(f"{ACCOUNTS}{account.pk}/", {"status": "suspended"})
    account.refresh_from_db()
    assert account.status == "suspended"
    clerk = staff_client(kasama, Role.COUNTER_CLERK)
    assert denied(clerk.post(f"{ACCOUNTS}{account.pk}/", {"status": "active"}))
    account.refresh_from_db()
    assert account.status == "suspended"


def test_the_batch_workflow_from_the_console(kasama: Municipality) -> None:
    transfer_settings(kasama)
    make_account(kasama)
    paid = make_invoice(kasama, payer_number="1000001", due_date=DAY, amount=3_000)
    open_ = make_invoice(kasama, payer_number="1000001", due_date=DAY, amount=4_000)
    client = staff_client(kasama, Role.OFFICER)
    response = client.post(BATCHES, {"transfer_date": DAY.isoformat()})
    assert response.status_code == 302
    batch = TransferBatch.unscoped.get()
    # Nothing is written by a GET: the file is made by the form's POST.
    assert client.get(f"{BATCHES}{batch.pk}/request-file/").status_code == 302
    batch.refresh_from_db()
    assert not batch.request_file
    download = client.post(f"{BATCHES}{batch.pk}/request-file/")
    assert download["Content-Disposition"].startswith("attachment")
    assert client.post(f"{BATCHES}{batch.pk}/request-file/").content == download.content
    assert client.get(f"{BATCHES}{batch.pk}/request-file/").content == download.content
    batch.refresh_from_db()
    data = result_file(batch, ["0", "2"])

    broken = data.replace(b"0000003000", b"00000030X0", 1)
    refused = client.post(f"{BATCHES}{batch.pk}/results/", {"file": _upload(broken)})
    assert refused.status_code == 400
    assert "2行目の「引落金額」" in refused.content.decode()
    assert Payment.unscoped.count() == 0

    done = client.post(f"{BATCHES}{batch.pk}/results/", {"file": _upload(data)})
    assert done.status_code == 302
    paid.refresh_from_db()
    open_.refresh_from_db()
    assert (paid.status, open_.status) == (InvoiceStatus.PAID, InvoiceStatus.UNPAID)
    summary = client.get(f"{BATCHES}{batch.pk}/").content.decode()
    assert "<td>0 振替済</td><td>1</td><td>3000</td>" in summary
    assert "<td>2 取引なし</td><td>1</td><td>4000</td>" in summary
    detail = client.get(f"{BATCHES}{batch.pk}/?show=failed").content.decode()
    assert "取引なし" in detail
    assert open_.number in detail
    assert paid.number not in detail


def _upload(data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("result.txt", data, content_type="application/octet-stream")


def test_permissions(kasama: Municipality) -> None:
    transfer_settings(kasama)
    make_account(kasama)
    make_invoice(kasama, payer_number="1000001", due_date=DAY)
    batch = transfers.create_batch(kasama, DAY)
    auditor = staff_client(kasama, Role.AUDITOR)  # may look, not change
    assert auditor.get(ACCOUNTS).status_code == 200
    assert auditor.get(f"{BATCHES}{batch.pk}/").status_code == 200
    assert denied(auditor.get(f"{ACCOUNTS}add/"))
    assert denied(auditor.post(BATCHES, {"transfer_date": DAY.isoformat()}))
    assert denied(auditor.post(f"{BATCHES}{batch.pk}/request-file/"))
    assert denied(auditor.post(f"{BATCHES}{batch.pk}/results/", {}))
    assert TransferBatch.unscoped.count() == 1
    batch.refresh_from_db()
    assert not batch.request_file
    # An approver may see invoices but not record payments or manage them.
    approver = staff_client(kasama, Role.APPROVER)
    assert denied(approver.post(f"{BATCHES}{batch.pk}/results/", {}))
    anonymous = Client()
    response = anonymous.get(ACCOUNTS)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_tenant_isolation(two_municipalities: TenantPair, client: Client) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    transfer_settings(other.municipality)
    theirs = make_account(other.municipality, payer_name="水戸 三郎")
    make_invoice(other.municipality, payer_number="1000001", due_date=DAY)
    batch = transfers.create_batch(other.municipality, DAY)
    iso = TenantIsolation(client, two_municipalities)
    iso.assert_page_excludes(ACCOUNTS, as_user=home.staff, markers=["水戸 三郎"])
    iso.assert_page_excludes(BATCHES, as_user=home.staff, markers=[f"{BATCHES}{batch.pk}/"])
    iso.assert_unreachable(f"{ACCOUNTS}{theirs.pk}/", obj=theirs, as_user=home.staff, methods=("get", "post"))
    iso.assert_unreachable(f"{BATCHES}{batch.pk}/", obj=batch, as_user=home.staff, methods=("get",))
    iso.assert_unreachable(f"{BATCHES}{batch.pk}/request-file/", obj=batch, as_user=home.staff, methods=("get", "post"))
    iso.assert_unreachable(f"{BATCHES}{batch.pk}/results/", obj=batch, as_user=home.staff, methods=("post",))


def test_the_screens_are_in_the_payments_menu(kasama: Municipality) -> None:
    # The sidebar is rendered from JSON in the page: the links are there as URLs.
    body = staff_client(kasama, Role.OFFICER).get("/staff/").content.decode()
    assert ACCOUNTS in body
    assert BATCHES in body


def test_the_account_shows_why_a_transfer_failed(kasama: Municipality) -> None:
    transfer_settings(kasama)
    account = make_account(kasama)
    make_invoice(kasama, payer_number="1000001", due_date=DAY)
    batch = transfers.create_batch(kasama, DAY)
    transfers.export_request_file(batch)
    batch.refresh_from_db()
    transfers.import_result_file(batch, result_file(batch, ["1"]))
    body = staff_client(kasama, Role.COUNTER_CLERK).get(f"{ACCOUNTS}{account.pk}/").content.decode()
    assert "1 資金不足" in body
