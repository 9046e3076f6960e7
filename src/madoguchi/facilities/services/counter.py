"""The counter (窓口): what staff do with bookings for residents — book on a resident's
behalf or for a holder without a registration, block bookings (一括予約), check-in
(利用確認) and no-shows (無断不使用). The grid itself is `occupancy`; cancelling is
`bookings.cancel`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit

from ..models import Booking, BookingStatus
from .occupancy import BookingError

#: How long before the slot starts staff may already check a booker in.
CHECK_IN_EARLY = dt.timedelta(hours=1)


def _slot_start(booking: Booking) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(booking.date, booking.starts_at))


def _slot_end(booking: Booking) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(booking.date, booking.ends_at))


def check_in_problem(booking: Booking, *, now: dt.datetime | None = None) -> str:
    """Why the booking cannot be checked in now ("" when it can, or already is)."""
    now = now or timezone.now()
    if booking.status == BookingStatus.CHECKED_IN:
        return ""
    if booking.status == BookingStatus.CANCELLED:
        return _("取り消された予約です。")
    if booking.status == BookingStatus.PROVISIONAL:
        return _("当選後の確定手続が済んでいない予約です。")
    if booking.status == BookingStatus.NO_SHOW:
        return _("無断不使用として記録された予約です。")
    if booking.date != timezone.localdate(now):
        return _("利用日（%(date)s）ではありません。") % {"date": booking.date.isoformat()}
    if now < _slot_start(booking) - CHECK_IN_EARLY:
        return _("利用開始の1時間前から確認できます。")
    if now > _slot_end(booking):
        return _("利用時間が終わっています。")
    return ""


@transaction.atomic
def check_in(booking: Booking, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> Booking:
    """利用確認: the booker came. Idempotent: a second check-in changes nothing."""
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.status == BookingStatus.CHECKED_IN:
        return locked
    problem = check_in_problem(locked, now=now)
    if problem:
        raise BookingError("cannot_check_in", problem)
    locked.status = BookingStatus.CHECKED_IN
    locked.checked_in_at = now or timezone.now()
    locked.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    audit.record(
        action=audit.Action.UPDATE,
        obj=locked,
        municipality=locked.municipality,
        actor=actor,
        request=request,
        personal_data=locked.registration_id is not None,
        subject=_subject(locked),
        fields=["status", "checked_in_at"],
        extra={"what": "check_in", "number": locked.number},
    )
    booking.status, booking.checked_in_at, booking.checked_in_by = (
        locked.status,
        locked.checked_in_at,
        locked.checked_in_by,
    )
    return locked


def _subject(booking: Booking) -> Any:
    registration = booking.registration
    return registration.user if registration is not None and registration.user_id else None
