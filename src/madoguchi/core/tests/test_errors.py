"""The 500 page: translated, with the municipality's header when the request knows it, and
rendered without touching the database (which may be what failed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from madoguchi.core.models import Municipality

pytestmark = [pytest.mark.urls("madoguchi.core.tests.error_urls")]


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    yield
    translation.activate("ja")


@pytest.fixture
def crash_client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_failing_view_shows_the_translated_500_page(crash_client: Client, kasama: Municipality) -> None:
    ja = crash_client.get("/kasama/fail/")
    en = crash_client.get("/en/kasama/fail/")
    assert ja.status_code == en.status_code == 500
    ja_body, en_body = ja.content.decode(), en.content.decode()
    assert '<html lang="ja"' in ja_body
    assert "システムエラーが発生しました" in ja_body
    assert '<html lang="en"' in en_body
    assert "A system error occurred" in en_body
    assert '<span class="site-header__name">笠間市</span>' in ja_body
    assert "お問い合わせ番号" in ja_body  # the request id, to quote when calling the city


@pytest.mark.django_db(transaction=True)
def test_500_page_renders_while_the_database_is_down(
    crash_client: Client, kasama: Municipality, django_db_blocker: Any
) -> None:
    kasama.phone = "0296-77-1101"
    kasama.save()
    try:
        response = crash_client.get("/en/kasama/db-down/", **{"test.django_db_blocker": django_db_blocker})
    finally:
        django_db_blocker.restore()
        # The request's transaction could not end while the database was "down", and
        # left the connection out of autocommit: without a fresh connection the test's
        # own clean-up (a flush) would never be committed, and its rows would leak into
        # the next test.
        connection.close()
    body = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en"' in body
    assert "A system error occurred" in body
    # The header and the footer's telephone number came from what the request already had.
    assert '<span class="site-header__name">Kasama City</span>' in body
    assert 'href="tel:0296771101"' in body
    # Nothing that needs the database: account links, the navigation, a CSRF-bound form.
    assert "Sign in" not in body
    assert "display-options" not in body


def test_500_page_renders_when_the_database_is_down_from_the_start(
    crash_client: Client, django_db_blocker: Any
) -> None:
    # No test database access at all: the first middleware that queries fails.
    with django_db_blocker.block():
        ja = crash_client.get("/kasama/fail/")
        en = crash_client.get("/en/kasama/fail/")
    assert ja.status_code == en.status_code == 500
    assert "システムエラーが発生しました" in ja.content.decode()
    en_body = en.content.decode()
    assert '<html lang="en"' in en_body
    assert "A system error occurred" in en_body
    assert '<span class="site-header__name">madoguchi</span>' in en_body
