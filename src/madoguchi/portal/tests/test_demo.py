"""The website's demo (portal/demo.py): Kasama's pages in Japanese and English, the rota,
open data imported from the standard-layout files — and a second run creates nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client
from wagtail.models import Page

from madoguchi.core.demo.loader import LoadReport
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal import demo
from madoguchi.portal.models import (
    EventPage,
    HolidayDoctorDuty,
    MunicipalityHomePage,
    OpenDataImport,
    OpenDataRecord,
)
from madoguchi.portal.opendata import registry

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


class StubLoader:
    """What `portal.demo.load` uses of `core.demo.loader.DemoLoader`."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipalities = {demo.KASAMA_CODE: municipality}
        self.report = LoadReport()
        self.lines: list[str] = []

    def out(self, line: str) -> None:
        self.lines.append(line)

    def _count(self, kind: str, outcome: str) -> None:
        getattr(self.report, outcome)[kind] += 1


def _load(kasama: Municipality) -> StubLoader:
    loader = StubLoader(kasama)
    demo.load(loader, today=TODAY)  # type: ignore[arg-type]
    return loader


def test_the_demo_site_in_both_languages_and_a_second_run_creates_nothing(kasama: Municipality) -> None:
    first = _load(kasama)
    home = MunicipalityHomePage.objects.get(municipality=kasama, locale__language_code="ja")
    pages = Page.objects.descendant_of(home).live()
    ja = pages.filter(locale__language_code="ja").count()
    en_home = home.get_translations().get()
    en = Page.objects.descendant_of(en_home).live().count()
    assert ja >= 20
    assert en == ja
    with municipality_scope(kasama):
        duties = HolidayDoctorDuty.objects.count()
        records = Counter(OpenDataRecord.objects.values_list("dataset", flat=True))
        imports = OpenDataImport.objects.count()
    assert duties >= 8 * 2
    assert set(records) == {key for key, _name in demo.OPEN_DATA_FILES}
    # Events spread over the next three months.
    starts = sorted(EventPage.objects.filter(locale__language_code="ja").values_list("start_date", flat=True))
    assert starts[0] > TODAY
    assert starts[-1] <= TODAY + dt.timedelta(days=92)
    assert (starts[-1] - starts[0]).days > 60
    assert first.report.created["page"] == ja

    second = _load(kasama)
    assert not second.report.created
    assert Page.objects.descendant_of(home).live().filter(locale__language_code="ja").count() == ja
    with municipality_scope(kasama):
        assert HolidayDoctorDuty.objects.count() == duties
        assert OpenDataImport.objects.count() == imports
        assert Counter(OpenDataRecord.objects.values_list("dataset", flat=True)) == records


def test_the_open_data_files_have_the_standards_columns_in_order() -> None:
    for key, name in demo.OPEN_DATA_FILES:
        header = (demo.DATA_DIR / name).read_bytes().decode("utf-8-sig").split("\r\n", 1)[0]
        assert tuple(header.split(",")) == registry.get(key).columns


def test_the_demo_pages_answer_in_japanese_and_english(kasama: Municipality) -> None:
    _load(kasama)
    client = Client()
    for path in (
        "/kasama/",
        "/en/kasama/",
        "/kasama/kanko/kasama-inari/",
        "/en/kasama/kanko/kasama-yaki/",
        "/kasama/kenko/kyujitsu-toban/",
        "/kasama/kenko/aed/",
        "/en/kasama/shisei/open-data/",
        "/kasama/events/",
    ):
        assert client.get(path).status_code == 200, path
    body = client.get("/kasama/kanko/kasama-inari/").content.decode()
    assert "笠間稲荷神社" in body
    assert "デモ" in body
