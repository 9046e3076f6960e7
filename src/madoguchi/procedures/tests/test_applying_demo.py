"""The applying pages over the real demo catalog (27+ procedures of Kasama): 「じゅうみんひょう」
finds 住民票の写し, and every procedure's page, paper form and first step open, whatever
fields its form has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from madoguchi.core.demo.loader import load_demo
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import Availability, Procedure
from madoguchi.procedures.services import search
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .applying_helpers import url

pytestmark = pytest.mark.django_db

PROVIDERS = [{"id": "digital-auth", "name": "デジタル認証アプリ", "name_en": "Digital Auth", "verifies_identity": True}]


@pytest.fixture
def kasama_demo(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> Municipality:
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(token_path=tmp_path / "tokens.json")
    return Municipality.objects.get(slug="kasama")


def test_searching_the_demo_catalog_in_kana(kasama_demo: Municipality) -> None:
    for query in ("じゅうみんひょう", "ジュウミンヒョウ", "住民票"):
        names = [p.name_ja for p in search.search(kasama_demo, query)]
        assert names, query
        assert "住民票" in names[0]


@override_settings(OIDC_PROVIDERS=PROVIDERS)
def test_every_demo_procedure_opens_up_to_its_first_step(kasama_demo: Municipality) -> None:
    client = Client()
    sign_in(client, UserFactory.create())
    session = client.session
    session["account_authentication_methods"] = [{"method": "socialaccount", "provider": "digital-auth"}]
    session.save()
    procedures = list(Procedure.objects.filter(municipality=kasama_demo, is_published=True))
    assert len(procedures) >= 27
    for procedure in procedures:
        assert client.get(url("procedure_detail", kasama_demo, slug=procedure.slug)).status_code == 200
        paper = client.get(url("paper_form", kasama_demo, slug=procedure.slug))
        assert paper.status_code == 200, procedure.slug
        if procedure.availability != Availability.ONLINE or procedure.current_version() is None:
            continue
        response = client.post(url("apply", kasama_demo, slug=procedure.slug))
        assert response.status_code == 302, procedure.slug
        step = client.get(response["Location"])
        assert step.status_code == 200, procedure.slug
        assert "ステップ 1 / " in step.content.decode()
