"""Setting up facilities in the staff console (施設・区画・時間区分・利用単位・使用料・付帯設備・
写真): every change goes through `save_part` / `delete_part`, which check what the
database cannot (a unit's spaces and slot pattern are its own facility's, a fee rule's
slot is of the unit's pattern, slots of a pattern do not overlap, codes are unique within a
facility) with a clear message, and leave an audit entry.

Photos are public: an upload must really be an image (Pillow opens and decodes it, the
name says nothing), is at most `PHOTO_MAX_BYTES` and `PHOTO_MAX_PIXELS`, and is stored
re-encoded under a random name — which also drops its metadata (the GPS position a phone
writes into a JPEG).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from madoguchi.audit import services as audit
from madoguchi.core.tenancy import municipality_scope

from ..models import Facility, FacilityPhoto, FeeExtra, FeeRule, Slot, SlotPattern, Space, Unit

PHOTO_MAX_BYTES = 5 * 1024 * 1024
#: Larger images are refused before they are decoded (a "decompression bomb" is small on disk).
PHOTO_MAX_PIXELS = 40_000_000
#: Longest side of the stored photo: enough for any screen, small to serve.
PHOTO_MAX_SIDE = 2400
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def safe_photo(upload: Any) -> ContentFile[bytes]:
    """The uploaded file as a photo fit to publish, or a ValidationError saying why not.

    The content decides, not the file name or the browser's content type: Pillow must
    identify it as JPEG, PNG or WebP and decode it whole. The result is re-encoded (EXIF
    orientation applied, metadata dropped, at most PHOTO_MAX_SIDE pixels on its longest side)
    and named by a random UUID with the extension of its real format."""
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(_("写真は5MB以下のファイルにしてください。"), code="photo_size")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in PHOTO_FORMATS:
                raise ValidationError(_("写真はJPEG・PNG・WebPの画像を選んでください。"), code="photo_format")
            if width * height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("写真の画素数が大きすぎます（4,000万画素まで）。"), code="photo_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = ImageOps.exif_transpose(image) or image
            picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            if kind == "JPEG" and picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 85, "optimize": True} if kind in ("JPEG", "WEBP") else {}
            picture.save(out, format=kind, **options)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("画像として読み込めないファイルです。JPEG・PNG・WebPの写真を選んでください。"), code="photo_invalid"
        ) from error
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{PHOTO_FORMATS[kind]}")


class _Problems:
    """The problems found, by field: all of them are shown at once, not the first only."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def require(self, condition: bool, field: str, message: str) -> None:
        if not condition:
            self.by_field.setdefault(field, []).append(message)


_problems: list[_Problems] = []


def _require(condition: bool, field: str, message: str) -> None:
    if _problems:
        _problems[-1].require(condition, field, message)
    elif not condition:
        raise ValidationError({field: message})


def _check_unique(instance: models.Model, field: str, message: str) -> None:
    """A code or slug unique within the facility (or the municipality for a facility),
    checked here for a message in words rather than the constraint's name."""
    model = type(instance)
    value = getattr(instance, field)
    parent = "municipality_id" if model is Facility else "facility_id"
    scope = {parent: getattr(instance, parent)}
    taken = model._default_manager.filter(**scope, **{field: value})
    if instance.pk:
        taken = taken.exclude(pk=instance.pk)
    _require(not taken.exists(), field, message)


def check_part(instance: models.Model, m2m: Mapping[str, Iterable[models.Model]] | None = None) -> None:
    """Raise a ValidationError (by field) for what `instance` may not be; `m2m` are the
    many-to-many values about to be set (a unit's spaces, an extra's units)."""
    _problems.append(_Problems())
    try:
        _check_part(instance, m2m or {})
    finally:
        found = _problems.pop()
    if found.by_field:
        raise ValidationError(found.by_field)


def _check_part(instance: models.Model, m2m: Mapping[str, Iterable[models.Model]]) -> None:
    if isinstance(instance, Facility):
        _check_unique(instance, "slug", _("この識別名の施設は既にあります。"))
    elif isinstance(instance, Space):
        _check_unique(instance, "code", _("この施設にこの区画コードは既にあります。"))
    elif isinstance(instance, Slot):
        _check_slot(instance)
    elif isinstance(instance, Unit):
        _check_unique(instance, "slug", _("この施設にこの識別名の利用単位は既にあります。"))
        _require(
            instance.slot_pattern.facility_id == instance.facility_id,
            "slot_pattern",
            _("時間区分は、この利用単位の施設の時間区分から選んでください。"),
        )
        if "spaces" in m2m:
            spaces = list(m2m["spaces"])
            _require(bool(spaces), "spaces", _("使う区画を1つ以上選んでください。"))
            _require(
                all(space.facility_id == instance.facility_id for space in spaces),  # type: ignore[attr-defined]
                "spaces",
                _("使う区画は、この利用単位の施設の区画から選んでください。"),
            )
    elif isinstance(instance, FeeRule):
        if instance.slot is not None:
            _require(
                instance.slot.pattern_id == instance.unit.slot_pattern_id,
                "slot",
                _("利用区分は、この利用単位の時間区分の区分から選んでください（空欄はすべての区分）。"),
            )
        same = FeeRule.objects.filter(
            unit_id=instance.unit_id, slot_id=instance.slot_id, day_kind=instance.day_kind, residency=instance.residency
        )
        if instance.pk:
            same = same.exclude(pk=instance.pk)
        _require(not same.exists(), "amount", _("この利用単位・区分・日区分・料金区分の使用料は既にあります。"))
    elif isinstance(instance, FeeExtra):
        _check_unique(instance, "code", _("この施設にこのコードの付帯設備は既にあります。"))
        if "units" in m2m:
            _require(
                all(unit.facility_id == instance.facility_id for unit in m2m["units"]),  # type: ignore[attr-defined]
                "units",
                _("対象の利用単位は、この施設の利用単位から選んでください。"),
            )
    elif isinstance(instance, FacilityPhoto):
        _require(bool((instance.alt_ja or "").strip()), "alt_ja", _("代替テキストを入力してください。"))


def _check_slot(slot: Slot) -> None:
    # The model's clean checks the half hour and the order; these need the other rows.
    if slot.starts_at is None or slot.ends_at is None or slot.ends_at <= slot.starts_at:
        return
    facility = slot.pattern.facility
    _require(
        facility.opens_at <= slot.starts_at and slot.ends_at <= facility.closes_at,
        "starts_at",
        _("利用区分は開館時間（%(opens)s〜%(closes)s）の中にしてください。")
        % {"opens": f"{facility.opens_at:%-H:%M}", "closes": f"{facility.closes_at:%-H:%M}"},
    )
    others = Slot.objects.filter(pattern_id=slot.pattern_id, starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
    if slot.pk:
        others = others.exclude(pk=slot.pk)
    clash = others.first()
    _require(
        clash is None,
        "starts_at",
        _("同じ時間区分の「%(other)s」と時間が重なっています。") % {"other": clash.label if clash else ""},
    )


def _replaced_photo(instance: models.Model) -> str:
    """The stored file a photo's new image replaces, if any (a public file no page shows
    any more should not stay reachable)."""
    if not isinstance(instance, FacilityPhoto) or instance.pk is None:
        return ""
    old = FacilityPhoto.objects.filter(pk=instance.pk).values_list("image", flat=True).first() or ""
    return old if old and old != instance.image.name else ""


def _delete_file_on_commit(name: str) -> None:
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def save_part(
    instance: models.Model,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    fields: Iterable[str] = (),
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> models.Model:
    """Create or change a facility or one of its parts (checked, then saved with the
    many-to-many values in `m2m`); `fields` are the names changed, for the audit entry."""
    municipality = instance.municipality  # type: ignore[attr-defined]
    creating = instance.pk is None
    with municipality_scope(municipality):
        instance.full_clean()
        check_part(instance, m2m)
        replaced = _replaced_photo(instance)
        instance.save()
        if replaced:
            _delete_file_on_commit(replaced)
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(list(values))
    audit.record(
        action=audit.Action.CREATE if creating else audit.Action.UPDATE,
        obj=instance,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=sorted(set(fields) | set(m2m or {})),
    )
    return instance


@transaction.atomic
def delete_part(instance: models.Model, *, actor: Any = None, request: HttpRequest | None = None) -> None:
    """Delete a part that nothing depends on; a space, slot or unit that bookings use
    cannot go (a ValidationError says so: deactivate the unit instead)."""
    municipality = instance.municipality  # type: ignore[attr-defined]
    if isinstance(instance, Space) and instance.units.exists():
        # A unit without the space would silently book less than it says.
        raise ValidationError(_("この区画を使う利用単位があるため削除できません。先に利用単位から外してください。"))
    audit.record(action=audit.Action.DELETE, obj=instance, municipality=municipality, actor=actor, request=request)
    photo = instance.image.name if isinstance(instance, FacilityPhoto) else ""
    try:
        with municipality_scope(municipality), transaction.atomic():
            instance.delete()
        if photo:
            _delete_file_on_commit(photo)
    except (ProtectedError, RestrictedError) as error:
        raise ValidationError(
            _("予約や他の設定で使われているため削除できません。利用単位は「利用できる」を外して停止してください。")
        ) from error


__all__ = ["PHOTO_MAX_BYTES", "SlotPattern", "check_part", "delete_part", "safe_photo", "save_part"]
