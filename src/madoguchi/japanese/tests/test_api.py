"""GET /api/v1/postal-codes/{code}/."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_postal_code(client: Client) -> None:
    response = client.get("/api/v1/postal-codes/3091611/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response.json() == {
        "postal_code": "309-1611",
        "prefecture": "茨城県",
        "city": "笠間市",
        "town": "笠間",
        "office_name": "",
        "areas": [
            {
                "prefecture": "茨城県",
                "prefecture_kana": "イバラキケン",
                "prefecture_code": "08",
                "city": "笠間市",
                "city_kana": "カサマシ",
                "town": "笠間",
                "town_kana": "カサマ",
                "local_government_code": "082163",
                "note": "",
            }
        ],
    }


def test_hyphenated_code(client: Client) -> None:
    assert client.get("/api/v1/postal-codes/309-1611/").json()["city"] == "笠間市"


def test_code_with_several_areas(client: Client) -> None:
    body = client.get("/api/v1/postal-codes/4980000/").json()
    assert body["prefecture"] == ""
    assert {a["prefecture"] for a in body["areas"]} == {"愛知県", "三重県"}


def test_unknown_code_is_404(client: Client) -> None:
    response = client.get("/api/v1/postal-codes/1234567/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["message"]) == (404, "No such postal code.")


@pytest.mark.parametrize("code", ["309161", "30916111", "abcdefg", "309-16a1"])
def test_malformed_code_is_400(client: Client, code: str) -> None:
    response = client.get(f"/api/v1/postal-codes/{code}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["message"]) == (400, "郵便番号は7桁の数字で指定してください。")


def test_no_token_needed_and_a_bad_one_is_ignored(client: Client) -> None:
    response = client.get("/api/v1/postal-codes/3091611/", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 200


def test_read_only(client: Client) -> None:
    assert client.post("/api/v1/postal-codes/3091611/").status_code in (403, 405)


def test_in_the_openapi_document(client: Client) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/postal-codes/{code}/" in text
    assert "PostalCode" in text
