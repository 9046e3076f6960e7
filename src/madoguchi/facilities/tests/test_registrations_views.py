"""The residents' pages of 利用者登録 and the my page: sign-in required, the forms with
their errors, the member rows without JavaScript, one's own registrations only, the
contact details, English pages."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import GroupMember, Registration, RegistrationKind, RegistrationStatus
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db

BASE = "/kasama/facilities"

INDIVIDUAL = {
    "name": "山田 花子",
    "name_kana": "やまだ はなこ",
    "postal_code": "3091611",
    "address": "茨城県笠間市笠間１５３２",
    "phone": "0296771101",
    "email": "hanako@example.jp",
    "is_resident": "on",
    "agree": "on",
}


def _group_post(rows: list[tuple[str, str, bool]], **fields: str) -> dict[str, str]:
    data = {
        "name": "笠間バドミントンクラブ",
        "name_kana": "カサマバドミントンクラブ",
        "activity": "バドミントン",
        "representative_name": "山田 花子",
        "representative_name_kana": "ヤマダ ハナコ",
        "postal_code": "309-1611",
        "address": "茨城県笠間市笠間1532",
        "phone": "0296-77-1101",
        "email": "club@example.jp",
        "member_count": "",
        "resident_member_count": "",
        "agree": "on",
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "200",
        **fields,
    }
    for i, (name, kana, resident) in enumerate(rows):
        data[f"members-{i}-name"] = name
        data[f"members-{i}-name_kana"] = kana
        if resident:
            data[f"members-{i}-is_resident"] = "on"
    return data


def test_sign_in_is_required(kasama: Municipality, client: Client) -> None:
    for path in ("/register/", "/register/individual/", "/register/group/", "/my/", "/my/registrations/1/"):
        response = client.get(BASE + path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]


def test_an_individual_registers(kasama: Municipality, client: Client) -> None:
    user = UserFactory.create(family_name="山田", given_name="花子")
    sign_in(client, user)
    page = client.get(f"{BASE}/register/")
    assert page.status_code == 200
    assert "個人登録" in page.content.decode()
    form = client.get(f"{BASE}/register/individual/")
    assert "山田 花子" in form.content.decode()  # from the account

    response = client.post(f"{BASE}/register/individual/", INDIVIDUAL)
    with municipality_scope(kasama):
        registration = Registration.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/my/registrations/{registration.pk}/"
    assert registration.name_kana == "ヤマダ\u3000ハナコ"  # hiragana typed, katakana kept
    assert registration.postal_code == "309-1611"
    assert registration.address == "茨城県笠間市笠間1532"
    assert registration.is_resident
    # The same form sent again (a double click) is one registration.
    client.post(f"{BASE}/register/individual/", INDIVIDUAL)
    with municipality_scope(kasama):
        assert Registration.objects.filter(user=user).count() == 1

    detail = client.get(response["Location"])
    text = detail.content.decode()
    assert "審査中" in text
    assert "審査中のため未発行" in text
    assert AuditEntry.objects.filter(object_id=str(registration.pk), action="view", personal_data=True).exists()


def test_errors_keep_what_was_typed(kasama: Municipality, client: Client) -> None:
    sign_in(client, UserFactory.create())
    response = client.post(
        f"{BASE}/register/individual/", {**INDIVIDUAL, "name_kana": "Yamada", "phone": "12", "agree": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "入力内容を確認してください。" in text
    assert "確認のチェックを入れてください。" in text
    assert "茨城県笠間市笠間１５３２" in text  # as typed
    with municipality_scope(kasama):
        assert not Registration.objects.exists()


def test_a_group_registers_with_member_rows(kasama: Municipality, client: Client) -> None:
    user = UserFactory.create()
    sign_in(client, user)
    form = client.get(f"{BASE}/register/group/")
    assert form.content.decode().count('name="members-') >= 15  # five rows of three fields
    rows = [("山田 花子", "ヤマダ ハナコ", True), ("佐藤 一郎", "", True), ("", "", False), ("鈴木 次郎", "", False)]
    # More rows without JavaScript: what was typed stays.
    more = client.post(f"{BASE}/register/group/", {**_group_post(rows), "add_rows": "1"})
    assert more.status_code == 200
    assert "members-7-name" in more.content.decode()
    assert "佐藤 一郎" in more.content.decode()
    with municipality_scope(kasama):
        assert not Registration.objects.exists()

    response = client.post(f"{BASE}/register/group/", _group_post(rows))
    assert response.status_code == 302
    with municipality_scope(kasama):
        registration = Registration.objects.get(user=user)
        assert registration.kind == RegistrationKind.GROUP
        assert (registration.member_count, registration.resident_member_count) == (3, 2)
        assert GroupMember.objects.filter(registration=registration).count() == 3


def test_a_group_without_rows_needs_counts(kasama: Municipality, client: Client) -> None:
    sign_in(client, UserFactory.create())
    response = client.post(f"{BASE}/register/group/", _group_post([]))
    assert response.status_code == 400
    assert "人以上の団体が対象です" in response.content.decode()
    response = client.post(f"{BASE}/register/group/", _group_post([], member_count="12", resident_member_count="7"))
    assert response.status_code == 302


def test_the_registration_page_is_the_users_own(kasama: Municipality, client: Client) -> None:
    mine = RegistrationFactory.create(municipality=kasama, card_number="G0012345")
    other = RegistrationFactory.create(municipality=kasama)
    sign_in(client, mine.user)
    page = client.get(f"{BASE}/my/registrations/{mine.pk}/")
    assert page.status_code == 200
    assert "G0012345" in page.content.decode()
    assert client.get(f"{BASE}/my/registrations/{other.pk}/").status_code == 404


def test_the_resident_changes_contact_details(kasama: Municipality, client: Client) -> None:
    mine = RegistrationFactory.create(municipality=kasama)
    sign_in(client, mine.user)
    url = f"{BASE}/my/registrations/{mine.pk}/"
    bad = client.post(url, {"postal_code": "309-1611", "address": "笠間", "phone": "1", "email": "x@example.jp"})
    assert bad.status_code == 400
    response = client.post(
        url,
        {
            "postal_code": "309-1611",
            "address": "茨城県笠間市石井717",
            "phone": "090-1234-5678",
            "email": "new@example.jp",
        },
    )
    assert response.status_code == 302
    with municipality_scope(kasama):
        mine.refresh_from_db()
    assert (mine.address, mine.phone, mine.email) == ("茨城県笠間市石井717", "090-1234-5678", "new@example.jp")


def test_the_my_page(kasama: Municipality, client: Client) -> None:
    user = UserFactory.create()
    RegistrationFactory.create(municipality=kasama, user=user, name="笠間卓球会", card_number="G0099999")
    RegistrationFactory.create(municipality=kasama, user=user, name="審査待ちの会", status=RegistrationStatus.PENDING)
    sign_in(client, user)
    page = client.get(f"{BASE}/my/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "笠間卓球会" in text
    assert "G0099999" in text
    assert "審査中" in text
    assert AuditEntry.objects.filter(object_type="facilities.registration", extra__what="my_page").exists()


def test_english_pages(kasama: Municipality, client: Client) -> None:
    user = UserFactory.create()
    registration = RegistrationFactory.create(municipality=kasama, user=user)
    sign_in(client, user)
    for path in (
        "/register/",
        "/register/individual/",
        "/register/group/",
        "/my/",
        f"/my/registrations/{registration.pk}/",
    ):
        response = client.get(f"/en{BASE}{path}")
        assert response.status_code == 200, path
        assert '<html lang="en"' in response.content.decode(), path


def test_the_my_page_shows_bookings_and_entries(kasama: Municipality, client: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    from madoguchi.facilities.models import BookingSource, LotteryEntry, LotteryRound
    from madoguchi.facilities.services import occupancy

    from .factories import make_gym, next_weekday

    gym = make_gym(kasama)
    registration = RegistrationFactory.create(municipality=kasama)
    booking = occupancy.place_booking(
        unit=gym.whole, slot=gym.night, date=next_weekday(), source=BookingSource.FIRST_COME, registration=registration
    )
    now = timezone.now()
    month = (timezone.localdate().replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    with municipality_scope(kasama):
        round_ = LotteryRound.objects.create(
            municipality=kasama,
            facility=gym.facility,
            month=month,
            entry_opens_at=now,
            entry_closes_at=now + dt.timedelta(days=5),
            draw_at=now + dt.timedelta(days=6),
            confirm_until=now + dt.timedelta(days=10),
            seed="00" * 32,
            seed_commitment="11" * 32,
        )
        LotteryEntry.objects.create(
            municipality=kasama,
            round=round_,
            number="L2027-000042",
            registration=registration,
            unit=gym.half_a,
            slot=gym.morning,
            date=month.replace(day=12),
        )
    sign_in(client, registration.user)
    text = client.get(f"{BASE}/my/").content.decode()
    assert booking.number in text
    assert "L2027-000042" in text
    assert "準備中" not in text
