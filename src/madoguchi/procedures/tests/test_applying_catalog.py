"""The residents' catalog: search that does not care about kana or width, browsing by
category, a procedure's page, the paper form, and that one municipality's catalog shows
nothing of another's."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from madoguchi.core.models import Municipality
from madoguchi.procedures.models import Availability, IdentityLevel
from madoguchi.procedures.services import search

from .applying_helpers import make_procedure, pdf_bytes, url
from .factories import ProcedureCategoryFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def juminhyo(kasama: Municipality):  # type: ignore[no-untyped-def]
    return make_procedure(
        kasama,
        slug="juminhyo",
        name_ja="住民票の写し交付請求",
        name_en="Request for a copy of the residence record",
        reading="じゅうみんひょうのうつしこうふせいきゅう",
        keywords="住民票 写し 証明書",
        summary_ja="住民票の写しを郵送で請求できます。",
    )


@pytest.fixture
def inkan(kasama: Municipality):  # type: ignore[no-untyped-def]
    return make_procedure(
        kasama,
        slug="inkan",
        name_ja="印鑑登録証明書交付申請",
        name_en="Seal registration certificate",
        reading="いんかんとうろくしょうめいしょこうふしんせい",
        keywords="印鑑証明",
    )


@pytest.mark.parametrize(
    "query",
    [
        "じゅうみんひょう",
        "ジュウミンヒョウ",
        "ｼﾞｭｳﾐﾝﾋｮｳ",
        "住民票",
        "住民票　写し",
        "ＲＥＳＩＤＥＮＣＥ",
        "うつし こうふ",
    ],
)
def test_search_finds_the_procedure_whatever_the_script_and_width(
    kasama: Municipality, juminhyo, inkan, query: str
) -> None:  # type: ignore[no-untyped-def]
    assert search.search(kasama, query) == [juminhyo]


def test_search_matches_keywords_and_summary_after_names(kasama: Municipality, juminhyo, inkan) -> None:  # type: ignore[no-untyped-def]
    assert search.search(kasama, "いんかんしょうめい") == []  # not a substring of the reading
    assert search.search(kasama, "印鑑証明") == [inkan]
    assert search.search(kasama, "ゆうそう") == []
    assert search.search(kasama, "郵送") == [juminhyo]
    assert search.search(kasama, "証明書") == [inkan, juminhyo]  # by name first, then keyword
    assert set(search.search(kasama, "")) == {juminhyo, inkan}


def test_unpublished_and_other_municipalities_procedures_are_not_found(
    kasama: Municipality, mito: Municipality, juminhyo
) -> None:  # type: ignore[no-untyped-def]
    hidden = make_procedure(kasama, slug="hidden", name_ja="住民票の非公開手続", is_published=False)
    elsewhere = make_procedure(mito, slug="juminhyo", name_ja="住民票の写し（水戸市）")
    assert search.search(kasama, "住民票") == [juminhyo]
    assert search.search(mito, "住民票") == [elsewhere]
    client = Client()
    page = client.get(url("catalog", kasama), {"q": "じゅうみんひょう"}).content.decode()
    assert "住民票の写し交付請求" in page
    assert "水戸市" not in page
    assert hidden.name_ja not in page
    assert client.get(url("procedure_detail", kasama, slug="hidden")).status_code == 404
    # The Mito procedure's slug is the same; under /kasama/ it is Kasama's.
    assert "水戸市）" not in client.get(url("procedure_detail", kasama, slug="juminhyo")).content.decode()


def test_catalog_page_lists_results_with_department_way_identity_and_fee(kasama: Municipality, juminhyo) -> None:  # type: ignore[no-untyped-def]
    juminhyo.fee_note_ja = "1通300円"
    juminhyo.save()
    response = Client().get(url("catalog", kasama), {"q": "ジュウミンヒョウ"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1件の手続があります。" in page
    assert juminhyo.department.name_ja in page
    assert "オンライン申請できる" in page
    assert "利用者登録（サインイン）" in page
    assert "1通300円" in page


def test_htmx_search_answers_with_the_results_only(kasama: Municipality, juminhyo, inkan) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(
        url("catalog", kasama), {"q": "いんかん"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-results"
    )
    page = response.content.decode()
    assert page.lstrip().startswith("<section")
    assert "印鑑登録証明書交付申請" in page
    assert "住民票の写し交付請求" not in page


def test_browse_by_category(kasama: Municipality, juminhyo, inkan) -> None:  # type: ignore[no-untyped-def]
    category = ProcedureCategoryFactory.create(municipality=kasama, slug="koseki", name_ja="戸籍・住民票")
    juminhyo.category = category
    juminhyo.save()
    client = Client()
    page = client.get(url("catalog", kasama)).content.decode()
    assert "戸籍・住民票" in page
    assert "?category=koseki" in page
    page = client.get(url("catalog", kasama), {"category": "koseki"}).content.decode()
    assert "住民票の写し交付請求" in page
    assert "印鑑登録証明書交付申請" not in page


def test_detail_page_shows_the_catalog_entry_and_how_to_apply(kasama: Municipality, juminhyo) -> None:  # type: ignore[no-untyped-def]
    juminhyo.eligibility_ja = "本人または同一世帯の方"
    juminhyo.attachments_ja = "本人確認書類の写し"
    juminhyo.department.phone = "0296-77-1101"
    juminhyo.department.save()
    juminhyo.save()
    page = Client().get(url("procedure_detail", kasama, slug="juminhyo")).content.decode()
    for text in ("本人または同一世帯の方", "本人確認書類の写し", "300円", "受付から5開庁日ほど", "0296-77-1101"):
        assert text in page
    assert "オンラインで申請する" in page
    assert url("paper_form", kasama, slug="juminhyo") in page


def test_paper_only_procedure_offers_no_online_application(kasama: Municipality) -> None:
    procedure = ProcedureFactory.create(municipality=kasama, slug="paper", availability=Availability.PAPER_ONLY)
    client = Client()
    page = client.get(url("procedure_detail", kasama, slug="paper")).content.decode()
    assert "オンラインでは申請できません" in page
    assert client.post(url("apply", kasama, slug=procedure.slug)).status_code == 403


def test_uploaded_paper_form_is_served(kasama: Municipality, juminhyo) -> None:  # type: ignore[no-untyped-def]
    juminhyo.paper_form.save("juminhyo.pdf", ContentFile(pdf_bytes()), save=True)
    response = Client().get(url("paper_form", kasama, slug="juminhyo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_identity_level_none_is_shown(kasama: Municipality) -> None:
    make_procedure(kasama, slug="free", identity_level=IdentityLevel.NONE)
    page = Client().get(url("procedure_detail", kasama, slug="free")).content.decode()
    assert "不要（どなたでも）" in page


def test_paper_form_is_generated_from_the_form_definition(kasama: Municipality, juminhyo) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(url("paper_form", kasama, slug="juminhyo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "通数" in text
