"""利用者登録: residents register as an individual or for a group; staff approve, reject,
suspend and reinstate; bookings and lottery entries are made within a registration's limits.

Every change is an audited change of personal data (the subject is the resident's
account) and the resident hears of each decision by e-mail. Card numbers (登録番号) are
given at approval from a per-municipality counter whose row is locked, so two clerks
approving at the same moment never give the same number.

Other parts call: `usable_registrations`, `registration_of`, `check_booking_limit`,
`check_entry_limit` (bookings and lotteries). `expire_all_due` writes 期限切れ daily
(`tasks.expire_registrations_task`, the ``facilities_expire_registrations`` command).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from madoguchi.audit import services as audit
from madoguchi.core import navigation
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import (
    ACTIVE_STATUSES,
    Booking,
    EntryStatus,
    GroupMember,
    LotteryEntry,
    Registration,
    RegistrationCounter,
    RegistrationKind,
    RegistrationStatus,
)
from .occupancy import BookingError

logger = logging.getLogger(__name__)

S = RegistrationStatus

#: How long an approval lasts (有効期間).
VALID_YEARS = 3
#: A group has at least this many members (the representative included).
MIN_GROUP_MEMBERS = 2
#: Rows of a group's member list (名簿) at most.
MAX_MEMBERS = 200
#: The card number's prefix by kind: 個人 P…, 団体 G….
CARD_PREFIX = {RegistrationKind.INDIVIDUAL: "P", RegistrationKind.GROUP: "G"}

#: What a resident gives (and may change later: CONTACT_FIELDS).
DATA_FIELDS = (
    "name",
    "name_kana",
    "representative_name",
    "representative_name_kana",
    "postal_code",
    "address",
    "phone",
    "email",
    "is_resident",
    "member_count",
    "resident_member_count",
    "activity",
)
CONTACT_FIELDS = ("postal_code", "address", "phone", "email")
LIMIT_FIELDS = ("max_active_bookings", "max_lottery_entries_per_month")

#: Which statuses each decision starts from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "approve": (S.PENDING,),
    "reject": (S.PENDING,),
    "suspend": (S.APPROVED,),
    "reinstate": (S.SUSPENDED,),
}


class RegistrationError(ValidationError):
    """A request the rules refuse; the message is for the person asking."""


# --- Reading ---------------------------------------------------------------------------


def registrations_of(user: Any, municipality: Municipality) -> list[Registration]:
    """Every registration the user made in the municipality, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    with municipality_scope(municipality):
        return list(Registration.objects.filter(municipality=municipality, user=user).order_by("-submitted_at", "-pk"))


def usable_registrations(user: Any, municipality: Municipality) -> list[Registration]:
    """The user's registrations that may book and enter lotteries now: approved and not
    past `valid_until`."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    with municipality_scope(municipality):
        return list(
            Registration.objects.filter(municipality=municipality, user=user, status=S.APPROVED)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .order_by("kind", "name", "pk")
        )


def registration_of(user: Any, municipality: Municipality, pk: Any) -> Registration | None:
    """The user's own registration `pk` in the municipality; None for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with municipality_scope(municipality):
        return Registration.objects.filter(municipality=municipality, user=user, pk=pk).first()


def is_usable(registration: Registration, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return registration.status == S.APPROVED and (registration.valid_until is None or registration.valid_until >= today)


def shown_status(registration: Registration, today: dt.date | None = None) -> str:
    """The status to show: an approval past its `valid_until` is 期限切れ even before the
    nightly job writes it."""
    if registration.status == S.APPROVED and not is_usable(registration, today):
        return S.EXPIRED
    return registration.status


def active_booking_count(registration: Registration, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    with municipality_scope(registration.municipality_id):
        return Booking.objects.filter(registration=registration, status__in=ACTIVE_STATUSES, date__gte=today).count()


def entry_count(registration: Registration, month: dt.date) -> int:
    first = month.replace(day=1)
    with municipality_scope(registration.municipality_id):
        return (
            LotteryEntry.objects.filter(registration=registration, round__month=first)
            .exclude(status=EntryStatus.WITHDRAWN)
            .count()
        )


def check_booking_limit(registration: Registration) -> None:
    """Raise BookingError("booking_limit") when the registration already holds
    `max_active_bookings` bookings (provisional or confirmed) for today or later.
    0 is no limit, as with the lottery's win limit (staff stop a registration by
    suspending it)."""
    limit = registration.max_active_bookings
    if limit and active_booking_count(registration) >= limit:
        raise BookingError(
            "booking_limit",
            _("同時に持てる予約は%(limit)d件までです。利用が終わるか、予約を取り消してから申し込んでください。")
            % {"limit": limit},
        )


def check_entry_limit(registration: Registration, month: dt.date) -> None:
    """Raise BookingError("entry_limit") when the registration's entries (not withdrawn)
    for lotteries of `month` reach `max_lottery_entries_per_month` (0 is no limit)."""
    limit = registration.max_lottery_entries_per_month
    if limit and entry_count(registration, month) >= limit:
        raise BookingError(
            "entry_limit",
            _("%(month)sの抽選に申し込めるのは%(limit)d件までです。")
            % {"month": _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}, "limit": limit},
        )


def search(queryset: QuerySet[Registration], query: str) -> QuerySet[Registration]:
    """Staff search: name, kana, representative, card number, e-mail, phone."""
    condition = Q()
    for word in query.split():
        condition &= (
            Q(name__icontains=word)
            | Q(name_kana__icontains=word)
            | Q(representative_name__icontains=word)
            | Q(representative_name_kana__icontains=word)
            | Q(card_number__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
        )
    return queryset.filter(condition)


# --- Submitting -------------------------------------------------------------------------


def _clean_members(members: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for row in members:
        name = " ".join(str(row.get("name") or "").split())
        if not name:
            continue
        rows.append(
            {
                "name": name[:80],
                "name_kana": " ".join(str(row.get("name_kana") or "").split())[:160],
                "is_resident": bool(row.get("is_resident")),
            }
        )
    if len(rows) > MAX_MEMBERS:
        raise RegistrationError(_("構成員は%(max)d人まで入力できます。") % {"max": MAX_MEMBERS})
    return rows


def _clean_data(kind: str, data: Mapping[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    values = {key: data[key] for key in DATA_FIELDS if key in data}
    for key in ("name", "name_kana", "address", "phone", "email", "postal_code"):
        if not str(values.get(key) or "").strip():
            raise RegistrationError(_("必要な項目が入力されていません。"))
    if kind == RegistrationKind.GROUP:
        if not str(values.get("representative_name") or "").strip():
            raise RegistrationError(_("代表者の氏名を入力してください。"))
        if members:
            # The list decides: counts typed as well are replaced by those of the list.
            values["member_count"] = len(members)
            values["resident_member_count"] = sum(1 for m in members if m["is_resident"])
        count = int(values.get("member_count") or 0)
        residents = int(values.get("resident_member_count") or 0)
        if count < MIN_GROUP_MEMBERS:
            raise RegistrationError(_("団体登録は%(min)d人以上の団体が対象です。") % {"min": MIN_GROUP_MEMBERS})
        if residents > count:
            raise RegistrationError(_("市内在住・在勤・在学の人数が構成員数を超えています。"))
        values["member_count"], values["resident_member_count"] = count, residents
        # A group's rate follows its members (pays_resident_rate), not this flag.
        values["is_resident"] = residents * 2 >= count
    else:
        values.update(representative_name="", representative_name_kana="", member_count=1)
        values["resident_member_count"] = 1 if values.get("is_resident") else 0
        values["is_resident"] = bool(values.get("is_resident"))
    return values


@transaction.atomic
def submit(
    *,
    municipality: Municipality,
    user: Any,
    kind: str,
    data: Mapping[str, Any],
    members: list[dict[str, Any]],
    request: Any = None,
) -> Registration:
    """A resident's application for a registration (審査中). Sending the same application
    twice (a double click, the back button) returns the first, still pending one."""
    if kind not in RegistrationKind.values:
        raise RegistrationError(_("登録の種類が正しくありません。"))
    if not getattr(user, "is_authenticated", False):
        raise RegistrationError(_("利用者登録にはサインインが必要です。"))
    rows = _clean_members(members) if kind == RegistrationKind.GROUP else []
    values = _clean_data(kind, data, rows)
    with municipality_scope(municipality):
        same = (
            Registration.objects.select_for_update()
            .filter(municipality=municipality, user=user, kind=kind, name=values["name"], status=S.PENDING)
            .first()
        )
        if same is not None:
            return same
        registration = Registration.objects.create(municipality=municipality, user=user, kind=kind, **values)
        GroupMember.objects.bulk_create(
            GroupMember(municipality=municipality, registration=registration, **row) for row in rows
        )
        audit.record(
            action=audit.Action.CREATE,
            obj=registration,
            municipality=municipality,
            actor=user,
            request=request,
            personal_data=True,
            subject=user,
            fields=[*values.keys(), *(["members"] if rows else [])],
            extra={"kind": kind},
        )
        _email(registration, "received", {})
    return registration


@transaction.atomic
def update_contact(
    registration: Registration, *, actor: Any, data: Mapping[str, Any], request: Any = None
) -> list[str]:
    """The resident (or staff) changes the contact details; returns the fields changed."""
    with municipality_scope(registration.municipality_id):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        changed = [key for key in CONTACT_FIELDS if key in data and getattr(locked, key) != data[key]]
        if not changed:
            return []
        for key in changed:
            setattr(locked, key, data[key])
        locked.save(update_fields=changed)
        _audit_change(locked, actor, request, changed, "contact")
    for key in changed:
        setattr(registration, key, data[key])
    return changed


@transaction.atomic
def update_limits(
    registration: Registration,
    *,
    actor: Any,
    max_active_bookings: int,
    max_lottery_entries_per_month: int,
    request: Any = None,
) -> list[str]:
    """Staff change a registration's limits; returns the fields changed."""
    wanted = {
        "max_active_bookings": max_active_bookings,
        "max_lottery_entries_per_month": max_lottery_entries_per_month,
    }
    with municipality_scope(registration.municipality_id):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        changed = [key for key, value in wanted.items() if getattr(locked, key) != value]
        if not changed:
            return []
        before = {key: getattr(locked, key) for key in changed}
        for key in changed:
            setattr(locked, key, wanted[key])
        locked.save(update_fields=changed)
        _audit_change(locked, actor, request, changed, "limits", before=before, after={k: wanted[k] for k in changed})
    for key in changed:
        setattr(registration, key, wanted[key])
    return changed


# --- Decisions --------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_card_number(municipality: Municipality, kind: str) -> str:
    """The next 登録番号 of the municipality ("G000123"); the counter row stays locked until
    the caller's transaction ends, so no number is given twice."""
    with municipality_scope(municipality):
        counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(municipality=municipality)
        RegistrationCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
    return f"{CARD_PREFIX.get(RegistrationKind(kind), 'R')}{counter.last:06d}"


def _decide(
    registration: Registration,
    action: str,
    *,
    actor: Any,
    note: str,
    request: Any,
    to: str,
    changes: Mapping[str, Any] | None = None,
) -> Registration:
    """Move the (locked) registration to `to`; a decision already made is not made twice."""
    with municipality_scope(registration.municipality_id):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == to and action != "reinstate":
            return locked
        if locked.status not in TRANSITIONS[action]:
            raise RegistrationError(
                _("「%(status)s」の登録にはこの操作はできません。") % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = to
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.review_note = note
        fields = ["status", "reviewed_at", "reviewed_by", "review_note"]
        for key, value in (changes or {}).items():
            setattr(locked, key, value)
            fields.append(key)
        locked.save(update_fields=fields)
        _audit_change(locked, actor, request, fields, action, before={"status": before}, after={"status": to})
        _email(locked, action, {"reason": note})
    return locked


@transaction.atomic
def approve(registration: Registration, *, actor: Any, note: str = "", request: Any = None) -> Registration:
    """承認: gives the card number (kept if it had one) and `valid_until` = today + 3 years."""
    with municipality_scope(registration.municipality_id):
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == S.APPROVED:
            return locked
        if locked.status not in TRANSITIONS["approve"]:
            raise RegistrationError(
                _("「%(status)s」の登録にはこの操作はできません。") % {"status": locked.get_status_display()}
            )
        card = locked.card_number or next_card_number(locked.municipality, locked.kind)
    return _decide(
        locked,
        "approve",
        actor=actor,
        note=note,
        request=request,
        to=S.APPROVED,
        changes={"card_number": card, "valid_until": _add_years(timezone.localdate(), VALID_YEARS)},
    )


@transaction.atomic
def reject(registration: Registration, *, actor: Any, reason: str, request: Any = None) -> Registration:
    """不承認, with the reason the resident reads."""
    if not (reason or "").strip():
        raise RegistrationError(_("理由を入力してください。"))
    return _decide(registration, "reject", actor=actor, note=reason.strip(), request=request, to=S.REJECTED)


@transaction.atomic
def suspend(registration: Registration, *, actor: Any, reason: str, request: Any = None) -> Registration:
    """利用停止 (e.g. repeated no-shows): the registration can no longer book or enter
    lotteries; bookings already made stay (staff cancel them if needed)."""
    if not (reason or "").strip():
        raise RegistrationError(_("理由を入力してください。"))
    return _decide(registration, "suspend", actor=actor, note=reason.strip(), request=request, to=S.SUSPENDED)


@transaction.atomic
def reinstate(registration: Registration, *, actor: Any, note: str = "", request: Any = None) -> Registration:
    """利用再開 of a suspended registration (its card number and validity are kept)."""
    with municipality_scope(registration.municipality_id):
        current = Registration.objects.get(pk=registration.pk)
    if current.status == S.APPROVED:
        return current
    return _decide(current, "reinstate", actor=actor, note=note, request=request, to=S.APPROVED)


@transaction.atomic
def expire_due(municipality: Municipality, today: dt.date | None = None) -> int:
    """Write 期限切れ on approvals past `valid_until` (the nightly job); returns how many."""
    today = today or timezone.localdate()
    with municipality_scope(municipality):
        due = list(
            Registration.objects.select_for_update().filter(
                municipality=municipality, status=S.APPROVED, valid_until__lt=today
            )
        )
        for registration in due:
            registration.status = S.EXPIRED
            registration.save(update_fields=["status"])
            _audit_change(registration, None, None, ["status"], "expire", before={"status": S.APPROVED})
    return len(due)


def expire_all_due(today: dt.date | None = None, *, out: Callable[[str], None] | None = None) -> dict[str, int]:
    """`expire_due` for every municipality that has approvals past `valid_until` (the
    daily task and the ``facilities_expire_registrations`` command); the number written
    per municipality slug. One municipality that fails is logged and does not stop the
    others (it is tried again next time); `out` gets a line per municipality."""
    today = today or timezone.localdate()
    due_ids = (
        Registration.unscoped.filter(status=S.APPROVED, valid_until__lt=today)
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    done: dict[str, int] = {}
    for municipality in Municipality.objects.filter(pk__in=list(due_ids)).order_by("slug"):
        try:
            done[municipality.slug] = expire_due(municipality, today)
        except Exception:
            logger.exception("facility registrations of %s: expiring failed", municipality.slug)
            continue
        if out is not None:
            out(f"{municipality.slug}: {done[municipality.slug]}")
    return done


# --- Audit and e-mail -------------------------------------------------------------------


def audit_read(
    registration: Registration,
    *,
    request: Any = None,
    actor: Any = None,
    what: str = "detail",
    fields: Iterable[str] = (),
) -> None:
    """Someone read a registration's personal data (the resident's page, a staff screen)."""
    audit.record(
        action=audit.Action.VIEW,
        obj=registration,
        municipality=registration.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=registration.user,
        fields=list(fields) or ["name", "address", "phone", "email", "members"],
        extra={"what": what, "card_number": registration.card_number},
    )


def audit_list(
    municipality: Municipality, *, request: Any = None, actor: Any = None, what: str, count: int, extra: Any = None
) -> None:
    """Someone read a list of registrations (their own, or staff's list and export)."""
    audit.record(
        action=audit.Action.EXPORT if what == "export" else audit.Action.VIEW,
        object_type="facilities.registration",
        municipality=municipality,
        actor=actor,
        request=request,
        personal_data=True,
        fields=["name", "name_kana", "card_number", "email", "phone", "status"],
        extra={"what": what, "count": count, **(extra or {})},
    )


def _audit_change(
    registration: Registration,
    actor: Any,
    request: Any,
    fields: Iterable[str],
    what: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    audit.record(
        action=audit.Action.UPDATE,
        obj=registration,
        municipality=registration.municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=registration.user,
        fields=list(fields),
        extra={"what": what, "before": dict(before or {}), "after": dict(after or {})},
    )


def resident_url(registration: Registration) -> str:
    """The resident's page of the registration, or "" where it cannot be reversed."""
    try:
        return reverse(
            "facilities:registration",
            kwargs={"municipality_slug": registration.municipality.slug, "pk": registration.pk},
        )
    except NoReverseMatch:
        return ""


def _email(registration: Registration, event: str, context: dict[str, Any]) -> None:
    """E-mail the resident (template `facilities/registration_<event>`); one message per
    registration and decision. A message that cannot be queued is logged: it never undoes
    the decision."""
    from madoguchi.notifications import services as notifications

    user = registration.user
    language = getattr(user, "preferred_language", "") or None
    with override(language or "ja"):
        kind_label = str(RegistrationKind(registration.kind).label)
        municipality_name = registration.municipality.name
    count = registration.reviewed_at.isoformat() if registration.reviewed_at else "0"
    try:
        notifications.notify(
            user if getattr(user, "email", "") else registration.email,
            f"facilities/registration_{event}",
            {
                "name": registration.name,
                "kind": kind_label,
                "card_number": registration.card_number,
                "valid_until": registration.valid_until.isoformat() if registration.valid_until else "",
                "municipality": municipality_name,
                "url": navigation.absolute_url(resident_url(registration)),
                **context,
            },
            municipality=registration.municipality,
            language=language,
            idempotency_key=f"facilities:registration:{registration.pk}:{event}:{count}",
        )
    except notifications.NotificationError:
        logger.warning("registration %s: the e-mail %s could not be queued", registration.pk, event, exc_info=True)
