"""利用者登録 in the staff console: permission, the list with search, filters and CSV
(audited), the reason before the detail, and the decisions."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from madoguchi.accounts.models import Role
from madoguchi.audit import access
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import Registration, RegistrationKind, RegistrationStatus
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import sign_in

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db

S = RegistrationStatus
LIST = "/staff/facilities/registrations/"


def _reason(client: Client, registration: Registration) -> None:
    """The reason held in the session, as the reason screen would keep it."""
    session = client.session
    reasons = session.get(access.SESSION_KEY, {})
    reasons[access.subject_key_for(registration.user)] = {
        "reason": "担当業務の処理: 審査",
        "purpose": "casework",
        "expires": time.time() + 600,
    }
    session[access.SESSION_KEY] = reasons
    session.save()


def test_only_reviewers_see_the_list(kasama: Municipality, client: Client) -> None:
    sign_in(client, make_staff(kasama, Role.AUDITOR))
    assert client.get(LIST).status_code in (302, 403)
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    assert client.get(LIST).status_code == 200


def test_the_list_search_filters_and_export(kasama: Municipality, client: Client) -> None:
    RegistrationFactory.create(
        municipality=kasama, name="笠間卓球会", name_kana="カサマタッキュウカイ", card_number="G0000011"
    )
    RegistrationFactory.create(
        municipality=kasama,
        name="個人の山田",
        kind=RegistrationKind.INDIVIDUAL,
        status=S.PENDING,
        card_number="",
        email="yamada@example.jp",
    )
    RegistrationFactory.create(municipality=kasama, name="不承認の会", status=S.REJECTED, card_number="")
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))

    text = client.get(LIST).content.decode()
    assert "笠間卓球会" in text
    assert "個人の山田" in text
    assert "不承認の会" not in text  # not by default
    assert "不承認の会" in client.get(LIST + "?status=all").content.decode()
    assert "不承認の会" in client.get(LIST + "?status=rejected").content.decode()
    pending = client.get(LIST + "?status=pending").content.decode()
    assert "個人の山田" in pending
    assert "笠間卓球会" not in pending
    by_kind = client.get(LIST + "?kind=group").content.decode()
    assert "個人の山田" not in by_kind
    for query in ("タッキュウ", "G0000011", "yamada@example"):
        found = client.get(LIST, {"q": query}).content.decode()
        assert ("笠間卓球会" in found) != ("個人の山田" in found), query

    export = client.get(LIST + "?export=csv&status=all")
    assert export.status_code == 200
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "笠間卓球会" in body
    assert "不承認の会" in body
    entries = AuditEntry.objects.filter(object_type="facilities.registration", personal_data=True)
    assert entries.filter(action="export").count() == 1
    assert entries.filter(action="view", extra__what="staff_list").count() >= 5


def test_a_reason_first_then_approve(kasama: Municipality, client: Client) -> None:
    registration = RegistrationFactory.create(municipality=kasama, status=S.PENDING, card_number="")
    clerk = make_staff(kasama, Role.COUNTER_CLERK)
    sign_in(client, clerk)
    url = f"{LIST}{registration.pk}/"
    first = client.get(url)
    assert first.status_code == 302
    assert "access-reason" in first["Location"] or "reason" in first["Location"]

    _reason(client, registration)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert registration.name in text
    assert "承認して登録番号を発行する" in text
    assert AuditEntry.objects.filter(
        object_id=str(registration.pk), action="view", extra__what="staff_detail", reason__contains="審査"
    ).exists()

    response = client.post(url, {"action": "approve", "approve-note": ""})
    assert response.status_code == 302
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.status == S.APPROVED
    assert registration.card_number == "G000001"
    # A second click: nothing more happens.
    client.post(url, {"action": "approve", "approve-note": ""})
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.card_number == "G000001"


def test_reject_needs_a_reason_and_limits_change(kasama: Municipality, client: Client) -> None:
    registration = RegistrationFactory.create(municipality=kasama, status=S.PENDING, card_number="")
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    _reason(client, registration)
    url = f"{LIST}{registration.pk}/"
    refused = client.post(url, {"action": "reject", "reject-reason": ""})
    assert refused.status_code == 400
    limits = client.post(
        url, {"action": "limits", "limits-max_active_bookings": "6", "limits-max_lottery_entries_per_month": "3"}
    )
    assert limits.status_code == 302
    client.post(url, {"action": "reject", "reject-reason": "構成員の確認ができませんでした。"})
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.status == S.REJECTED
    assert (registration.max_active_bookings, registration.max_lottery_entries_per_month) == (6, 3)


def test_suspend_and_reinstate(kasama: Municipality, client: Client) -> None:
    registration = RegistrationFactory.create(municipality=kasama)
    sign_in(client, make_staff(kasama, Role.OFFICER))
    _reason(client, registration)
    url = f"{LIST}{registration.pk}/"
    client.post(url, {"action": "suspend", "suspend-reason": "無断不使用が3回"})
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.status == S.SUSPENDED
    client.post(url, {"action": "reinstate", "reinstate-note": ""})
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.status == S.APPROVED
