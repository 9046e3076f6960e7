"""施設の設定 and 利用統計 in the staff console, in a browser: a department head creates a
facility, gives it a space, a slot pattern and a slot (a time off the half hour is refused
with a message by the field), a unit made of the space, and a photo with its alternative
text; an officer reads the statistics on a 320 px phone in English (the heat maps are
tables with the number in each cell, scrollable by keyboard) and downloads the CSV.
Every page is checked with axe-core and against the Content-Security-Policy (conftest)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from wagtail.users.models import UserProfile

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import BookingSource, Facility, FacilityPhoto, Slot, Space, Unit
from madoguchi.facilities.services.occupancy import place_booking
from madoguchi.facilities.tests.factories import make_gym
from madoguchi.testing.factories import make_staff

from .sessions import sign_in
from .test_staff_console import console_assets, serve_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["console_assets"]


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _save(page: Page, *, ok: bool = True) -> None:
    """作成 on a new object's form, 保存 on an existing one's; `ok`: wait for the message
    of the page it leads to (its accessibility check runs before the test moves on)."""
    page.get_by_role("button", name=re.compile(r"^(作成|保存)")).first.click()
    if ok:
        expect(page.locator(".messages .success")).to_be_visible()


def _png(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 60)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def test_a_head_sets_up_a_facility_with_a_unit_and_a_photo(
    page: Page,
    context: BrowserContext,
    base_url: str,
    kasama: Municipality,
    console_assets: dict[str, tuple[str, bytes]],
    tmp_path: Path,
) -> None:
    serve_assets(context, console_assets)
    sign_in(context, base_url, make_staff(kasama, Role.DEPARTMENT_HEAD))
    page.goto(f"{base_url}/staff/")
    page.get_by_role("button", name="施設予約").click()
    page.get_by_role("link", name="施設の設定").click()
    page.get_by_role("link", name="施設 を追加").first.click()
    page.locator("#id_name_ja").fill("岩間体育館")
    page.locator("#id_slug").fill("iwama-gym")
    page.locator("#id_kind").select_option(label="体育館")
    page.locator("#id_address_ja").fill("茨城県笠間市下郷5140")
    _save(page)
    with municipality_scope(kasama):
        facility = Facility.objects.get(slug="iwama-gym")
    edit_url = base_url + reverse("facilities-setup:edit", args=[facility.pk])

    # The facility's page lists its parts; add a space.
    page.goto(edit_url)
    page.get_by_role("link", name="区画を追加").click()
    expect(page.locator("#id_facility")).to_have_value(str(facility.pk))
    page.locator("#id_code").fill("arena")
    page.locator("#id_name_ja").fill("アリーナ")
    _save(page)

    page.goto(edit_url)
    page.get_by_role("link", name="時間区分を追加").click()
    page.locator("#id_name_ja").fill("午前・午後・夜間")
    _save(page)

    # A slot off the half hour: the message by the field, the values kept.
    page.goto(edit_url)
    page.get_by_role("link", name="利用区分（時間帯）を追加").click()
    page.locator("#id_name_ja").fill("午前")
    page.locator("#id_starts_at").fill("09:15")
    page.locator("#id_ends_at").fill("12:00")
    _save(page, ok=False)
    expect(page.locator("main")).to_contain_text("時刻は30分単位で入力してください。")
    expect(page.locator("#id_name_ja")).to_have_value("午前")
    page.locator("#id_starts_at").fill("09:00")
    _save(page)

    page.goto(edit_url)
    page.get_by_role("link", name="利用単位を追加").click()
    page.locator("#id_slug").fill("whole")
    page.locator("#id_name_ja").fill("全面")
    page.get_by_label("岩間体育館 アリーナ").check()
    page.locator("#id_slot_pattern").select_option(label="岩間体育館 午前・午後・夜間")
    page.locator("#id_capacity").fill("80")
    _save(page)

    page.goto(edit_url)
    page.get_by_role("link", name="写真を追加").click()
    page.locator("#id_image").set_input_files(str(_png(tmp_path / "arena.png")))
    page.locator("#id_alt_ja").fill("岩間体育館のアリーナ。床は木製で、バスケットゴールが4基あります。")
    _save(page)

    with municipality_scope(kasama):
        unit = Unit.objects.get(facility=facility)
        assert [s.code for s in unit.spaces.all()] == ["arena"]
        assert Space.objects.filter(facility=facility).count() == 1
        slot = Slot.objects.get(pattern__facility=facility)
        assert (slot.starts_at, slot.ends_at) == (dt.time(9), dt.time(12))
        photo = FacilityPhoto.objects.get(facility=facility)
        assert photo.image.name.endswith(".png")
        assert "arena" not in photo.image.name


def test_statistics_on_a_phone_in_english(
    phone_page: Page, base_url: str, kasama: Municipality, console_assets: dict[str, tuple[str, bytes]]
) -> None:
    page = phone_page
    serve_assets(page.context, console_assets)
    gym = make_gym(kasama, name_ja="笠間市民体育館", name_en="Kasama Civic Gymnasium")
    today = timezone.localdate()
    with municipality_scope(kasama):
        for unit, slot in ((gym.whole, gym.morning), (gym.half_a, gym.night)):
            place_booking(unit=unit, slot=slot, date=today, source=BookingSource.COUNTER, holder_name="市の行事")
    officer = make_staff(kasama, Role.OFFICER)
    profile = UserProfile.get_for_user(officer)
    profile.preferred_language = "en"
    profile.save()
    sign_in(page.context, base_url, officer)
    page.goto(f"{base_url}/staff/facilities/statistics/")
    tables = page.locator("table.fac-heatmap")
    expect(tables).to_have_count(2)
    expect(tables.first).to_contain_text("Kasama Civic Gymnasium")
    expect(tables.first.locator("td").first).to_contain_text("%")
    # The wide tables scroll inside their region, reachable by the keyboard; the page does not.
    region = page.locator("[role=region]").first
    region.focus()
    expect(region).to_be_focused()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 330, width
    with page.expect_download() as download:
        page.locator("a[href*='export=utilisation']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "笠間市民体育館" in text
