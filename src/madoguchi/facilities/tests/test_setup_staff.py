"""施設の設定 in the staff console through the Django test client: who may use it,
facilities (list, filters, CSV, create, edit), the parts' checks (a unit's spaces from
another facility, slots off the half hour or overlapping), photos (only real images, alt
text required, stored re-encoded under a random name), deleting what bookings use, and
tenant isolation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.facilities.models import Facility, FacilityPhoto, FeeRule, Slot, Space, Unit
from madoguchi.testing.factories import make_staff
from madoguchi.testing.tenancy import TenantIsolation, TenantPair, sign_in

from .factories import Gym, make_gym

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


@pytest.fixture
def gym(kasama: Municipality) -> Gym:
    return make_gym(kasama, name_ja="笠間市民体育館", area_ja="笠間地区")


@pytest.fixture
def head(client: Client, kasama: Municipality) -> User:
    user = make_staff(kasama, Role.DEPARTMENT_HEAD)
    sign_in(client, user)
    return user


def refused(response: Any) -> bool:
    return response.status_code in (403, 404) or (response.status_code == 302 and response["Location"] == "/staff/")


def errors_of(response: Any) -> str:
    return response.content.decode()


def jpeg(size: tuple[int, int] = (64, 48), exif: bool = True) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    extra: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        extra["exif"] = data.tobytes()
    image.save(out, format="JPEG", **extra)
    return out.getvalue()


def test_only_facility_managers_reach_the_screens(client: Client, kasama: Municipality, gym: Gym) -> None:
    sign_in(client, make_staff(kasama, Role.COUNTER_CLERK))
    for url in (
        reverse("facilities-setup:index"),
        reverse("facilities-setup:add"),
        reverse("facilities-setup:edit", args=[gym.facility.pk]),
        reverse("facilities-units:index"),
        reverse("facilities-units:edit", args=[gym.whole.pk]),
        reverse("facilities-photos:add"),
    ):
        assert refused(client.get(url)), url
    assert refused(client.post(reverse("facilities-spaces:add"), {"facility": gym.facility.pk, "code": "c"}))
    assert not Space.objects.filter(code="c").exists()


def test_facility_list_search_filters_and_csv(client: Client, head: User, kasama: Municipality, gym: Gym) -> None:
    other = make_gym(kasama, name_ja="友部公民館", area_ja="友部地区", kind="community_hall")
    page = client.get(reverse("facilities-setup:index"))
    assert page.status_code == 200
    assert "笠間市民体育館" in page.content.decode()
    assert "友部公民館" in page.content.decode()
    filtered = client.get(reverse("facilities-setup:index"), {"area": "友部地区"}).content.decode()
    assert "友部公民館" in filtered
    assert "笠間市民体育館" not in filtered
    kind = client.get(reverse("facilities-setup:index"), {"kind": "gym"}).content.decode()
    assert "笠間市民体育館" in kind
    assert "友部公民館" not in kind
    found = client.get(reverse("facilities-setup:index"), {"q": "友部"}).content.decode()
    assert "友部公民館" in found
    assert "笠間市民体育館" not in found
    export = client.get(reverse("facilities-setup:index"), {"export": "csv"})
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode()  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    assert other.facility.slug in body
    assert gym.facility.slug in body


def facility_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name_ja": "岩間体育館",
        "name_kana": "イワマタイイクカン",
        "slug": "iwama-gym",
        "kind": "gym",
        "area_ja": "岩間地区",
        "address_ja": "茨城県笠間市下郷5140",
        "opens_at": "09:00",
        "closes_at": "21:30",
        "closed_weekdays": "0",
        "open_on_holidays": "on",
        "year_end_closure": "on",
        "booking_horizon_days": 90,
        "booking_closes_days": 1,
        "free_cancel_days": 7,
        "cancel_deadline_days": 1,
        "cancellation_fee_percent": 50,
        "payment_due_days": 7,
        "is_published": "on",
        "sort_order": 0,
    }
    data.update(changes)
    return data


def test_create_and_edit_a_facility(client: Client, head: User, kasama: Municipality, gym: Gym) -> None:
    response = client.post(reverse("facilities-setup:add"), facility_data())
    assert response.status_code == 302, errors_of(response)
    facility = Facility.objects.get(slug="iwama-gym")
    assert facility.municipality == kasama
    assert facility.closed_weekdays == "0"
    assert AuditEntry.objects.filter(object_type__contains="facility", action="create").exists()
    # The same identifier twice: an error by the field, nothing saved.
    again = client.post(reverse("facilities-setup:add"), facility_data(name_ja="別の施設"))
    assert again.status_code == 200
    assert "この識別名の施設は既にあります。" in errors_of(again)
    # Closing before opening.
    bad = client.post(
        reverse("facilities-setup:edit", args=[facility.pk]), facility_data(opens_at="22:00", closes_at="09:00")
    )
    assert bad.status_code == 200
    assert "閉館時刻は開館時刻より後にしてください。" in errors_of(bad)
    edit = client.get(reverse("facilities-setup:edit", args=[gym.facility.pk])).content.decode()
    assert f"{reverse('facilities-units:index')}?facility={gym.facility.pk}" in edit


def test_a_facility_slug_cannot_hide_a_page_of_the_module(client: Client, head: User, kasama: Municipality) -> None:
    """/<municipality>/facilities/<slug>/ is a facility's page: a slug that is the first
    path segment of another page of the module (search/, my/ …) would hide it."""
    from django.core.exceptions import ValidationError

    from madoguchi.facilities import urls
    from madoguchi.facilities.models.catalog import RESERVED_FACILITY_SLUGS

    segments = {str(p.pattern).split("/")[0] for p in urls.urlpatterns} - {""}
    segments = {s for s in segments if not s.startswith("<")}
    assert {"search", "my", "register", "book", "lotteries", "opendata"} <= segments
    assert segments <= RESERVED_FACILITY_SLUGS
    for slug in sorted(segments):
        with pytest.raises(ValidationError) as caught:
            Facility(municipality=kasama, slug=slug).clean()
        assert "slug" in caught.value.message_dict
    response = client.post(reverse("facilities-setup:add"), facility_data(slug="search"))
    assert response.status_code == 200
    assert "「search」は施設予約のページの名前に使われているため使えません。" in errors_of(response)
    assert not Facility.objects.filter(slug="search").exists()


def test_a_unit_cannot_use_another_facilitys_spaces(client: Client, head: User, kasama: Municipality, gym: Gym) -> None:
    other = make_gym(kasama)
    data = {
        "facility": gym.facility.pk,
        "slug": "mixed",
        "name_ja": "混在",
        "spaces": [gym.space_a.pk, other.space_b.pk],
        "slot_pattern": other.pattern.pk,
        "is_active": "on",
        "sort_order": 5,
    }
    response = client.post(reverse("facilities-units:add"), data)
    body = errors_of(response)
    assert response.status_code == 200
    assert "使う区画は、この利用単位の施設の区画から選んでください。" in body
    assert not Unit.objects.filter(slug="mixed").exists()
    data.update(spaces=[gym.space_a.pk], slot_pattern=gym.pattern.pk)
    response = client.post(reverse("facilities-units:add"), data)
    assert response.status_code == 302, errors_of(response)
    unit = Unit.objects.get(slug="mixed")
    assert list(unit.spaces.all()) == [gym.space_a]


def test_slots_on_the_half_hour_and_not_overlapping(client: Client, head: User, gym: Gym) -> None:
    url = reverse("facilities-slots:add")
    base = {"pattern": gym.pattern.pk, "name_ja": "早朝", "sort_order": 0}
    off = client.post(url, {**base, "starts_at": "07:15", "ends_at": "08:00"})
    assert off.status_code == 200
    assert "時刻は30分単位で入力してください。" in errors_of(off)
    overlap = client.post(url, {**base, "starts_at": "11:00", "ends_at": "13:00"})
    assert overlap.status_code == 200
    assert "時間が重なっています" in errors_of(overlap)
    early = client.post(url, {**base, "starts_at": "07:00", "ends_at": "08:30"})
    assert early.status_code == 200
    assert "開館時間" in errors_of(early)
    ok = client.post(url, {**base, "name_ja": "昼", "starts_at": "12:00", "ends_at": "13:00"})
    assert ok.status_code == 302, errors_of(ok)
    assert Slot.objects.filter(pattern=gym.pattern, name_ja="昼").exists()


def test_fee_rule_slot_must_be_of_the_units_pattern(client: Client, head: User, kasama: Municipality, gym: Gym) -> None:
    other = make_gym(kasama)
    data = {"unit": gym.whole.pk, "slot": other.morning.pk, "day_kind": "weekday", "residency": "resident", "amount": 1}
    response = client.post(reverse("facilities-fees:add"), data)
    assert response.status_code == 200
    assert "利用区分は、この利用単位の時間区分" in errors_of(response)
    data["slot"] = gym.morning.pk
    assert client.post(reverse("facilities-fees:add"), data).status_code == 302
    duplicate = client.post(reverse("facilities-fees:add"), data)
    assert duplicate.status_code == 200
    assert "既にあります" in errors_of(duplicate)
    assert FeeRule.objects.filter(unit=gym.whole, slot=gym.morning).count() == 1


def test_photo_upload_checks_the_content_and_needs_alt_text(client: Client, head: User, gym: Gym) -> None:
    url = reverse("facilities-photos:add")
    fake = SimpleUploadedFile("gym.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(url, {"facility": gym.facility.pk, "image": fake, "alt_ja": "体育館", "sort_order": 0})
    assert response.status_code == 200
    assert not FacilityPhoto.objects.exists()
    no_alt = SimpleUploadedFile("gym.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(url, {"facility": gym.facility.pk, "image": no_alt, "alt_ja": "  ", "sort_order": 0})
    assert response.status_code == 200
    assert not FacilityPhoto.objects.exists()
    upload = SimpleUploadedFile("IMG 0001.html", jpeg(), content_type="text/html")
    response = client.post(
        url, {"facility": gym.facility.pk, "image": upload, "alt_ja": "体育館のアリーナ", "sort_order": 0}
    )
    assert response.status_code == 302, errors_of(response)
    photo = FacilityPhoto.objects.get()
    assert photo.image.name.endswith(".jpg")
    assert "IMG" not in photo.image.name
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_photo_too_large_is_refused(client: Client, head: User, gym: Gym, settings: Any) -> None:
    from madoguchi.facilities.services import setup

    upload = SimpleUploadedFile("big.jpg", jpeg() + b"\0" * (setup.PHOTO_MAX_BYTES + 1), content_type="image/jpeg")
    response = client.post(
        reverse("facilities-photos:add"), {"facility": gym.facility.pk, "image": upload, "alt_ja": "x", "sort_order": 0}
    )
    assert response.status_code == 200
    assert "5MB" in errors_of(response)


def test_deleting_a_used_space_is_refused_clearly(client: Client, head: User, gym: Gym) -> None:
    response = client.post(reverse("facilities-spaces:delete", args=[gym.space_a.pk]), follow=True)
    assert Space.objects.filter(pk=gym.space_a.pk).exists()
    assert "削除できません" in response.content.decode()
    extra = client.post(reverse("facilities-extras:delete", args=[gym.lighting.pk]))
    assert extra.status_code == 302
    assert not gym.facility.fee_extras.exists()


def test_isolation(client: Client, two_municipalities: TenantPair) -> None:
    home, other = two_municipalities.home, two_municipalities.other
    theirs = make_gym(other.municipality, name_ja="水戸の秘密体育館")
    iso = TenantIsolation(client, two_municipalities)
    markers = ["水戸の秘密体育館"]
    iso.assert_page_excludes("/staff/facilities/setup/facilities/", as_user=home.staff, markers=markers)
    iso.assert_page_excludes("/staff/facilities/setup/units/", as_user=home.staff, markers=markers)
    iso.assert_unreachable(
        f"/staff/facilities/setup/facilities/{theirs.facility.pk}/", obj=theirs.facility, as_user=home.staff
    )
    iso.assert_unreachable(f"/staff/facilities/setup/units/{theirs.whole.pk}/", obj=theirs.whole, as_user=home.staff)
    iso.assert_unreachable(
        f"/staff/facilities/setup/slots/{theirs.morning.pk}/", obj=theirs.morning, as_user=home.staff
    )
    iso.assert_unreachable(
        f"/staff/facilities/setup/spaces/{theirs.space_a.pk}/delete/", obj=theirs.space_a, as_user=home.staff
    )
    # Choosing their facility for a new part of ours is refused.
    sign_in(client, home.staff)
    response = client.post(
        reverse("facilities-spaces:add"), {"facility": theirs.facility.pk, "code": "x", "name_ja": "X"}
    )
    assert response.status_code == 200
    assert not Space.objects.filter(code="x").exists()


def test_a_deleted_photo_leaves_no_file(
    client: Client, head: User, gym: Gym, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("a.png", jpeg(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("facilities-photos:add"),
            {"facility": gym.facility.pk, "image": upload, "alt_ja": "外観", "sort_order": 0},
        )
    photo = FacilityPhoto.objects.get()
    stored = tmp_path / photo.image.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("facilities-photos:delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not FacilityPhoto.objects.exists()
    assert not stored.exists()
