"""The website's service pages in a browser: a resident reads the holiday doctor rota
(today's duty marked, filtered by kind with the keyboard-usable form), and every service
page type — rota, service guide, procedure page, disaster hub, open data list — in
Japanese and English at 320 px (no sideways scrolling) and on a desktop; staff import a
rota in the console, see a broken row by its line with nothing imported, fix it and
import it. Every page is checked with axe-core and the CSP (conftest)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.portal.models import DutyKind, HolidayDoctorDuty, OpenDataRecord
from madoguchi.portal.services import rota
from madoguchi.portal.staff import rota as _staff_rota  # noqa: F401  (registers the console screens)
from madoguchi.portal.tests.factories import (
    home_page,
    make_dataset_list,
    make_disaster_hub,
    make_holiday_doctor_rota,
    make_procedure_link,
    make_service_guide,
)
from madoguchi.procedures.tests.factories import FormVersionFactory, ProcedureFactory
from madoguchi.testing.factories import make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def _duty(municipality: Municipality, day: dt.date, institution: str, kind: str = DutyKind.INTERNAL) -> None:
    HolidayDoctorDuty.unscoped.create(
        municipality=municipality,
        date=day,
        kind=kind,
        institution=institution,
        address="茨城県笠間市中央三丁目1番1号",
        phone="0296-77-1234",
        opens_at=dt.time(9, 0),
        closes_at=dt.time(17, 0),
        note="デモ",
    )


def _service_pages(kasama: Municipality) -> dict[str, str]:
    """One page of every service page type, in Japanese with an English translation;
    their Japanese paths by type."""
    home = home_page(kasama)
    today = timezone.localdate()
    _duty(kasama, today, "笠間中央内科クリニック（デモ）")
    _duty(kasama, today + dt.timedelta(days=7), "友部こどもクリニック（デモ）", DutyKind.INTERNAL_PAEDIATRICS)
    _duty(kasama, today + dt.timedelta(days=7), "岩間歯科医院（デモ）", DutyKind.DENTAL)
    procedure = ProcedureFactory.create(
        municipality=kasama,
        slug="child-allowance",
        name_ja="児童手当の認定請求",
        name_en="Child allowance claim",
        summary_ja="児童手当を受け取るための請求です。",
        summary_en="The claim to receive the child allowance.",
    )
    FormVersionFactory.create(procedure=procedure)
    OpenDataRecord.unscoped.create(
        municipality=kasama,
        dataset="evacuation_space",
        record_id="1",
        data={
            "NO": "1",
            "名称": "笠間小学校（デモ）",
            "名称_カナ": "カサマショウガッコウ",
            "住所": "茨城県笠間市笠間1",
            "緯度": "36.3850",
            "経度": "140.2580",
            "電話番号": "0296-72-0000",
            "災害種別_地震": "1",
            "災害種別_大規模な火事": "1",
            "指定避難所との重複": "1",
            "想定収容人数": "500",
        },
    )
    OpenDataRecord.unscoped.create(
        municipality=kasama,
        dataset="aed",
        record_id="1",
        data={
            "NO": "1",
            "名称": "笠間市役所（デモ）",
            "名称_カナ": "カサマシヤクショ",
            "住所": "茨城県笠間市中央三丁目2番1号",
            "緯度": "36.3453",
            "経度": "140.3042",
            "設置位置": "1階 正面玄関",
            "利用可能曜日": "月火水木金",
            "開始時間": "08:30",
            "終了時間": "17:15",
        },
    )
    pages = {
        "rota": make_holiday_doctor_rota(
            home,
            lead="日曜・祝日に急病になったときに受診できる医療機関です。",
            body="<h2>電話で相談する</h2><p>救急電話相談 #7119、子ども救急電話相談 #8000</p>",
            english={"title": "Holiday doctors", "lead": "Clinics open on Sundays and holidays."},
        ),
        "guide": make_service_guide(
            home,
            "児童手当",
            "child-allowance",
            field="childcare",
            target="中学校修了前のお子さんを養育している方",
            content="<p>月額1万円から1万5千円（デモ）</p>",
            how_to_apply="<p>出生や転入の翌日から15日以内に申請してください。</p>",
            fee="無料",
            required_items="請求者名義の預金通帳",
            procedure=procedure,
            english={"title": "Child allowance", "target": "Parents of children up to junior high school"},
        ),
        "procedure": make_procedure_link(
            home, "児童手当の申請", "apply-child-allowance", procedure=procedure, english="Applying for child allowance"
        ),
        "hub": make_disaster_hub(
            home,
            body="<h2>日ごろの備え</h2><p>非常持出品を用意しましょう。</p>",
            english={"title": "Disaster information", "body": "<h2>Be prepared</h2><p>Keep an emergency bag.</p>"},
        ),
        "aed": make_dataset_list(home, "AEDの設置場所", "aed", dataset="aed", english="AED locations"),
    }
    return {key: page.url for key, page in pages.items()}


def test_a_resident_reads_the_rota_and_filters_by_kind(page: Page, base_url: str, kasama: Municipality) -> None:
    paths = _service_pages(kasama)
    page.goto(base_url + paths["rota"])
    expect(page.get_by_role("heading", level=1)).to_have_text("休日当番医")
    today = page.locator('[aria-current="date"]')
    expect(today).to_contain_text("本日の当番医")
    expect(today).to_contain_text("笠間中央内科クリニック（デモ）")
    expect(page.get_by_role("link", name="0296-77-1234").first).to_have_attribute("href", "tel:0296771234")
    expect(page.get_by_text("#7119")).to_be_visible()
    # The filter with the keyboard: choose 歯科 and submit.
    page.get_by_label("診療科目", exact=True).select_option("dental")
    page.get_by_role("button", name="絞り込む").press("Enter")
    expect(page.get_by_label("診療科目", exact=True)).to_have_value("dental")
    expect(page.get_by_role("heading", name="岩間歯科医院（デモ）")).to_be_visible()
    expect(page.get_by_text("笠間中央内科クリニック（デモ）")).to_have_count(0)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_service_page_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    page = phone_page
    paths = _service_pages(kasama)
    prefix = "/en" if language == "en" else ""
    for path in paths.values():
        page.goto(base_url + prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _fits(page)
    page.goto(base_url + prefix + paths["hub"])
    expect(page.locator(".hub-none")).to_be_visible()
    expect(page.locator(".place-card")).to_contain_text("笠間小学校（デモ）")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_service_page_on_a_desktop(page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    paths = _service_pages(kasama)
    prefix = "/en" if language == "en" else ""
    for path in paths.values():
        page.goto(base_url + prefix + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(base_url + prefix + paths["procedure"])
    apply = page.locator(".online-procedure .button")
    expect(apply).to_have_attribute("href", f"{prefix}/kasama/procedures/p/child-allowance/apply/")
    page.goto(base_url + prefix + paths["aed"])
    page.locator("#dataset-q").fill("しやくしょ")
    page.locator("#dataset-q").press("Enter")
    expect(page.locator(".place-card")).to_have_count(1)
    expect(page.locator(".place-card")).to_contain_text("1階 正面玄関")


def _rota_file(tmp_path: Path, *rows: list[str]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rota.ROTA_COLUMNS)
    writer.writerows(rows)
    path = tmp_path / "rota.csv"
    path.write_bytes(("\ufeff" + out.getvalue()).encode())
    return path


def test_staff_import_a_rota_with_a_broken_row_then_fixed(
    context: BrowserContext,
    page: Page,
    base_url: str,
    kasama: Municipality,
    console_assets: dict[str, tuple[str, bytes]],
    tmp_path: Path,
) -> None:
    serve_assets(context, console_assets)
    editor = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    sign_in(context, base_url, editor)
    sunday = timezone.localdate() + dt.timedelta(days=(6 - timezone.localdate().weekday()) or 7)
    day = sunday.isoformat()
    good_row = [day, "内科", "笠間中央内科（デモ）", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""]
    eye_row = [day, "眼科", "笠間眼科（デモ）", "茨城県笠間市中央2-2", "0296-77-2222", "9:00", "17:00", ""]
    broken = _rota_file(tmp_path, good_row, eye_row)
    page.goto(f"{base_url}/staff/website/holiday-doctors/")
    page.get_by_role("link", name="CSVから取り込む").click()
    page.get_by_label("当番表のCSVファイル").set_input_files(str(broken))
    page.get_by_role("button", name="取り込む").click()
    errors = page.get_by_role("table", name="ファイルの誤り（行ごと）")
    expect(errors).to_contain_text("3行目", timeout=20_000)
    expect(errors).to_contain_text("診療科目")
    assert not HolidayDoctorDuty.unscoped.exists()

    fixed = _rota_file(tmp_path, good_row)
    page.get_by_label("当番表のCSVファイル").set_input_files(str(fixed))
    page.get_by_role("button", name="取り込む").click()
    expect(page.get_by_text("当番表を取り込みました")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("table")).to_contain_text("笠間中央内科（デモ）")
    assert HolidayDoctorDuty.unscoped.filter(municipality=kasama).count() == 1
