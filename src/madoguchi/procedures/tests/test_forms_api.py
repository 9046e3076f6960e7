"""/api/v1/{municipality}/procedures/: the catalog and the JSON Schema of each form, for
the municipality's own integrations (a token of that municipality)."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from django.test import Client

from madoguchi.accounts.models import Role
from madoguchi.api import services as api_services
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import FeeTiming, IdentityLevel, Procedure
from madoguchi.testing.factories import make_staff

from .factories import FormVersionFactory, ProcedureCategoryFactory, ProcedureFactory, sample_data, sample_definition

pytestmark = pytest.mark.django_db


def token_of(municipality: Municipality) -> dict[str, Any]:
    user = make_staff(municipality, Role.COUNTER_CLERK)
    _token, raw = api_services.issue_token(municipality=municipality, user=user, name="portal")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def juminhyo(kasama: Municipality) -> Procedure:
    category = ProcedureCategoryFactory.create(municipality=kasama, slug="koseki", name_ja="戸籍・住民票")
    procedure = ProcedureFactory.create(
        municipality=kasama,
        slug="juminhyo",
        name_ja="住民票の写し交付請求",
        category=category,
        identity_level=IdentityLevel.SIGNATURE,
        fee_timing=FeeTiming.ON_SUBMISSION,
    )
    FormVersionFactory.create(procedure=procedure, number=1)
    changed = sample_definition()
    changed["steps"][0]["fields"][0]["label"] = {"ja": "請求者の氏名", "en": "Requester's name"}
    FormVersionFactory.create(procedure=procedure, number=2, definition=changed)
    # A draft is never shown.
    draft = sample_definition()
    draft["steps"][0]["fields"][0]["label"] = {"ja": "下書きの氏名"}
    FormVersionFactory.create(procedure=procedure, number=3, definition=draft, published_at=None)
    return procedure


def test_the_catalog_lists_published_procedures(client: Client, kasama: Municipality, juminhyo: Procedure) -> None:
    ProcedureFactory.create(municipality=kasama, slug="hidden", is_published=False)
    response = client.get("/api/v1/kasama/procedures/", **token_of(kasama))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [p["slug"] for p in results] == ["juminhyo"]
    item = results[0]
    assert item["name_ja"] == "住民票の写し交付請求"
    assert item["identity_level"] == "signature"
    assert item["fee_timing"] == "on_submission"
    assert item["availability"] == "online"
    assert item["current_version"] == 2
    assert item["category"]["slug"] == "koseki"
    assert item["department"]["code"] == juminhyo.department.code
    one = client.get("/api/v1/kasama/procedures/juminhyo/", **token_of(kasama))
    assert one.json()["slug"] == "juminhyo"


def test_the_schema_of_the_current_and_an_older_version(
    client: Client, kasama: Municipality, juminhyo: Procedure
) -> None:
    headers = token_of(kasama)
    response = client.get("/api/v1/kasama/procedures/juminhyo/schema/", **headers)
    assert response.status_code == 200
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["x-version"] == 2
    assert schema["properties"]["name"]["title"] == "請求者の氏名"
    assert schema["$id"].endswith("/api/v1/kasama/procedures/juminhyo/schema/?version=2")
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(sample_data())
    assert not validator.is_valid(sample_data(copies=0))
    old = client.get("/api/v1/kasama/procedures/juminhyo/schema/?version=1", **headers).json()
    assert old["x-version"] == 1
    assert old["properties"]["name"]["title"] == "氏名"
    english = client.get("/api/v1/kasama/procedures/juminhyo/schema/", HTTP_ACCEPT_LANGUAGE="en", **headers).json()
    assert english["properties"]["name"]["title"] == "Requester's name"
    assert english["title"] == juminhyo.name_en
    # The draft (3) is not a published version; nonsense is refused.
    assert client.get("/api/v1/kasama/procedures/juminhyo/schema/?version=3", **headers).status_code == 404
    assert client.get("/api/v1/kasama/procedures/juminhyo/schema/?version=x", **headers).status_code == 400
    assert client.get("/api/v1/kasama/procedures/nothing/schema/", **headers).status_code == 404


def test_a_procedure_without_a_published_form(client: Client, kasama: Municipality) -> None:
    ProcedureFactory.create(municipality=kasama, slug="new-one")
    headers = token_of(kasama)
    assert client.get("/api/v1/kasama/procedures/new-one/", **headers).json()["current_version"] is None
    assert client.get("/api/v1/kasama/procedures/new-one/schema/", **headers).status_code == 404


def test_a_token_is_needed_and_works_only_at_home(
    client: Client, kasama: Municipality, mito: Municipality, juminhyo: Procedure
) -> None:
    assert client.get("/api/v1/kasama/procedures/").status_code == 401
    mito_token = token_of(mito)
    assert client.get("/api/v1/kasama/procedures/", **mito_token).status_code == 403
    assert client.get("/api/v1/kasama/procedures/juminhyo/schema/", **mito_token).status_code == 403
    # Mito's own catalog does not show Kasama's procedure.
    listed = client.get("/api/v1/mito/procedures/", **mito_token)
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    assert client.get("/api/v1/mito/procedures/juminhyo/", **mito_token).status_code == 404
    assert client.get("/api/v1/mito/procedures/juminhyo/schema/", **mito_token).status_code == 404
