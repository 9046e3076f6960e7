"""The page cache for anonymous readers (portal/cache.py): a second reader gets the stored
page with their own CSRF token and CSP nonce, nothing of the first reader's; signed-in
readers, messages, query strings and display preferences are handled; a publish (and
the data pages show) invalidates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal import cache as page_cache
from madoguchi.portal.models import ContentPage, DutyKind, HolidayDoctorDuty, MunicipalityHomePage
from madoguchi.portal.tests.factories import home_page, make_content_page, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache_on")]

TOKEN_IN_HEADERS = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')
NONCE_IN_STYLE = re.compile(r'<style nonce="([^"]+)"')


@pytest.fixture
def _cache_on() -> object:
    translation.activate("ja")
    with override_settings(PORTAL_PAGE_CACHE=True, PORTAL_PAGE_CACHE_TTL=300):
        yield


@pytest.fixture
def home(kasama: Municipality) -> MunicipalityHomePage:
    return home_page(kasama)


@pytest.fixture
def page(home: MunicipalityHomePage) -> ContentPage:
    return make_content_page(home, "ごみの出し方", "gomi", english="Rubbish", lead="分別してください。")


def _does_token_match(token: str, secret: str) -> bool:
    return page_cache._unmask(token) == secret


def get(client: Client, path: str) -> tuple[str, str, Any]:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), response.get(page_cache.STATUS_HEADER, ""), response


def test_second_anonymous_reader_gets_the_stored_page(page: ContentPage) -> None:
    _body1, status1, _ = get(Client(), "/kasama/gomi/")
    body2, status2, _ = get(Client(), "/kasama/gomi/")
    assert (status1, status2) == ("miss", "hit")
    assert "ごみの出し方" in body2


def test_no_csrf_token_nonce_or_cookie_of_another_reader(page: ContentPage) -> None:
    first = Client()
    body1, _, response1 = get(first, "/kasama/gomi/")
    second = Client()
    body2, status, response2 = get(second, "/kasama/gomi/")
    assert status == "hit"
    assert "\x00" not in body2
    token1 = TOKEN_IN_HEADERS.search(body1)
    token2 = TOKEN_IN_HEADERS.search(body2)
    assert token1
    assert token2
    assert token1.group(1) != token2.group(1)
    # The second reader's token belongs to the CSRF cookie set on their own response.
    secret2 = response2.cookies["csrftoken"].value
    secret1 = response1.cookies["csrftoken"].value
    assert secret1 != secret2
    assert _does_token_match(token2.group(1), secret2)
    assert not _does_token_match(token2.group(1), secret1)
    # …and the style's nonce is the one in the second response's CSP header.
    nonce1 = NONCE_IN_STYLE.search(body1)
    nonce2 = NONCE_IN_STYLE.search(body2)
    if nonce1 and nonce2:
        assert nonce1.group(1) != nonce2.group(1)
        assert f"'nonce-{nonce2.group(1)}'" in response2["Content-Security-Policy"]
    # Only the CSRF cookie is set, and it is the reader's own.
    assert set(response2.cookies) <= {"csrftoken"}


def test_a_reader_with_a_csrf_cookie_keeps_it(page: ContentPage) -> None:
    get(Client(), "/kasama/gomi/")
    reader = Client()
    reader.cookies["csrftoken"] = "a" * 32
    body, status, _ = get(reader, "/kasama/gomi/")
    assert status == "hit"
    token = TOKEN_IN_HEADERS.search(body)
    assert token
    assert _does_token_match(token.group(1), "a" * 32)


def test_a_cached_pages_token_passes_csrf_on_a_post(page: ContentPage, kasama: Municipality) -> None:
    """The htmx header token of a page served from the cache is accepted by a protected POST."""
    get(Client(), "/kasama/gomi/")
    reader = Client(enforce_csrf_checks=True)
    body, status, _ = get(reader, "/kasama/gomi/")
    assert status == "hit"
    token = TOKEN_IN_HEADERS.search(body)
    assert token
    # The display preferences form is an ordinary CSRF-protected POST of every page.
    refused = Client(enforce_csrf_checks=True).post("/preferences/display/", {"text_size": "large"})
    accepted = reader.post("/preferences/display/", {"text_size": "large"}, HTTP_X_CSRFTOKEN=token.group(1))
    assert refused.status_code == 403
    assert accepted.status_code in (200, 302, 303)


def test_feedback_still_works_on_a_cached_page(page: ContentPage) -> None:
    get(Client(), "/kasama/gomi/")
    reader = Client(enforce_csrf_checks=True)
    body, status, _ = get(reader, "/kasama/gomi/")
    assert status == "hit"
    # The feedback form of the cached page carries this reader's own token.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token
    refused = Client(enforce_csrf_checks=True).post(f"/kasama/feedback/{page.pk}/", {"helpful": "yes"})
    assert refused.status_code == 403
    response = reader.post(f"/kasama/feedback/{page.pk}/", {"helpful": "yes", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    # The thank-you message shows on the page, which is therefore not served from the cache.
    body, status, _ = get(reader, "/kasama/gomi/")
    assert status == "skip" or status == ""
    assert "ご意見ありがとうございました" in body
    _body, status, _ = get(Client(), "/kasama/gomi/")
    assert status == "hit"


def test_signed_in_readers_bypass_the_cache(page: ContentPage, django_user_model: Any) -> None:
    get(Client(), "/kasama/gomi/")
    user = django_user_model.objects.create_user(email="reader@example.com", password=None)
    signed_in = Client()
    signed_in.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    _body, status, _ = get(signed_in, "/kasama/gomi/")
    assert status == ""
    assert "reader@example.com" not in get(Client(), "/kasama/gomi/")[0]


def test_query_strings_bypass_the_cache(page: ContentPage) -> None:
    get(Client(), "/kasama/gomi/")
    assert get(Client(), "/kasama/gomi/?x=1")[1] == ""


def test_display_preferences_and_language_are_part_of_the_key(page: ContentPage) -> None:
    standard, _, _ = get(Client(), "/kasama/gomi/")
    large_reader = Client()
    large_reader.cookies["madoguchi_display"] = "large.high"
    large, status, _ = get(large_reader, "/kasama/gomi/")
    assert status == "miss"
    assert "text-large" in large
    assert "text-large" not in standard
    odd = Client()
    odd.cookies["madoguchi_display"] = "garbage"
    assert get(odd, "/kasama/gomi/")[1] == "hit"  # the standard display's entry
    english, status, _ = get(Client(), "/en/kasama/gomi/")
    assert status == "miss"
    assert "Rubbish" in english


def test_a_publish_invalidates(page: ContentPage) -> None:
    get(Client(), "/kasama/gomi/")
    assert get(Client(), "/kasama/gomi/")[1] == "hit"
    page.title = "ごみと資源の出し方"
    publish(page)
    body, status, _ = get(Client(), "/kasama/gomi/")
    assert status == "miss"
    assert "ごみと資源の出し方" in body


def test_unpublish_and_move_invalidate(home: MunicipalityHomePage, page: ContentPage) -> None:
    other = make_content_page(home, "くらし", "kurashi")
    get(Client(), "/kasama/")
    assert get(Client(), "/kasama/")[1] == "hit"
    other.unpublish()
    assert get(Client(), "/kasama/")[1] == "miss"
    assert get(Client(), "/kasama/")[1] == "hit"
    page.move(other, pos="last-child")
    assert get(Client(), "/kasama/")[1] == "miss"
    assert Client().get("/kasama/gomi/").status_code != 200  # moved (a redirect or gone)


def test_data_shown_on_pages_invalidates(page: ContentPage, kasama: Municipality) -> None:
    get(Client(), "/kasama/gomi/")
    assert get(Client(), "/kasama/gomi/")[1] == "hit"
    with municipality_scope(kasama):
        HolidayDoctorDuty.objects.create(
            municipality=kasama,
            date=dt.date(2026, 12, 6),
            kind=DutyKind.INTERNAL,
            institution="テスト医院",
            address="笠間市",
            phone="0296-00-0000",
            opens_at=dt.time(9),
            closes_at=dt.time(17),
        )
    assert get(Client(), "/kasama/gomi/")[1] == "miss"


def test_disabled_means_no_cache(page: ContentPage) -> None:
    with override_settings(PORTAL_PAGE_CACHE=False):
        get(Client(), "/kasama/gomi/")
        assert get(Client(), "/kasama/gomi/")[1] == ""


def test_view_restricted_pages_are_never_stored(page: ContentPage) -> None:
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    for _attempt in range(2):
        response = Client().get("/kasama/gomi/")
        # Never stored, never served from the cache: the password form each time.
        assert response.get(page_cache.STATUS_HEADER, "") in ("", "skip")
        assert "ごみの出し方" not in response.content.decode() or response.status_code != 200


def test_one_municipality_never_gets_anothers_page(kasama: Municipality, mito: Municipality) -> None:
    make_content_page(home_page(kasama), "笠間のページ", "about")
    make_content_page(home_page(mito), "水戸のページ", "about")
    get(Client(), "/kasama/about/")
    body, status, _ = get(Client(), "/mito/about/")
    assert status == "miss"
    assert "水戸のページ" in body
    assert "笠間のページ" not in body
    body, status, _ = get(Client(), "/kasama/about/")
    assert status == "hit"
    assert "笠間のページ" in body


def test_punch_holes_refuses_a_page_with_the_raw_secret() -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "b" * 32
    assert page_cache.punch_holes(request, "<p>" + "b" * 32 + "</p>") is None
    assert page_cache.punch_holes(request, "<p>nothing</p>") == "<p>nothing</p>"
