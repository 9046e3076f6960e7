"""The public open data API: the datasets, and one municipality's rows of a dataset."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.api import OpenDataViewSet
from madoguchi.portal.models import DatasetDownload, OpenDataRecord

pytestmark = pytest.mark.django_db

factory = APIRequestFactory()


def call(action: str, path: str, **kwargs: str) -> object:
    view = OpenDataViewSet.as_view({"get": action})
    response = view(factory.get(path), **kwargs)
    response.render()
    return response


def test_lists_datasets_with_columns_in_order() -> None:
    response = call("list", "/api/v1/opendata/")
    body = response.data  # type: ignore[attr-defined]
    aed = next(item for item in body if item["dataset"] == "aed")
    assert aed["columns"][:5] == ["都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称"]
    assert aed["license"] == "CC BY 4.0"
    assert len(body) == 7


def test_one_municipalitys_rows_only(kasama: Municipality, mito: Municipality) -> None:
    with municipality_scope(kasama):
        OpenDataRecord.objects.create(municipality=kasama, dataset="aed", record_id="1", data={"名称": "笠間市役所"})
    with municipality_scope(mito):
        OpenDataRecord.objects.create(municipality=mito, dataset="aed", record_id="1", data={"名称": "水戸市役所"})
    response = call("retrieve", "/api/v1/opendata/aed/?municipality=kasama", dataset="aed")
    body = response.data  # type: ignore[attr-defined]
    assert [row["名称"] for row in body["rows"]] == ["笠間市役所"]
    assert body["municipality"]["code"] == "082163"
    assert DatasetDownload.unscoped.get().count == 1  # type: ignore[attr-defined]


# One refused call per test: DRF marks the test's transaction for rollback on an error.
@pytest.mark.parametrize(
    ("path", "dataset", "status"),
    [
        ("/api/v1/opendata/toilet/?municipality=kasama", "toilet", 404),
        ("/api/v1/opendata/aed/", "aed", 400),
        ("/api/v1/opendata/aed/?municipality=nowhere", "aed", 404),
    ],
)
def test_refuses_unknown_dataset_and_missing_municipality(
    kasama: Municipality, path: str, dataset: str, status: int
) -> None:
    assert call("retrieve", path, dataset=dataset).status_code == status  # type: ignore[attr-defined]


def test_the_document_conforms_to_its_schema_updated_is_a_date_time(kasama: Municipality) -> None:
    """The schema says what the API sends: "updated" is when the data last changed, a
    date-time (an RFC 3339 timestamp), not a date."""
    import jsonschema

    from madoguchi.portal.api import DOCUMENT_SCHEMA

    with municipality_scope(kasama):
        OpenDataRecord.objects.create(municipality=kasama, dataset="aed", record_id="1", data={"名称": "笠間市役所"})
    body = call("retrieve", "/api/v1/opendata/aed/?municipality=kasama", dataset="aed").data  # type: ignore[attr-defined]
    assert DOCUMENT_SCHEMA["properties"]["updated"]["format"] == "date-time"
    jsonschema.validate(body, DOCUMENT_SCHEMA, format_checker=jsonschema.FormatChecker())
