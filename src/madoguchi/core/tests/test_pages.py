from __future__ import annotations

import re

import pytest
from django.test import Client

from madoguchi.core.models import Municipality

pytestmark = pytest.mark.django_db


def test_deployment_index_lists_municipalities(client: Client, kasama: Municipality, mito: Municipality) -> None:
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja"' in body
    assert "笠間市" in body and "水戸市" in body
    assert 'href="/kasama/"' in body


def test_municipality_home_in_japanese_and_english(client: Client, kasama: Municipality) -> None:
    ja = client.get("/kasama/")
    en = client.get("/en/kasama/")
    assert ja.status_code == en.status_code == 200
    ja_body, en_body = ja.content.decode(), en.content.decode()
    assert '<html lang="ja"' in ja_body and "<h1>笠間市</h1>" in ja_body
    assert '<html lang="en"' in en_body and "<h1>Kasama City</h1>" in en_body
    for body in (ja_body, en_body):
        assert re.search(r'<link rel="alternate" hreflang="ja" href="http://testserver/kasama/">', body)
        assert re.search(r'<link rel="alternate" hreflang="en" href="http://testserver/en/kasama/">', body)
    assert 'href="/en/kasama/" hreflang="en" lang="en"' in ja_body
    assert 'href="/kasama/" hreflang="ja" lang="ja"' in en_body


def test_unknown_page_is_a_translated_404(client: Client, kasama: Municipality) -> None:
    ja = client.get("/kasama/no-such-page/")
    en = client.get("/en/kasama/no-such-page/")
    assert ja.status_code == en.status_code == 404
    assert "ページが見つかりません" in ja.content.decode()
    assert "Page not found" in en.content.decode()


def test_host_name_binding_serves_the_municipality_at_the_root(client: Client, kasama: Municipality, settings) -> None:
    from madoguchi.core import services

    settings.ALLOWED_HOSTS = ["www.city.kasama.example", "testserver"]
    services.update_municipality(kasama, host_names=["www.city.kasama.example"])
    response = client.get("/", HTTP_HOST="www.city.kasama.example")
    assert response.status_code == 200
    assert "<h1>笠間市</h1>" in response.content.decode()


def test_display_preferences_persist_in_a_cookie(client: Client, kasama: Municipality) -> None:
    response = client.post("/preferences/display/", {"text_size": "x-large", "contrast": "high", "next": "/kasama/"})
    assert response.status_code == 302 and response["Location"] == "/kasama/"
    page = client.get("/kasama/").content.decode()
    assert 'class="text-x-large contrast-high"' in page


def test_display_preferences_refuse_foreign_redirects(client: Client) -> None:
    response = client.post("/preferences/display/", {"text_size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"
