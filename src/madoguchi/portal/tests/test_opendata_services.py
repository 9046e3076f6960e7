"""Open data rows: derived from the website's pages and modules plus imported records,
one municipality's only."""

from __future__ import annotations

import pytest
from django.utils import translation

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import OpenDataRecord
from madoguchi.portal.opendata import registry, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def test_registry_has_the_seven_file_ids() -> None:
    assert set(registry.DATASETS) == {
        "public_facility",
        "aed",
        "event",
        "tourism",
        "hospital",
        "preschool",
        "evacuation_space",
    }
    assert registry.get("aed").file_name("082163") == "082163_aed.csv"


def test_records_become_rows_with_every_column_in_order(kasama: Municipality, mito: Municipality) -> None:
    with municipality_scope(kasama):
        OpenDataRecord.objects.create(
            municipality=kasama, dataset="aed", record_id="10", data={"NO": "10", "名称": "笠間市役所"}
        )
        OpenDataRecord.objects.create(
            municipality=kasama, dataset="aed", record_id="2", data={"NO": "2", "名称": "笠間公民館"}
        )
    with municipality_scope(mito):
        OpenDataRecord.objects.create(municipality=mito, dataset="aed", record_id="1", data={"NO": "1", "名称": "水戸"})
    rows = services.dataset_rows(kasama, "aed")
    assert [row["名称"] for row in rows] == ["笠間公民館", "笠間市役所"]  # NO 2 before 10
    assert list(rows[0]) == list(registry.get("aed").columns)
    # Head columns the file left empty are the municipality's own.
    assert rows[0]["都道府県コード又は市区町村コード"] == "082163"
    assert rows[0]["都道府県名"] == "茨城県"
    assert rows[0]["市区町村名"] == "笠間市"
    assert [row["名称"] for row in services.dataset_rows(mito, "aed")] == ["水戸"]
