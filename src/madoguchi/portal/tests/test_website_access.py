"""Staff edit their own municipality's website in the staff console, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.accounts import services as accounts
from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.portal.models import MunicipalityHomePage
from madoguchi.portal.services import website_group_name
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import sign_in

pytestmark = pytest.mark.django_db


def _home(municipality: Municipality, language: str = "ja") -> MunicipalityHomePage:
    return MunicipalityHomePage.objects.get(municipality=municipality, locale__language_code=language)


def test_administrator_edits_own_home_page_in_both_languages(client: Client, kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    sign_in(client, admin)
    for language in ("ja", "en"):
        response = client.get(f"/staff/pages/{_home(kasama, language).pk}/edit/")
        assert response.status_code == 200, language


def test_administrator_cannot_edit_another_municipalitys_pages(
    client: Client, kasama: Municipality, mito: Municipality
) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    sign_in(client, admin)
    mito_home = _home(mito)
    title_before = mito_home.title
    assert client.get(f"/staff/pages/{mito_home.pk}/edit/").status_code in {302, 403}
    response = client.post(f"/staff/pages/{mito_home.pk}/edit/", {"title": "書き換え", "slug": "mito"})
    assert response.status_code in {302, 403}
    mito_home.refresh_from_db()
    assert mito_home.title == title_before
    assert mito_home.get_latest_revision().content["title"] == title_before


def test_roles_without_the_permission_cannot_edit(client: Client, kasama: Municipality) -> None:
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(client, clerk)
    assert client.get(f"/staff/pages/{_home(kasama).pk}/edit/").status_code in {302, 403}


def test_website_group_follows_role_changes_and_deactivation(kasama: Municipality) -> None:
    admin = make_staff(kasama, Role.MUNICIPAL_ADMIN)
    colleague = make_staff(kasama, Role.OFFICER)
    group = website_group_name(kasama)
    assert colleague.groups.filter(name=group).count() == 0

    accounts.update_staff(colleague.staff_profile, roles=[Role.OFFICER, Role.MUNICIPAL_ADMIN], actor=admin)
    assert colleague.groups.filter(name=group).count() == 1

    accounts.update_staff(colleague.staff_profile, roles=[Role.OFFICER], actor=admin)
    assert colleague.groups.filter(name=group).count() == 0

    accounts.update_staff(colleague.staff_profile, roles=[Role.MUNICIPAL_ADMIN], actor=admin)
    accounts.deactivate_staff(colleague.staff_profile, actor=admin)
    assert colleague.groups.filter(name=group).count() == 0
