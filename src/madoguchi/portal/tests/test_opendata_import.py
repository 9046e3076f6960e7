"""Importing files in the standard layout: a file written elsewhere (real published rows,
see data/) imports cleanly; a broken row is reported with its line and nothing is imported;
importing the same file again changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import translation

from madoguchi.core import services as core_services
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import OpenDataImportStatus, OpenDataRecord
from madoguchi.portal.opendata import registry, services

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"

#: The publishers of the fixture rows (their real codes), so the files' codes are their own.
PUBLISHERS = {
    "122033": ("市川市", "Ichikawa City", "ichikawa", "12"),
    "372013": ("高松市", "Takamatsu City", "takamatsu", "37"),
    "010006": ("北海道", "Hokkaido", "hokkaido", "01"),
}


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def publisher(code: str) -> Municipality:
    name_ja, name_en, slug, prefecture = PUBLISHERS[code]
    existing = Municipality.objects.filter(code=code).first()
    if existing:
        return existing
    return core_services.create_municipality(
        code=code, name_ja=name_ja, name_kana="てすと", name_en=name_en, slug=slug, prefecture=prefecture
    )


def records(municipality: Municipality, dataset: str) -> dict[str, dict[str, str]]:
    with municipality_scope(municipality):
        return {r.record_id: r.data for r in OpenDataRecord.objects.filter(dataset=dataset)}


@pytest.mark.parametrize(
    ("file", "dataset", "count"),
    [
        ("122033_public_facility.csv", "public_facility", 1),
        ("372013_aed.csv", "aed", 2),
        ("372013_event.csv", "event", 1),
        ("372013_tourism.csv", "tourism", 1),
        ("010006_hospital.csv", "hospital", 1),
        ("122033_preschool.csv", "preschool", 2),
        ("122033_evacuation_space.csv", "evacuation_space", 1),
    ],
)
def test_a_file_in_the_standard_layout_written_elsewhere_imports_cleanly(file: str, dataset: str, count: int) -> None:
    municipality = publisher(file[:6])
    run = services.import_file(municipality, dataset, (DATA / file).read_bytes(), user=None, file_name=file)
    assert run.errors == []
    assert run.status == OpenDataImportStatus.IMPORTED
    assert (run.row_count, run.created_count, run.updated_count) == (count, count, 0)
    assert len(records(municipality, dataset)) == count
    # What is exported again is what was imported, cell for cell.
    exported = services.dataset_rows(municipality, dataset)
    import csv
    import io

    with (DATA / file).open(encoding="utf-8") as original:
        written = list(csv.DictReader(io.StringIO(original.read())))
    assert [row["NO"] for row in exported][-count:] == [row["NO"] for row in written]


def test_values_are_read_as_published(kasama: Municipality) -> None:
    takamatsu = publisher("372013")
    services.import_file(takamatsu, "aed", (DATA / "372013_aed.csv").read_bytes())
    row = records(takamatsu, "aed")["41"]
    assert row["名称"] == "東谷コミュニティセンター"
    assert row["設置位置"] == "センター入口（正面右側）"
    assert row["利用可能曜日"] == "月火水木金土日"
    assert row["小児対応設備の有無"] == "有"
    assert row["緯度"] == "34.20457194"
    evacuation = publisher("122033")
    services.import_file(evacuation, "evacuation_space", (DATA / "122033_evacuation_space.csv").read_bytes())
    site = records(evacuation, "evacuation_space")["1"]
    assert site["災害種別_洪水"] == "1"
    assert site["災害種別_大規模な火事"] == ""
    assert site["災害種別_崖崩れ、土石流及び地滑り"] == "1"
    # Another municipality sees none of it.
    assert services.dataset_rows(kasama, "aed") == []


def test_reimporting_the_same_file_changes_nothing() -> None:
    takamatsu = publisher("372013")
    content = (DATA / "372013_aed.csv").read_bytes()
    services.import_file(takamatsu, "aed", content)
    with municipality_scope(takamatsu):
        before = {r.record_id: (r.data, r.updated_at, r.source_id) for r in OpenDataRecord.objects.all()}
    again = services.import_file(takamatsu, "aed", content)
    assert again.status == OpenDataImportStatus.IMPORTED
    assert (again.created_count, again.updated_count, again.deleted_count) == (0, 0, 0)
    with municipality_scope(takamatsu):
        after = {r.record_id: (r.data, r.updated_at, r.source_id) for r in OpenDataRecord.objects.all()}
    assert after == before
    # With replace_all too: every row is in the file, nothing to delete.
    third = services.import_file(takamatsu, "aed", content, replace_all=True)
    assert (third.created_count, third.updated_count, third.deleted_count) == (0, 0, 0)


def test_a_broken_row_is_reported_with_its_line_and_nothing_is_imported() -> None:
    takamatsu = publisher("372013")
    good = (DATA / "372013_aed.csv").read_text(encoding="utf-8")
    services.import_file(takamatsu, "aed", good.encode())
    before = records(takamatsu, "aed")
    lines = good.splitlines()
    # Line 2 changes validly; line 3 has an hour that does not exist and no 住所; a new
    # line 4 has a latitude without longitude.
    lines[1] = lines[1].replace("道の駅源平の里むれ", "道の駅 源平の里むれ")
    lines[2] = lines[2].replace("09:00,22:00", "09:00,25:00").replace("香川県高松市香川町東谷873-3", "")
    lines.append("372013,42,香川県,高松市,新しい施設,アタラシイシセツ,香川県高松市番町1-8-15,,34.34,,玄関,,,,,,,,,,,")
    broken = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    run = services.import_file(takamatsu, "aed", broken, file_name="372013_aed.csv")
    assert run.status == OpenDataImportStatus.REJECTED
    found = {(e["line"], e["column"]) for e in run.errors}
    assert found == {(3, "終了時間"), (3, "住所"), (4, "経度")}
    assert all(e["message"] for e in run.errors)
    assert (run.created_count, run.updated_count) == (0, 0)
    # Nothing half-imported: line 2's valid change and line 4's new row are not there.
    assert records(takamatsu, "aed") == before


def test_line_numbers_count_lines_of_the_file_when_a_cell_spans_lines() -> None:
    takamatsu = publisher("372013")
    header = (DATA / "372013_aed.csv").read_text(encoding="utf-8").splitlines()[0]
    content = (
        header + "\n"
        '372013,1,香川県,高松市,市役所,シヤクショ,香川県高松市番町1-8-15,,34.34,134.04,"1階\n正面玄関",,,,,,,,,,,\n'
        "372013,2,香川県,高松市,体育館,タイイクカン,香川県高松市,,34.34,134.04,入口,,,,,月火X,,,,,,\n"
    )
    run = services.import_file(takamatsu, "aed", content.encode())
    assert [(e["line"], e["column"]) for e in run.errors] == [(4, "利用可能曜日")]


def test_header_aliases_shift_jis_and_lost_leading_zero_are_accepted() -> None:
    hokkaido = publisher("010006")
    text = (DATA / "010006_hospital.csv").read_text(encoding="utf-8")
    header, row = text.splitlines()
    # As some publishers write it: 市町村, 所在地, lost leading zero, half-width カナ, 8:30.
    header = header.replace("市区町村名", "市町村").replace(",住所,", ",所在地,")
    row = row.replace("010006,", "10006,", 1).replace("シリツアサヒカワビョウイン", "ｼﾘﾂｱｻﾋｶﾜﾋﾞｮｳｲﾝ")
    row = row.replace("08:30", "8:30")
    run = services.import_file(hokkaido, "hospital", f"{header}\r\n{row}\r\n".encode("cp932"))
    assert run.errors == []
    data = records(hokkaido, "hospital")["287"]
    assert data["都道府県コード又は市区町村コード"] == "010006"
    assert data["名称_カナ"] == "シリツアサヒカワビョウイン"
    assert data["診療開始時間"] == "08:30"
    assert data["住所"] == "北海道旭川市金星町１丁目１番６５号"  # text is kept as published


def test_the_file_must_be_the_municipalitys_own_and_have_the_required_columns(kasama: Municipality) -> None:
    run = services.import_file(kasama, "aed", (DATA / "372013_aed.csv").read_bytes())
    assert run.status == OpenDataImportStatus.REJECTED
    assert {(e["line"], e["column"]) for e in run.errors} == {
        (2, "都道府県コード又は市区町村コード"),
        (3, "都道府県コード又は市区町村コード"),
    }
    run = services.import_file(kasama, "aed", "NO,名称\r\n1,AED\r\n".encode())
    assert [e["line"] for e in run.errors] == [1]
    assert "設置位置" in run.errors[0]["message"]
    assert records(kasama, "aed") == {}


def test_duplicate_no_and_replace_all(kasama: Municipality) -> None:
    header = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置"
    row = "082163,{no},茨城県,笠間市,{name},カサマ,茨城県笠間市中央三丁目2番1号,,36.3452,140.3040,1階"
    two = "\n".join([header, row.format(no=1, name="市役所"), row.format(no=2, name="公民館")])
    run = services.import_file(kasama, "aed", two.encode())
    assert run.created_count == 2
    duplicate = "\n".join([header, row.format(no=1, name="市役所"), row.format(no=1, name="公民館")])
    run = services.import_file(kasama, "aed", duplicate.encode())
    assert [(e["line"], e["column"]) for e in run.errors] == [(3, "NO")]
    one = "\n".join([header, row.format(no=1, name="市役所本庁舎")])
    run = services.import_file(kasama, "aed", one.encode(), replace_all=True)
    assert (run.created_count, run.updated_count, run.deleted_count) == (0, 1, 1)
    assert list(records(kasama, "aed")) == ["1"]


def test_management_command_imports_with_progress_and_reports_errors_by_line(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    publisher("372013")
    out = io.StringIO()
    call_command("import_opendata", "takamatsu", "aed", str(DATA / "372013_aed.csv"), stdout=out)
    assert "2/2" in out.getvalue()
    assert "追加 created 2" in out.getvalue()
    broken = tmp_path / "372013_aed.csv"
    broken.write_text((DATA / "372013_aed.csv").read_text(encoding="utf-8").replace("09:00,22:00", "9時,22:00"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="何も取り込んでいません"):
        call_command("import_opendata", "takamatsu", "aed", str(broken), stdout=io.StringIO(), stderr=err)
    assert "372013_aed.csv:3 [開始時間]" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_opendata", "takamatsu", "toilet", str(broken))


@pytest.mark.parametrize("dataset", ["aed", "hospital", "preschool", "evacuation_space"])
def test_the_demo_files_import_cleanly(kasama: Municipality, dataset: str) -> None:
    path = Path(__file__).parent.parent / "demo_data" / f"082163_{dataset}.csv"
    run = services.import_file(kasama, dataset, path.read_bytes(), file_name=path.name)
    assert run.errors == []
    assert run.created_count > 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("9:00", "09:00"), ("23:59", "23:59"), ("０８：３０", "08:30"), ("24:00", None), ("24:30", None), ("25:00", None)],
)
def test_times_are_hours_0_to_23(raw: str, expected: str | None) -> None:
    """A day has hours 00–23: 「24:00」 (or 24:30, a late-night shop's way of writing
    00:30) is refused with the HH:MM message rather than stored as a time that is not one."""
    takamatsu = publisher("372013")
    dataset = registry.get("aed")
    value, error = services._check_cell(dataset, "開始時間", raw, takamatsu)
    if expected is None:
        assert error is not None
        assert raw in error
    else:
        assert (value, error) == (expected, None)
