"""利用者登録 services: submitting (individual, group with member rows or counts), the
decisions with card numbers and validity, e-mails, audit entries, and the limits the
booking and lottery parts call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    BookingSource,
    BookingStatus,
    GroupMember,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from madoguchi.facilities.services import occupancy
from madoguchi.facilities.services import registrations as service
from madoguchi.facilities.services.occupancy import BookingError
from madoguchi.notifications.models import OutboundMessage
from madoguchi.testing.factories import UserFactory, make_staff

from .factories import RegistrationFactory, make_gym, next_weekday

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def _individual(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "postal_code": "309-1611",
        "address": "茨城県笠間市笠間1532",
        "phone": "0296-77-1101",
        "email": "hanako@example.jp",
        "is_resident": True,
        **overrides,
    }


def _group(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": "笠間バドミントンクラブ",
        "name_kana": "カサマバドミントンクラブ",
        "representative_name": "山田 花子",
        "representative_name_kana": "ヤマダ ハナコ",
        "activity": "バドミントン",
        **overrides,
    }
    return _individual(**values)


def _mails(key: str) -> list[OutboundMessage]:
    return list(OutboundMessage.unscoped.filter(template_key=key).order_by("pk"))


def test_an_individual_applies_and_is_approved_with_a_card_number(kasama: Municipality) -> None:
    user = UserFactory.create()
    clerk = make_staff(kasama, "counter_clerk")
    registration = service.submit(
        municipality=kasama, user=user, kind=RegistrationKind.INDIVIDUAL, data=_individual(), members=[]
    )
    assert registration.status == S.PENDING
    assert registration.card_number == ""
    assert registration.pays_resident_rate
    assert len(_mails("facilities/registration_received")) == 1
    assert service.usable_registrations(user, kasama) == []

    approved = service.approve(registration, actor=clerk, note="ようこそ")
    assert approved.status == S.APPROVED
    assert approved.card_number == "P000001"
    assert approved.valid_until == service._add_years(timezone.localdate(), 3)
    assert approved.reviewed_by == clerk
    assert [r.pk for r in service.usable_registrations(user, kasama)] == [registration.pk]
    mail = _mails("facilities/registration_approve")
    assert len(mail) == 1
    assert "P000001" in mail[0].subject

    # A second click gives no second number nor a second e-mail.
    again = service.approve(registration, actor=clerk)
    assert again.card_number == "P000001"
    assert len(_mails("facilities/registration_approve")) == 1

    entries = AuditEntry.objects.filter(object_type="facilities.registration", object_id=str(registration.pk))
    assert {e.action for e in entries} == {"create", "update"}
    assert all(e.personal_data and e.subject_id == user.pk for e in entries)


def test_card_numbers_are_per_municipality_and_never_repeat(kasama: Municipality, mito: Municipality) -> None:
    clerk = make_staff(kasama, "counter_clerk")
    numbers = []
    for n in range(3):
        r = service.submit(
            municipality=kasama,
            user=UserFactory.create(),
            kind=RegistrationKind.GROUP,
            data=_group(name=f"団体{n}", member_count=5, resident_member_count=3),
            members=[],
        )
        numbers.append(service.approve(r, actor=clerk).card_number)
    assert numbers == ["G000001", "G000002", "G000003"]
    theirs = service.submit(
        municipality=mito, user=UserFactory.create(), kind=RegistrationKind.INDIVIDUAL, data=_individual(), members=[]
    )
    assert service.approve(theirs, actor=make_staff(mito, "counter_clerk")).card_number == "P000001"


def test_a_group_counts_its_members_from_the_rows(kasama: Municipality) -> None:
    members = [
        {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "is_resident": True},
        {"name": "佐藤 一郎", "name_kana": "", "is_resident": False},
        {"name": "  ", "name_kana": "", "is_resident": True},  # an empty row is ignored
        {"name": "鈴木 次郎", "is_resident": False},
    ]
    registration = service.submit(
        municipality=kasama,
        user=UserFactory.create(),
        kind=RegistrationKind.GROUP,
        data=_group(member_count=50, resident_member_count=40),
        members=members,
    )
    assert (registration.member_count, registration.resident_member_count) == (3, 1)
    assert not registration.pays_resident_rate  # 1 of 3 live in the city
    with municipality_scope(kasama):
        assert list(GroupMember.objects.filter(registration=registration).values_list("name", flat=True)) == [
            "山田 花子",
            "佐藤 一郎",
            "鈴木 次郎",
        ]


def test_a_group_needs_a_representative_and_sensible_counts(kasama: Municipality) -> None:
    user = UserFactory.create()
    with pytest.raises(service.RegistrationError):
        service.submit(
            municipality=kasama,
            user=user,
            kind=RegistrationKind.GROUP,
            data=_group(representative_name="", member_count=5, resident_member_count=1),
            members=[],
        )
    with pytest.raises(service.RegistrationError):
        service.submit(
            municipality=kasama,
            user=user,
            kind=RegistrationKind.GROUP,
            data=_group(member_count=3, resident_member_count=4),
            members=[],
        )
    with pytest.raises(service.RegistrationError):
        service.submit(
            municipality=kasama,
            user=user,
            kind=RegistrationKind.GROUP,
            data=_group(member_count=1, resident_member_count=1),
            members=[],
        )
    with municipality_scope(kasama):
        assert not Registration.objects.exists()


def test_sending_twice_makes_one_registration(kasama: Municipality) -> None:
    user = UserFactory.create()
    first = service.submit(
        municipality=kasama, user=user, kind=RegistrationKind.INDIVIDUAL, data=_individual(), members=[]
    )
    second = service.submit(
        municipality=kasama, user=user, kind=RegistrationKind.INDIVIDUAL, data=_individual(), members=[]
    )
    assert first.pk == second.pk
    assert len(_mails("facilities/registration_received")) == 1


def test_reject_suspend_and_reinstate(kasama: Municipality) -> None:
    clerk = make_staff(kasama, "counter_clerk")
    pending = RegistrationFactory.create(municipality=kasama, status=S.PENDING, card_number="")
    with pytest.raises(service.RegistrationError):
        service.reject(pending, actor=clerk, reason=" ")
    rejected = service.reject(pending, actor=clerk, reason="住所を確認できませんでした。")
    assert rejected.status == S.REJECTED
    assert rejected.review_note == "住所を確認できませんでした。"
    assert "住所を確認できませんでした。" in _mails("facilities/registration_reject")[0].body_text
    with pytest.raises(service.RegistrationError):
        service.approve(rejected, actor=clerk)

    approved = RegistrationFactory.create(municipality=kasama, valid_until=timezone.localdate() + dt.timedelta(days=30))
    suspended = service.suspend(approved, actor=clerk, reason="無断不使用が続いたため")
    assert suspended.status == S.SUSPENDED
    assert service.usable_registrations(approved.user, kasama) == []
    reinstated = service.reinstate(suspended, actor=clerk)
    assert reinstated.status == S.APPROVED
    assert reinstated.card_number == approved.card_number
    assert service.usable_registrations(approved.user, kasama) == [reinstated]
    assert len(_mails("facilities/registration_suspend")) == 1
    assert len(_mails("facilities/registration_reinstate")) == 1


def test_expired_registrations_are_not_usable(kasama: Municipality) -> None:
    old = RegistrationFactory.create(municipality=kasama, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert service.usable_registrations(old.user, kasama) == []
    assert service.shown_status(old) == S.EXPIRED
    assert service.expire_due(kasama) == 1
    with municipality_scope(kasama):
        old.refresh_from_db()
    assert old.status == S.EXPIRED


def test_expiry_runs_daily_for_every_municipality(kasama: Municipality, mito: Municipality) -> None:
    """The periodic work: the task and the command write 期限切れ in every municipality,
    print what they did, and a second run does nothing."""
    import io

    from django.core.management import call_command

    from madoguchi.facilities.tasks import expire_registrations_task

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = RegistrationFactory.create(municipality=kasama, valid_until=yesterday)
    theirs = RegistrationFactory.create(municipality=mito, valid_until=yesterday)
    current = RegistrationFactory.create(municipality=kasama, valid_until=timezone.localdate())
    assert expire_registrations_task.call() == {"kasama": 1, "mito": 1}
    for registration, status in ((old, S.EXPIRED), (theirs, S.EXPIRED), (current, S.APPROVED)):
        with municipality_scope(registration.municipality):
            registration.refresh_from_db()
        assert registration.status == status
    assert AuditEntry.objects.filter(object_id=str(theirs.pk), personal_data=True).exists()
    out = io.StringIO()
    call_command("facilities_expire_registrations", stdout=out)
    assert "registrations expired: 0" in out.getvalue()
    out = io.StringIO()
    call_command(
        "facilities_expire_registrations",
        "--today",
        (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        stdout=out,
    )
    assert "kasama: 1" in out.getvalue()
    assert "registrations expired: 1" in out.getvalue()


def test_registration_of_is_only_the_users_own(kasama: Municipality, mito: Municipality) -> None:
    mine = RegistrationFactory.create(municipality=kasama)
    other = RegistrationFactory.create(municipality=kasama)
    assert service.registration_of(mine.user, kasama, mine.pk) == mine
    assert service.registration_of(mine.user, kasama, other.pk) is None
    assert service.registration_of(mine.user, mito, mine.pk) is None
    assert service.registration_of(mine.user, kasama, "x") is None


def test_the_booking_limit(kasama: Municipality) -> None:
    gym = make_gym(kasama)
    registration = RegistrationFactory.create(municipality=kasama, max_active_bookings=2)
    day = next_weekday()
    service.check_booking_limit(registration)
    booking = occupancy.place_booking(
        unit=gym.whole, slot=gym.morning, date=day, source=BookingSource.FIRST_COME, registration=registration
    )
    occupancy.place_booking(
        unit=gym.whole, slot=gym.afternoon, date=day, source=BookingSource.FIRST_COME, registration=registration
    )
    with pytest.raises(BookingError) as refused:
        service.check_booking_limit(registration)
    assert refused.value.code == "booking_limit"
    assert "2件" in refused.value.message
    # 0 is no limit.
    registration.max_active_bookings = 0
    service.check_booking_limit(registration)
    registration.max_active_bookings = 2
    # A cancelled booking no longer counts.
    with municipality_scope(kasama):
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
    service.check_booking_limit(registration)


def test_the_entry_limit(kasama: Municipality) -> None:
    from madoguchi.facilities.models import EntryStatus, LotteryEntry, LotteryRound

    gym = make_gym(kasama)
    registration = RegistrationFactory.create(municipality=kasama, max_lottery_entries_per_month=1)
    month = (timezone.localdate().replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    now = timezone.now()
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
        entry = LotteryEntry.objects.create(
            municipality=kasama,
            round=round_,
            number="L1",
            registration=registration,
            unit=gym.whole,
            slot=gym.morning,
            date=month.replace(day=10),
        )
    service.check_entry_limit(registration, timezone.localdate())  # another month
    with pytest.raises(BookingError) as refused:
        service.check_entry_limit(registration, month)
    assert refused.value.code == "entry_limit"
    with municipality_scope(kasama):
        entry.status = EntryStatus.WITHDRAWN
        entry.save(update_fields=["status"])
    service.check_entry_limit(registration, month)


def test_contact_and_limit_changes_are_audited(kasama: Municipality) -> None:
    registration = RegistrationFactory.create(municipality=kasama)
    clerk = make_staff(kasama, "officer")
    assert service.update_contact(registration, actor=registration.user, data={"phone": "0296-77-1101"}) == []
    assert service.update_contact(registration, actor=registration.user, data={"phone": "090-1234-5678"}) == ["phone"]
    changed = service.update_limits(registration, actor=clerk, max_active_bookings=8, max_lottery_entries_per_month=4)
    assert changed == ["max_active_bookings"]
    with municipality_scope(kasama):
        registration.refresh_from_db()
    assert registration.phone == "090-1234-5678"
    assert registration.max_active_bookings == 8
    updates = AuditEntry.objects.filter(object_id=str(registration.pk), action="update")
    assert sorted(tuple(e.fields) for e in updates) == [("max_active_bookings",), ("phone",)]
