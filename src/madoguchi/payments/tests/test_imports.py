from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.payments import imports
from madoguchi.payments.models import Invoice, Item

from .factories import make_invoice

pytestmark = pytest.mark.django_db

HEADER = "宛名番号,氏名,フリガナ,郵便番号,住所,科目,年度,期別,金額,納期限,取扱期限,識別子"
GOOD = [
    '1000001,笠間 太郎,かさま たろう,3091611,茨城県笠間市笠間1-1,市県民税,2025,1,"12,300",'
    "2025-06-30,2025/7/10,T-2025-0001",
    "1000002,友部 花子,ﾄﾓﾍﾞ ﾊﾅｺ,309-1792,茨城県笠間市中央三丁目2-1,固定資産税・都市計画税,令和7,2,45600,"
    "令和7年7月31日,,T-2025-0002",
]


def csv_bytes(*rows: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def count(municipality: Municipality) -> int:
    with municipality_scope(municipality):
        return Invoice.objects.count()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_file_in_any_supported_encoding_is_imported(kasama: Municipality, encoding: str) -> None:
    report = imports.import_invoices(kasama, csv_bytes(*GOOD, encoding=encoding))
    assert report.ok, [str(e) for e in report.errors]
    assert report.imported
    assert report.encoding == encoding
    with municipality_scope(kasama):
        first = Invoice.objects.get(source_reference="T-2025-0001")
        second = Invoice.objects.get(source_reference="T-2025-0002")
    assert (first.payer_number, first.payer_name, first.payer_name_kana) == (
        "1000001",
        "笠間 太郎",
        "カサマ\u3000タロウ",
    )
    assert first.payer_postal_code == "309-1611"
    assert (first.item, first.fiscal_year, first.instalment, first.amount) == (
        Item.MUNICIPAL_INHABITANT_TAX,
        2025,
        1,
        12_300,
    )
    assert (first.due_date, first.payable_until) == (date(2025, 6, 30), date(2025, 7, 10))
    assert (second.item, second.fiscal_year, second.amount) == (Item.FIXED_ASSET_TAX, 2025, 45_600)
    assert second.payer_name_kana == "トモベ\u3000ハナコ"
    assert second.due_date == second.payable_until == date(2025, 7, 31)


def test_a_dry_run_reports_and_writes_nothing(kasama: Municipality) -> None:
    make_invoice(kasama, amount=12_300, item=Item.MUNICIPAL_INHABITANT_TAX, source_reference="T-2025-0001")
    report = imports.import_invoices(kasama, csv_bytes(*GOOD), dry_run=True)
    assert report.ok
    assert not report.imported
    assert [r.row for r in report.to_create] == [3]
    assert [r.row for r in report.already_imported] == [2]
    assert report.total_amount == 45_600
    assert count(kasama) == 1


def test_one_bad_row_imports_nothing_and_every_problem_is_reported(kasama: Municipality) -> None:
    bad = [
        *GOOD,
        "1000003,,ヤマダ,12345,住所,市民税,2025,13,-5,2025-13-01,,T-2025-0003",
        "1000004,山田 一郎,山田,,住所,犬税,20x5,1,100,2025-06-30,2025-06-01,T-2025-0001",
    ]
    with translation.override("ja"):
        report = imports.import_invoices(kasama, csv_bytes(*bad))
    assert not report.imported
    assert count(kasama) == 0
    problems = {(e.row, e.column) for e in report.errors}
    assert {(4, "氏名"), (4, "郵便番号"), (4, "期別"), (4, "金額"), (4, "納期限")} <= problems
    assert {(5, "フリガナ"), (5, "科目"), (5, "年度"), (5, "取扱期限"), (5, "識別子")} <= problems
    assert report.rejected_rows == [4, 5]
    message = next(str(e) for e in report.errors if e.row == 5 and e.column == "識別子")
    assert message.startswith("5行目「識別子」")
    assert "2行目" in message


def test_rejections_are_translated(kasama: Municipality) -> None:
    with translation.override("en"):
        report = imports.validate(kasama, csv_bytes("1,山田,,,,,2025,1,100,2025-06-30,,X1"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "科目")]


def test_a_reimport_creates_nothing_twice(kasama: Municipality) -> None:
    assert imports.import_invoices(kasama, csv_bytes(*GOOD)).imported
    again = imports.import_invoices(kasama, csv_bytes(*GOOD))
    assert again.ok
    assert again.imported
    assert again.to_create == []
    assert len(again.already_imported) == 2
    assert count(kasama) == 2


def test_an_identifier_imported_with_other_content_is_refused(kasama: Municipality) -> None:
    make_invoice(kasama, amount=999, item=Item.MUNICIPAL_INHABITANT_TAX, source_reference="T-2025-0001")
    report = imports.import_invoices(kasama, csv_bytes(*GOOD))
    assert [(e.row, e.column) for e in report.errors] == [(2, "識別子")]
    assert count(kasama) == 1


def test_file_level_problems(kasama: Municipality) -> None:
    missing = imports.validate(kasama, csv_bytes(GOOD[0], header=HEADER.replace(",金額", ",額")))
    assert [e.row for e in missing.errors] == [0]
    assert "金額" in str(missing.errors[0])
    garbage = imports.validate(kasama, b"\xff\xfe\x00\x81\x00")
    assert not garbage.ok
    empty = imports.validate(kasama, csv_bytes())
    assert not empty.ok


def test_imports_are_per_municipality_and_audited(kasama: Municipality, mito: Municipality) -> None:
    imports.import_invoices(kasama, csv_bytes(*GOOD))
    assert count(mito) == 0
    report = imports.import_invoices(mito, csv_bytes(*GOOD))
    assert report.imported
    assert count(mito) == 2
    assert AuditEntry.objects.filter(object_type="payments.invoice", extra__import="tax_csv").count() == 2


def test_the_registry_offers_the_tax_csv() -> None:
    assert imports.IMPORTERS["tax_csv"].run is imports.import_invoices


def test_the_command_imports_and_dry_runs(kasama: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "tax.csv"
    path.write_bytes(csv_bytes(*GOOD, encoding="cp932"))
    out = StringIO()
    call_command("import_tax_invoices", "kasama", str(path), "--dry-run", stdout=out)
    assert "2 to create" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert count(kasama) == 0
    out = StringIO()
    call_command("import_tax_invoices", "kasama", str(path), stdout=out)
    assert "2/2" in out.getvalue()
    assert "Imported 2 invoices" in out.getvalue()
    assert count(kasama) == 2
    path.write_bytes(csv_bytes(GOOD[0], "x,,,,,,,,,,,"))
    with pytest.raises(CommandError):
        call_command("import_tax_invoices", "kasama", str(path), stdout=StringIO(), stderr=StringIO())
