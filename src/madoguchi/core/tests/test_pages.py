"""The public pages' layout: languages, header, footer, display options and error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation

from madoguchi.core import services, views
from madoguchi.core.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reset_language() -> None:
    # Error pages activate the URL's language themselves; keep tests independent of that.
    translation.activate("ja")


def test_deployment_index_lists_municipalities(client: Client, kasama: Municipality, mito: Municipality) -> None:
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja"' in body
    assert "笠間市" in body
    assert "水戸市" in body
    assert 'href="/kasama/"' in body
    assert 'class="breadcrumbs"' not in body  # the top of the site has no trail


def test_municipality_home_in_japanese_and_english(client: Client, kasama: Municipality) -> None:
    ja = client.get("/kasama/")
    en = client.get("/en/kasama/")
    assert ja.status_code == en.status_code == 200
    ja_body, en_body = ja.content.decode(), en.content.decode()
    assert '<html lang="ja"' in ja_body
    assert "<h1>笠間市</h1>" in ja_body
    assert '<html lang="en"' in en_body
    assert "<h1>Kasama City</h1>" in en_body
    for body in (ja_body, en_body):
        assert '<link rel="alternate" hreflang="ja" href="http://testserver/kasama/">' in body
        assert '<link rel="alternate" hreflang="en" href="http://testserver/en/kasama/">' in body
        assert '<link rel="alternate" hreflang="x-default" href="http://testserver/kasama/">' in body
    assert re.search(r'href="/en/kasama/" hreflang="en" lang="en"', ja_body)
    assert re.search(r'href="/kasama/" hreflang="ja" lang="ja"', en_body)


def test_header_and_footer_show_the_municipality(client: Client, kasama: Municipality) -> None:
    services.update_municipality(
        kasama,
        postal_code="309-1792",
        address="茨城県笠間市中央三丁目2番1号",
        address_en="3-2-1 Chuo, Kasama, Ibaraki",
        phone="0296-77-1101",
        office_hours_ja="平日 午前8時30分から午後5時15分まで",
        office_hours_en="Weekdays 8:30 a.m. to 5:15 p.m.",
        primary_colour="#197a4b",
    )
    ja = client.get("/kasama/").content.decode()
    assert '<a class="site-header__brand" href="/kasama/">' in ja
    assert "--municipality-primary:#197a4b" in ja
    assert "〒309-1792 茨城県笠間市中央三丁目2番1号" in ja
    assert 'href="tel:0296771101"' in ja
    assert "開庁時間" in ja
    assert "平日 午前8時30分から午後5時15分まで" in ja
    assert 'href="/"' in ja  # the list of the deployment's municipalities
    en = client.get("/en/kasama/").content.decode()
    assert '<span lang="en">3-2-1 Chuo, Kasama, Ibaraki</span>' in en
    assert "Office hours" in en
    assert "Weekdays 8:30 a.m. to 5:15 p.m." in en
    assert 'href="/en/"' in en


def test_english_page_falls_back_to_the_japanese_address_marked_as_japanese(
    client: Client, kasama: Municipality
) -> None:
    services.update_municipality(kasama, address="茨城県笠間市中央三丁目2番1号")
    en = client.get("/en/kasama/").content.decode()
    assert '<span lang="ja">茨城県笠間市中央三丁目2番1号</span>' in en


def test_sign_in_link_returns_to_the_page(client: Client, kasama: Municipality) -> None:
    body = client.get("/kasama/?tab=1").content.decode()
    assert 'href="/accounts/login/?next=/kasama/%3Ftab%3D1"' in body


def test_unknown_page_is_a_translated_404_with_the_municipality(client: Client, kasama: Municipality) -> None:
    ja = client.get("/kasama/no-such-page/")
    en = client.get("/en/kasama/no-such-page/")
    assert ja.status_code == en.status_code == 404
    ja_body, en_body = ja.content.decode(), en.content.decode()
    assert '<html lang="ja"' in ja_body
    assert "ページが見つかりません" in ja_body
    assert '<html lang="en"' in en_body
    assert "Page not found" in en_body
    assert '<span class="site-header__name">笠間市</span>' in ja_body
    assert '<span class="site-header__name">Kasama City</span>' in en_body
    # An error page has no translation to advertise, but the switch still leads across.
    assert 'rel="alternate"' not in ja_body
    assert 'href="/en/kasama/no-such-page/" hreflang="en" lang="en"' in ja_body


def test_404_outside_any_municipality_has_the_deployment_header(client: Client) -> None:
    body = client.get("/en/no-such-municipality/").content.decode()
    assert '<span class="site-header__name">madoguchi</span>' in body
    assert "Page not found" in body


def test_bad_host_gets_the_400_page(client: Client) -> None:
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "リクエストを処理できませんでした" in response.content.decode()


def test_csrf_failure_is_a_translated_page(kasama: Municipality) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/preferences/display/", {"text_size": "large"})
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="en"' in body
    assert "The form could not be accepted" in body


def test_permission_denied_page_offers_to_sign_in(kasama: Municipality, rf: RequestFactory) -> None:
    request = rf.get("/en/kasama/secret/")
    request.municipality = kasama  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    response = views.permission_denied(request, PermissionDenied())
    body = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="en"' in body
    assert "You do not have permission to view this page" in body
    assert '<span class="site-header__name">Kasama City</span>' in body
    assert 'href="/en/accounts/login/?next=/en/kasama/secret/"' in body


def test_robots_txt_keeps_crawlers_out_of_private_areas(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for private in ("/staff/", "/django-admin/", "/api/", "/accounts/", "/en/accounts/"):
        assert f"Disallow: {private}\n" in text
    assert "Disallow: /\n" not in text


def test_robots_txt_names_the_sitemap_by_its_full_url(client: Client, settings: Any) -> None:
    settings.SITE_URL = "https://madoguchi.example/"
    text = client.get("/robots.txt").content.decode()
    assert text.endswith("\nSitemap: https://madoguchi.example/sitemap.xml\n")


def test_icons_browsers_ask_for_exist(client: Client) -> None:
    for path, static_name in (
        ("/favicon.ico", "madoguchi/favicon.ico"),
        ("/apple-touch-icon.png", "madoguchi/apple-touch-icon.png"),
        ("/apple-touch-icon-precomposed.png", "madoguchi/apple-touch-icon.png"),
    ):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"].endswith(static_name)
        assert client.get(response["Location"]).status_code == 200


def test_pages_link_the_icons(client: Client, kasama: Municipality) -> None:
    body = client.get("/kasama/").content.decode()
    assert 'rel="icon" href="/static/madoguchi/favicon.svg"' in body


def test_display_preferences_persist_in_a_cookie(client: Client, kasama: Municipality) -> None:
    response = client.post("/preferences/display/", {"text_size": "x-large", "contrast": "high", "next": "/kasama/"})
    assert response.status_code == 302
    assert response["Location"] == "/kasama/"
    cookie = response.cookies["madoguchi_display"]
    assert cookie.value == "x-large.high"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["path"] == "/"
    page = client.get("/kasama/").content.decode()
    assert 'class="text-x-large contrast-high"' in page
    assert re.search(r'value="x-large" checked', page)
    assert re.search(r'value="high" checked', page)


def test_display_preferences_change_one_option_at_a_time(client: Client) -> None:
    client.cookies["madoguchi_display"] = "large.high"
    response = client.post("/preferences/display/", {"text_size": "standard", "next": "/"})
    assert response.cookies["madoguchi_display"].value == "standard.high"


def test_display_preferences_ignore_unknown_values(client: Client) -> None:
    response = client.post("/preferences/display/", {"text_size": "huge", "contrast": "<script>", "next": "/"})
    assert response.cookies["madoguchi_display"].value == "standard.standard"


def test_display_preferences_refuse_foreign_redirects(client: Client) -> None:
    response = client.post("/preferences/display/", {"text_size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_display_preferences_only_accept_post(client: Client) -> None:
    assert client.get("/preferences/display/").status_code == 405


def test_a_forged_display_cookie_changes_nothing(client: Client, kasama: Municipality) -> None:
    client.cookies["madoguchi_display"] = '"><script>alert(1)</script>'
    body = client.get("/kasama/").content.decode()
    assert 'class="text-standard contrast-standard"' in body
    assert "<script>alert(1)" not in body


def test_host_name_binding_serves_the_municipality_at_the_root(
    client: Client, kasama: Municipality, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["www.city.kasama.example", "testserver"]
    services.update_municipality(kasama, host_names=["www.city.kasama.example"])
    response = client.get("/", HTTP_HOST="www.city.kasama.example")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>笠間市</h1>" in body
    # On its own host name the municipality's URLs carry no slug.
    assert '<a class="site-header__brand" href="/">' in body
    assert '<link rel="alternate" hreflang="en" href="http://www.city.kasama.example/en/">' in body
    assert client.get("/robots.txt", HTTP_HOST="www.city.kasama.example").status_code == 200
    # Deployment-wide paths are not moved under the municipality on its own host.
    # (the lookup view itself answers 400 without its autofill parameters: it was reached).
    lookup = client.get("/postal-codes/lookup/?postal_code=309-1611", HTTP_HOST="www.city.kasama.example")
    assert lookup.status_code == 400
    assert client.get("/en/accounts/login/", HTTP_HOST="www.city.kasama.example").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="www.city.kasama.example").status_code == 200
