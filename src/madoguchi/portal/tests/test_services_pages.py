"""The website's service pages: the holiday doctor rota (page, console, CSV import and
export), service guides and procedure pages (linking the catalog), the disaster hub (its
provider registry, evacuation sites from open data) and the open data list page. Each
shows its own municipality's data only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from madoguchi.accounts.models import Role
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.portal import disaster_hub
from madoguchi.portal.models import DutyKind, HolidayDoctorDuty, OpenDataRecord
from madoguchi.portal.services import rota
from madoguchi.portal.services.dataset_listing import listing
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
from madoguchi.testing.tenancy import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> Iterator[None]:
    with translation.override("ja"):
        yield


def duty(municipality: Municipality, day: dt.date, institution: str, **fields: Any) -> HolidayDoctorDuty:
    values: dict[str, Any] = {
        "kind": DutyKind.INTERNAL,
        "address": "茨城県笠間市中央1-1",
        "phone": "0296-77-0000",
        "opens_at": dt.time(9, 0),
        "closes_at": dt.time(17, 0),
    }
    values.update(fields)
    return HolidayDoctorDuty.unscoped.create(municipality=municipality, date=day, institution=institution, **values)


def rota_csv(*rows: list[str], heading: tuple[str, ...] = rota.ROTA_COLUMNS, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(heading)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


# --- The rota page -----------------------------------------------------------------------


def test_rota_page_groups_coming_duties_by_date_and_marks_today(client: Client, kasama: Municipality) -> None:
    today = timezone.localdate()
    page = make_holiday_doctor_rota(
        home_page(kasama),
        lead="日曜・祝日に診療する医療機関です。",
        body="<p>救急電話相談 #7119</p><p>子ども救急電話相談 #8000</p>",
        weeks_shown=2,
    )
    duty(kasama, today, "きょう内科医院")
    duty(kasama, today + dt.timedelta(days=7), "来週歯科", kind=DutyKind.DENTAL, note="予約優先")
    duty(kasama, today + dt.timedelta(days=7), "来週内科")
    duty(kasama, today - dt.timedelta(days=1), "きのう医院")
    duty(kasama, today + dt.timedelta(weeks=3), "さらいしゅう先医院")
    body = client.get(page.url).content.decode()
    assert "<h1>休日当番医</h1>" in body
    assert "日曜・祝日に診療する医療機関です。" in body
    assert "#7119" in body
    assert "#8000" in body
    assert "きょう内科医院" in body
    assert "来週歯科" in body
    assert "来週内科" in body
    assert "きのう医院" not in body
    assert "さらいしゅう先医院" not in body
    assert 'aria-current="date"' in body
    assert "本日の当番医" in body
    assert body.count('aria-current="date"') == 1
    # Grouped by date, kinds in order: 内科 before 歯科 on the same day.
    assert body.index("きょう内科医院") < body.index("来週内科") < body.index("来週歯科")
    assert 'href="tel:0296770000"' in body
    assert "予約優先" in body
    assert f'<time datetime="{today.isoformat()}">' in body


def test_rota_page_filters_by_kind(client: Client, kasama: Municipality) -> None:
    day = timezone.localdate() + dt.timedelta(days=3)
    page = make_holiday_doctor_rota(home_page(kasama))
    duty(kasama, day, "笠間内科", kind=DutyKind.INTERNAL)
    duty(kasama, day, "笠間歯科", kind=DutyKind.DENTAL)
    body = client.get(page.url, {"kind": "dental"}).content.decode()
    assert "笠間歯科" in body
    assert "笠間内科" not in body
    assert '<option value="dental" selected>' in body
    # An unknown kind shows every kind rather than an error.
    body = client.get(page.url, {"kind": "nonsense"}).content.decode()
    assert "笠間歯科" in body
    assert "笠間内科" in body
    body = client.get(page.url, {"kind": "surgery"}).content.decode()
    assert "この診療科目の当番医は、この期間には予定されていません。" in body


def test_rota_page_empty_and_other_municipality(client: Client, kasama: Municipality, mito: Municipality) -> None:
    page = make_holiday_doctor_rota(home_page(kasama))
    duty(mito, timezone.localdate() + dt.timedelta(days=1), "水戸の医院")
    body = client.get(page.url).content.decode()
    assert "水戸の医院" not in body
    assert "この期間の当番医は、まだ掲載されていません。" in body


def test_rota_page_in_english(client: Client, kasama: Municipality) -> None:
    page = make_holiday_doctor_rota(home_page(kasama), english={"title": "Holiday doctors"})
    duty(kasama, timezone.localdate() + dt.timedelta(days=1), "笠間内科")
    response = client.get("/en" + page.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert "<h1>Holiday doctors</h1>" in body
    assert "笠間内科" in body


# --- Rota import and export ---------------------------------------------------------------


def test_import_creates_duties_and_is_idempotent(kasama: Municipality) -> None:
    data = rota_csv(
        ["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""],
        [
            "２０２６/１２/０６",
            "歯科",
            "笠間歯科",
            "茨城県笠間市中央2-2",
            "0296-77-2222",
            "９:００",
            "12:00",
            "午前のみ",
        ],
        [
            "2026-12-13",
            "内科・小児科",
            "友部こどもクリニック（デモ）",
            "茨城県笠間市友部1",
            "0296-77-3333",
            "9:00",
            "16:30",
            "",
        ],
    )
    result = rota.import_rota(kasama, data)
    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    dental = HolidayDoctorDuty.unscoped.get(municipality=kasama, institution="笠間歯科")
    assert dental.date == dt.date(2026, 12, 6)
    assert dental.opens_at == dt.time(9, 0)
    assert dental.note == "午前のみ"
    children = HolidayDoctorDuty.unscoped.get(institution="友部こどもクリニック（デモ）")
    assert children.kind == DutyKind.INTERNAL_PAEDIATRICS
    again = rota.import_rota(kasama, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert HolidayDoctorDuty.unscoped.filter(municipality=kasama).count() == 3


def test_import_updates_a_changed_duty(kasama: Municipality) -> None:
    duty(kasama, dt.date(2026, 12, 6), "笠間内科", phone="0296-00-0000")
    data = rota_csv(["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""])
    result = rota.import_rota(kasama, data)
    assert (result.created, result.updated) == (0, 1)
    assert HolidayDoctorDuty.unscoped.get(institution="笠間内科").phone == "0296-77-1111"


def test_a_broken_row_is_reported_with_its_line_and_nothing_is_imported(kasama: Municipality) -> None:
    data = rota_csv(
        ["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""],
        ["2026-12-06", "眼科", "笠間眼科", "茨城県笠間市中央2-2", "0296-77-2222", "09:00", "17:00", ""],
        ["2026-13-01", "内科", "友部医院", "茨城県笠間市友部1", "0296-77-3333", "09:00", "17:00", ""],
        ["2026-12-20", "内科", "岩間医院", "茨城県笠間市岩間1", "0296-77-4444", "17:00", "09:00", ""],
        ["2026-12-27", "内科", "", "茨城県笠間市岩間1", "0296-77-4444", "9時", "17:00", ""],
        ["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""],
    )
    with pytest.raises(rota.RotaImportError) as raised:
        rota.import_rota(kasama, data)
    by_line: dict[int, list[str]] = {}
    for error in raised.value.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert "診療科目" in by_line[3][0]
    assert "日付" in by_line[4][0]
    assert any("受付終了" in message for message in by_line[5])
    assert any("医療機関名" in message for message in by_line[6])
    assert any("受付開始" in m for m in by_line[6])
    assert "2行目と同じ当番" in by_line[7][0]
    assert not HolidayDoctorDuty.unscoped.exists()


def test_import_refuses_a_file_without_the_columns(kasama: Municipality) -> None:
    with pytest.raises(rota.RotaImportError) as raised:
        rota.import_rota(kasama, rota_csv(["2026-12-06", "内科"], heading=("日付", "診療科目")))
    assert raised.value.errors[0].line == 1
    assert "医療機関名" in raised.value.errors[0].message
    with pytest.raises(rota.RotaImportError) as raised:
        rota.import_rota(kasama, "日付,診療科目\n".encode() + b"\x81")
    assert raised.value.errors[0].line == 0


def test_export_rows_import_again(kasama: Municipality, mito: Municipality) -> None:
    duty(kasama, dt.date(2026, 12, 6), "笠間内科", kind=DutyKind.INTERNAL_PAEDIATRICS, note="発熱外来あり")
    rows = rota.export_rows(kasama, HolidayDoctorDuty.unscoped.filter(municipality=kasama))
    assert rows[0] == list(rota.ROTA_COLUMNS)
    assert rows[1] == [
        "2026-12-06",
        "内科・小児科",
        "笠間内科",
        "茨城県笠間市中央1-1",
        "0296-77-0000",
        "09:00",
        "17:00",
        "発熱外来あり",
    ]
    result = rota.import_rota(mito, rota_csv(*rows[1:]))
    assert result.created == 1
    assert HolidayDoctorDuty.unscoped.get(municipality=mito).note == "発熱外来あり"


# --- The rota in the staff console ------------------------------------------------------------


@pytest.fixture
def editor(kasama: Municipality) -> Any:
    return make_staff(kasama, Role.MUNICIPAL_ADMIN)


def test_console_lists_only_own_duties_with_search_filter_and_export(
    client: Client, kasama: Municipality, mito: Municipality, editor: Any
) -> None:
    duty(kasama, dt.date(2026, 12, 6), "笠間内科")
    duty(kasama, dt.date(2026, 12, 13), "笠間歯科", kind=DutyKind.DENTAL)
    duty(mito, dt.date(2026, 12, 6), "水戸内科")
    sign_in(client, editor)
    body = client.get("/staff/website/holiday-doctors/").content.decode()
    assert "笠間内科" in body
    assert "笠間歯科" in body
    assert "水戸内科" not in body
    body = client.get("/staff/website/holiday-doctors/", {"q": "歯科"}).content.decode()
    assert "笠間歯科" in body
    assert "笠間内科" not in body
    body = client.get("/staff/website/holiday-doctors/", {"kind": "internal"}).content.decode()
    assert "笠間内科" in body
    assert "笠間歯科" not in body
    body = client.get("/staff/website/holiday-doctors/", {"date_from": "2026-12-10"}).content.decode()
    assert "笠間歯科" in body
    assert "笠間内科" not in body
    response = client.get("/staff/website/holiday-doctors/", {"export": "csv"})
    text = (
        b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        if response.streaming
        else response.content.decode()
    )
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(rota.ROTA_COLUMNS)
    assert lines[1] == "2026-12-06,内科,笠間内科,茨城県笠間市中央1-1,0296-77-0000,09:00,17:00,"
    assert "水戸内科" not in text
    # Another municipality's duty cannot be opened by its id.
    other = HolidayDoctorDuty.unscoped.get(institution="水戸内科")
    assert client.get(f"/staff/website/holiday-doctors/edit/{other.pk}/").status_code == 404
    assert client.post(f"/staff/website/holiday-doctors/delete/{other.pk}/").status_code == 404
    assert HolidayDoctorDuty.unscoped.filter(pk=other.pk).exists()


def test_console_create_edit_and_delete_a_duty(client: Client, kasama: Municipality, editor: Any) -> None:
    sign_in(client, editor)
    form = {
        "date": "2026-12-06",
        "kind": "internal",
        "institution": "笠間内科",
        "address": "茨城県笠間市中央1-1",
        "phone": "0296-77-1111",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "note": "",
    }
    response = client.post("/staff/website/holiday-doctors/new/", form)
    assert response.status_code == 302
    created = HolidayDoctorDuty.unscoped.get(institution="笠間内科")
    assert created.municipality_id == kasama.pk
    assert AuditEntry.objects.filter(action="create", object_type="portal.holidaydoctorduty").exists()
    # The same duty again: a message by the field, nothing saved twice (double submit).
    response = client.post("/staff/website/holiday-doctors/new/", form)
    assert response.status_code == 200
    assert "既に登録されています" in response.content.decode()
    assert HolidayDoctorDuty.unscoped.count() == 1
    # Closing before opening is refused with a message.
    response = client.post(f"/staff/website/holiday-doctors/edit/{created.pk}/", {**form, "closes_at": "08:00"})
    assert "受付終了は受付開始より後にしてください。" in response.content.decode()
    response = client.post(f"/staff/website/holiday-doctors/edit/{created.pk}/", {**form, "note": "発熱外来あり"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.note == "発熱外来あり"
    response = client.post(f"/staff/website/holiday-doctors/delete/{created.pk}/")
    assert response.status_code == 302
    assert not HolidayDoctorDuty.unscoped.exists()
    assert AuditEntry.objects.filter(action="delete", object_type="portal.holidaydoctorduty").exists()


def test_console_import_shows_errors_by_line_then_imports(client: Client, kasama: Municipality, editor: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, editor)
    assert client.get("/staff/website/holiday-doctors/import/").status_code == 200
    broken = rota_csv(
        ["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""],
        ["2026-12-06", "眼科", "笠間眼科", "茨城県笠間市中央2-2", "0296-77-2222", "09:00", "17:00", ""],
    )
    response = client.post(
        "/staff/website/holiday-doctors/import/", {"file": SimpleUploadedFile("rota.csv", broken, "text/csv")}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "3行目" in body
    assert "診療科目" in body
    assert "何も取り込んでいません" in body
    assert not HolidayDoctorDuty.unscoped.exists()
    good = rota_csv(["2026-12-06", "内科", "笠間内科", "茨城県笠間市中央1-1", "0296-77-1111", "09:00", "17:00", ""])
    response = client.post(
        "/staff/website/holiday-doctors/import/", {"file": SimpleUploadedFile("rota.csv", good, "text/csv")}
    )
    assert response.status_code == 302
    assert HolidayDoctorDuty.unscoped.get().municipality_id == kasama.pk


def test_console_rota_needs_edit_website(client: Client, kasama: Municipality) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK) if hasattr(Role, "COUNTER_CLERK") else make_staff(kasama)
    sign_in(client, clerk)
    assert client.get("/staff/website/holiday-doctors/").status_code in (302, 403)
    assert client.get("/staff/website/holiday-doctors/import/").status_code in (302, 403)


# --- Service guides and procedure pages ------------------------------------------------------


@pytest.fixture
def procedure(kasama: Municipality) -> Any:
    procedure = ProcedureFactory.create(
        municipality=kasama,
        slug="child-allowance",
        name_ja="児童手当の認定請求",
        name_en="Child allowance claim",
        summary_ja="児童手当を受け取るための請求です。",
        fee_note_ja="",
    )
    FormVersionFactory.create(procedure=procedure)
    return procedure


def test_service_guide_links_the_online_procedure(client: Client, kasama: Municipality, procedure: Any) -> None:
    page = make_service_guide(
        home_page(kasama),
        "児童手当",
        "child-allowance",
        field="childcare",
        lead="中学生までのお子さんを育てている方へ",
        target="笠間市に住み、中学校修了前のお子さんを養育している方",
        content="<p>月額1万円から1万5千円</p>",
        how_to_apply="<p>出生や転入の翌日から15日以内に申請してください。</p>",
        fee="無料",
        required_items="請求者名義の預金通帳\n健康保険証",
        procedure=procedure,
    )
    body = client.get(page.url).content.decode()
    assert "<h1>児童手当</h1>" in body
    assert "子育て" in body
    for text in ("対象となる方", "月額1万円から1万5千円", "15日以内", "無料", "健康保険証"):
        assert text in body
    assert 'href="/kasama/procedures/p/child-allowance/apply/"' in body
    assert "児童手当の認定請求をオンラインで申請する" in body
    assert 'href="/kasama/procedures/p/child-allowance/"' in body


def test_service_guide_without_or_with_an_unpublished_procedure(
    client: Client, kasama: Municipality, procedure: Any
) -> None:
    page = make_service_guide(home_page(kasama), "乳幼児健診", "checkups", how_to_apply="<p>通知が届きます。</p>")
    body = client.get(page.url).content.decode()
    assert "通知が届きます。" in body
    assert "/procedures/p/" not in body
    guide = make_service_guide(home_page(kasama), "児童手当", "child-allowance", procedure=procedure)
    procedure.is_published = False
    procedure.save()
    body = client.get(guide.url).content.decode()
    assert "/procedures/p/child-allowance/" not in body


def test_procedure_link_page_shows_summary_fee_and_apply_button(
    client: Client, kasama: Municipality, procedure: Any
) -> None:
    page = make_procedure_link(home_page(kasama), "児童手当の申請", "apply-child-allowance", procedure=procedure)
    body = client.get(page.url).content.decode()
    assert "児童手当を受け取るための請求です。" in body
    assert "手数料" in body
    assert "300円" in body
    assert "（1通あたり）" in body
    assert 'href="/kasama/procedures/p/child-allowance/apply/"' in body
    procedure.is_published = False
    procedure.save()
    body = client.get(page.url).content.decode()
    assert "この手続は、現在オンラインでは案内していません。" in body
    assert "/apply/" not in body


def test_procedure_link_page_in_english_uses_english_urls_and_names(
    client: Client, kasama: Municipality, procedure: Any
) -> None:
    page = make_procedure_link(
        home_page(kasama), "児童手当の申請", "apply-child-allowance", english="Child allowance", procedure=procedure
    )
    body = client.get("/en" + page.url).content.decode()
    assert 'href="/en/kasama/procedures/p/child-allowance/apply/"' in body
    assert "Child allowance claim" in body


# --- The disaster hub -----------------------------------------------------------------------


@pytest.fixture
def clean_registry() -> Iterator[None]:
    saved = disaster_hub.providers()
    for name in saved:
        disaster_hub.unregister(name)
    yield
    for name in disaster_hub.providers():
        disaster_hub.unregister(name)
    for name, provider in saved.items():
        disaster_hub.register(name, provider)


def test_disaster_hub_without_providers_says_no_current_alerts(
    client: Client, kasama: Municipality, clean_registry: None
) -> None:
    page = make_disaster_hub(home_page(kasama), body="<h2>日ごろの備え</h2><p>非常持出品</p>")
    body = client.get(page.url).content.decode()
    assert "現在、発表中の避難情報や警報はありません。" in body
    assert "非常持出品" in body
    assert "指定緊急避難場所" not in body  # no open data rows yet


def test_disaster_hub_shows_provider_items_most_severe_first(
    client: Client, kasama: Municipality, mito: Municipality, clean_registry: None
) -> None:
    def alerts(municipality: Municipality, language: str) -> list[disaster_hub.HubItem]:
        if municipality.pk != kasama.pk:
            return [disaster_hub.HubItem(title="水戸の情報")]
        return [
            disaster_hub.HubItem(title="避難所を開設しました", level=disaster_hub.Level.INFO),
            disaster_hub.HubItem(
                title="避難指示（涸沼川沿い）" if language == "ja" else "Evacuation order",
                level=disaster_hub.Level.EMERGENCY,
                url="https://example.jp/alert",
                area="大橋地区",
            ),
        ]

    def broken(municipality: Municipality, language: str) -> list[disaster_hub.HubItem]:
        raise RuntimeError("gauge server down")

    disaster_hub.register("test.alerts", alerts)
    disaster_hub.register("test.broken", broken)
    page = make_disaster_hub(home_page(kasama))
    body = client.get(page.url).content.decode()
    assert "ありません" not in body
    assert body.index("避難指示（涸沼川沿い）") < body.index("避難所を開設しました")
    assert "緊急" in body
    assert "大橋地区" in body
    assert "水戸の情報" not in body
    items = disaster_hub.current_items(kasama, "en")
    assert items[0].title == "Evacuation order"
    assert items[0].source == "test.alerts"


EVACUATION_ROW = {
    "NO": "1",
    "名称": "笠間小学校",
    "名称_カナ": "カサマショウガッコウ",
    "住所": "茨城県笠間市笠間1",
    "緯度": "36.3850",
    "経度": "140.2580",
    "電話番号": "0296-72-0000",
    "市区町村コード": "082163",
    "災害種別_洪水": "",
    "災害種別_地震": "1",
    "災害種別_大規模な火事": "1",
    "指定避難所との重複": "1",
    "想定収容人数": "500",
}


def test_disaster_hub_lists_evacuation_spaces_from_open_data(
    client: Client, kasama: Municipality, mito: Municipality, clean_registry: None
) -> None:
    OpenDataRecord.unscoped.create(municipality=kasama, dataset="evacuation_space", record_id="1", data=EVACUATION_ROW)
    OpenDataRecord.unscoped.create(
        municipality=mito, dataset="evacuation_space", record_id="1", data={**EVACUATION_ROW, "名称": "水戸小学校"}
    )
    page = make_disaster_hub(home_page(kasama))
    body = client.get(page.url).content.decode()
    assert "指定緊急避難場所" in body
    assert "笠間小学校" in body
    assert "水戸小学校" not in body
    assert "地震" in body
    assert "大規模な火事" in body
    assert "洪水" not in body
    assert "指定避難所を兼ねます" in body
    assert "500" in body
    assert "https://maps.gsi.go.jp/#17/36.385000/140.258000/" in body
    page.show_evacuation_sites = False
    page.save_revision().publish()
    assert "笠間小学校" not in client.get(page.url).content.decode()


# --- The dataset list page --------------------------------------------------------------------

AED_ROW = {
    "NO": "1",
    "名称": "笠間市役所",
    "名称_カナ": "カサマシヤクショ",
    "住所": "茨城県笠間市中央三丁目2番1号",
    "緯度": "36.3453",
    "経度": "140.3042",
    "設置位置": "1階 正面玄関",
    "利用可能曜日": "月火水木金",
    "開始時間": "08:30",
    "終了時間": "17:15",
    "小児対応設備の有無": "有",
    "URL": "javascript:alert(1)",
}


def test_dataset_list_page_shows_and_searches_rows(client: Client, kasama: Municipality, mito: Municipality) -> None:
    OpenDataRecord.unscoped.create(municipality=kasama, dataset="aed", record_id="1", data=AED_ROW)
    OpenDataRecord.unscoped.create(
        municipality=kasama,
        dataset="aed",
        record_id="2",
        data={**AED_ROW, "名称": "友部駅", "名称_カナ": "トモベエキ", "住所": "茨城県笠間市友部駅前1"},
    )
    OpenDataRecord.unscoped.create(
        municipality=mito, dataset="aed", record_id="1", data={**AED_ROW, "名称": "水戸市役所"}
    )
    page = make_dataset_list(home_page(kasama), "AEDの設置場所", "aed", dataset="aed", lead="市内のAED")
    body = client.get(page.url).content.decode()
    assert "笠間市役所" in body
    assert "友部駅" in body
    assert "水戸市役所" not in body
    assert "1階 正面玄関" in body
    assert "月火水木金" in body
    assert "javascript:" not in body
    assert "2件" in body
    # By reading in hiragana, width-insensitively.
    body = client.get(page.url, {"q": "ともべ"}).content.decode()
    assert "友部駅" in body
    assert "笠間市役所" not in body
    assert "2件中1件" in body
    body = client.get(page.url, {"q": "存在しない"}).content.decode()
    assert "見つかりませんでした" in body


def test_dataset_list_page_with_an_unknown_dataset(client: Client, kasama: Municipality) -> None:
    page = make_dataset_list(home_page(kasama), "準備中", "soon", dataset="unknown")
    body = client.get(page.url).content.decode()
    assert "このページのデータは準備中です。" in body
    assert listing(kasama, "unknown").known is False


def test_disaster_hub_takes_content_pages_below_it(kasama: Municipality) -> None:
    """The hub's guidance pages (避難所の一覧, 非常持出品 …) are ContentPages below it: both
    sides of Wagtail's parent/child rule must allow it, or the editor offers no page type."""
    from madoguchi.portal.models import ContentPage

    hub = make_disaster_hub(home_page(kasama))
    assert ContentPage in hub.specific_class.allowed_subpage_models()
    assert ContentPage.can_create_at(hub)
    child = ContentPage(title="非常持出品", slug="mochidashi", locale=hub.locale)
    hub.add_child(instance=child)
    child.save_revision().publish()
    assert child.get_parent().pk == hub.pk
