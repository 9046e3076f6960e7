"""Open data in a browser: the catalogue page (every dataset with its licence, update date,
download count and CSV/JSON downloads) in Japanese and English on a 320 px phone and a
desktop; a download is counted; staff import a file in the console, see a broken row by
its line with nothing imported, fix it and import it. Every page is checked with axe-core
and the CSP (conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.portal.models import DatasetDownload, OpenDataRecord
from madoguchi.portal.opendata import services
from madoguchi.portal.staff import opendata as _staff_opendata  # noqa: F401  (registers the console screen)
from madoguchi.portal.tests.factories import home_page, make_open_data_catalog
from madoguchi.testing.factories import make_staff

from .layout import sideways_overflow
from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]

HEADER = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置"
ROWS = [
    "082163,1,茨城県,笠間市,笠間市役所（デモ）,カサマシヤクショ,茨城県笠間市中央3-2-1,,36.345,140.304,1階 正面玄関",
    "082163,2,茨城県,笠間市,笠間公民館（デモ）,カサマコウミンカン,茨城県笠間市笠間1056-1,,36.385,140.258,事務室前",
]


def _fits(page: Page) -> None:
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def _catalogue(kasama: Municipality) -> str:
    services.import_file(kasama, "aed", "\r\n".join([HEADER, *ROWS]).encode())
    page = make_open_data_catalog(
        home_page(kasama),
        english={"title": "Open data", "lead": "The city's data, free to reuse."},
        lead="市のデータを自由に使えるように公開しています。",
    )
    return str(page.url)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_on_a_phone(phone_page: Page, base_url: str, kasama: Municipality, language: str) -> None:
    page = phone_page
    path = _catalogue(kasama)
    prefix = "/en" if language == "en" else ""
    page.goto(base_url + prefix + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text("オープンデータ" if language == "ja" else "Open data")
    expect(page.locator(".dataset-card")).to_have_count(7)
    aed = page.locator("#dataset-aed")
    expect(aed).to_contain_text("AED設置箇所一覧" if language == "ja" else "AED locations")
    expect(aed).to_contain_text("082163_aed.csv")
    expect(aed).to_contain_text("CC BY 4.0")
    _fits(page)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_catalogue_on_a_desktop_and_a_download_is_counted(
    page: Page, base_url: str, kasama: Municipality, language: str
) -> None:
    path = _catalogue(kasama)
    prefix = "/en" if language == "en" else ""
    page.goto(base_url + prefix + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".opendata-licence")).to_contain_text("CC BY 4.0")
    aed = page.locator("#dataset-aed")
    expect(aed).to_contain_text("2件" if language == "ja" else "2")
    with page.expect_download() as info:
        aed.get_by_role("link", name="CSV", exact=False).first.click()
    download = info.value
    assert download.suggested_filename == "082163_aed.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf" + HEADER.encode()[:30])
    assert DatasetDownload.unscoped.get(dataset="aed", format="csv").count == 1  # type: ignore[attr-defined]
    page.reload()
    expect(page.locator("#dataset-aed")).to_contain_text("1")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_staff_import_a_file_with_a_broken_row_then_fixed(
    context: BrowserContext,
    page: Page,
    base_url: str,
    kasama: Municipality,
    console_assets: dict[str, tuple[str, bytes]],
    tmp_path: Path,
    language: str,
) -> None:
    serve_assets(context, console_assets)
    editor = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = language
    profile.save()
    sign_in(context, base_url, editor)
    broken = tmp_path / "082163_aed.csv"
    broken.write_bytes(("\r\n".join([HEADER, ROWS[0], ROWS[1].replace("36.385", "北緯36度")]) + "\r\n").encode())

    page.goto(f"{base_url}/staff/website/opendata/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("select[name=dataset]").select_option("aed")
    page.locator("input[type=file][name=file]").set_input_files(str(broken))
    page.locator("form[enctype] button[type=submit]").click()
    errors = page.locator("#opendata-errors + p + table")
    expect(errors).to_contain_text("3行目" if language == "ja" else "3")
    expect(errors).to_contain_text("緯度")
    assert not OpenDataRecord.unscoped.exists()  # type: ignore[attr-defined]

    fixed = tmp_path / "fixed" / "082163_aed.csv"
    fixed.parent.mkdir()
    fixed.write_bytes(("\ufeff" + "\r\n".join([HEADER, *ROWS]) + "\r\n").encode())
    page.locator("select[name=dataset]").select_option("aed")
    page.locator("input[type=file][name=file]").set_input_files(str(fixed))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.get_by_text("082163_aed.csv").first).to_be_visible()
    assert OpenDataRecord.unscoped.filter(municipality=kasama).count() == 2  # type: ignore[attr-defined]
    history = page.locator("#opendata-imports + table")
    expect(history).to_contain_text("082163_aed.csv")
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.locator("form[enctype] button[type=submit]")).to_be_visible()
