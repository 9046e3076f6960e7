"""The staff console's open data import screen: a broken file is shown by line and nothing
is imported; a good one is imported (audited) and listed; only the municipality's own
imports are shown; staff without the website permission cannot import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from madoguchi.accounts.models import Role
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.portal.models import OpenDataImport, OpenDataRecord
from madoguchi.portal.opendata import services
from madoguchi.portal.staff import opendata as _staff_opendata  # noqa: F401  (registers the console screen)
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import sign_in

pytestmark = pytest.mark.django_db

HEADER = "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,方書,緯度,経度,設置位置"
GOOD = "\r\n".join(
    [
        HEADER,
        "082163,1,茨城県,笠間市,笠間市役所,カサマシヤクショ,茨城県笠間市中央三丁目2番1号,,36.345,140.304,1階 正面玄関",
        "082163,2,茨城県,笠間市,笠間公民館,カサマコウミンカン,茨城県笠間市笠間1056-1,,36.385,140.258,事務室前",
    ]
)
BROKEN = GOOD.replace("36.385,140.258", "北緯36度,140.258")


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def upload(client: Client, content: str, **extra: str) -> object:
    file = SimpleUploadedFile("082163_aed.csv", content.encode("utf-8-sig"), content_type="text/csv")
    return client.post("/staff/website/opendata/", {"dataset": "aed", "file": file, **extra})


def test_a_broken_file_is_shown_by_line_and_nothing_is_imported(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))
    assert client.get("/staff/website/opendata/").status_code == 200
    response = upload(client, BROKEN)
    assert response.status_code == 400  # type: ignore[attr-defined]
    body = response.content.decode()  # type: ignore[attr-defined]
    assert "3行目" in body
    assert "緯度" in body
    assert "何も取り込んでいません" in body
    assert not OpenDataRecord.unscoped.exists()  # type: ignore[attr-defined]
    run = OpenDataImport.unscoped.get()  # type: ignore[attr-defined]
    assert run.status == "rejected"
    detail = client.get(f"/staff/website/opendata/{run.pk}/").content.decode()
    assert "3行目" in detail


def test_a_good_file_is_imported_audited_and_listed(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))
    response = upload(client, GOOD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert OpenDataRecord.unscoped.filter(municipality=kasama).count() == 2  # type: ignore[attr-defined]
    body = client.get("/staff/website/opendata/").content.decode()
    assert "082163_aed.csv" in body
    assert "取り込みました" in body
    assert AuditEntry.objects.filter(extra__what="opendata_import").exists()
    # The same file again (a double submit, say) changes nothing.
    upload(client, GOOD)
    latest = OpenDataImport.unscoped.order_by("-pk")[0]  # type: ignore[attr-defined]
    assert (latest.created_count, latest.updated_count) == (0, 0)


def test_another_municipalitys_imports_are_not_shown(client: Client, kasama: Municipality, mito: Municipality) -> None:
    run = services.import_file(mito, "aed", b"NO\r\n", file_name="082015_mito_only.csv")
    sign_in(client, make_staff(kasama, Role.MUNICIPAL_ADMIN))
    assert "082015_mito_only.csv" not in client.get("/staff/website/opendata/").content.decode()
    assert client.get(f"/staff/website/opendata/{run.pk}/").status_code == 404


def test_staff_without_the_website_permission_cannot_import(client: Client, kasama: Municipality) -> None:
    sign_in(client, make_staff(kasama))
    assert client.get("/staff/website/opendata/").status_code in (302, 403)
    assert upload(client, GOOD).status_code in (302, 403)  # type: ignore[attr-defined]
    assert not OpenDataRecord.unscoped.exists()  # type: ignore[attr-defined]
