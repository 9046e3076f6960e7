"""Lotteries (抽選): rounds, entries, the draw, results, confirmation and release.

A round moves scheduled → open → closed (seed published) → drawn → finished, each step
done by `run_due()` when its time comes (the periodic task and the
``facilities_lotteries`` command) or by staff ("draw now"). Every step is idempotent: a
second call does nothing, so a task that runs twice or a double click is harmless.

The draw itself is `draw.draw()`, a pure function of the published seed, the entries and
the cells held before the draw (priority bookings, closures); `replay()` does it again
from what is stored and compares. Winners get a provisional booking (確定待ち) made in
bulk in the draw's transaction; the occupancy grid's unique index still has the last
word, so a draw can never double-book. Unconfirmed wins are released to first-come
booking when the confirmation deadline passes (`finish()`).
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from madoguchi.audit import services as audit
from madoguchi.core import navigation
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from ..models import (
    HOLDING_STATUSES,
    Booking,
    BookingSource,
    BookingStatus,
    CancelReason,
    Closure,
    DayKind,
    EntryStatus,
    Facility,
    FeeRule,
    LotteryEntry,
    LotteryRound,
    Occupancy,
    Registration,
    RegistrationKind,
    Residency,
    RoundStatus,
    Slot,
    Unit,
)
from . import calendar, occupancy
from . import draw as draw_algorithm
from .occupancy import BookingError

logger = logging.getLogger(__name__)

#: The reasons for losing, as stored in `LotteryEntry.outcome_note` (Japanese; shown
#: translated) — by the draw's reason code.
REASON_TEXTS: dict[str, Any] = {
    draw_algorithm.PRIORITY: gettext_lazy("優先予約（市の行事等）"),
    draw_algorithm.CLOSED: gettext_lazy("臨時休館"),
    draw_algorithm.OVERLAP: gettext_lazy("先に当選した申込と重なる"),
    draw_algorithm.LIMIT: gettext_lazy("当選上限"),
}
#: Entries that won the draw, whatever became of the win afterwards.
WON_STATUSES = (EntryStatus.WON, EntryStatus.CONFIRMED, EntryStatus.DECLINED, EntryStatus.EXPIRED)
#: Entries that took part in the draw.
DRAWN_STATUSES = (*WON_STATUSES, EntryStatus.LOST)


def reason_codes() -> dict[str, str]:
    """The draw's reason code of each stored (Japanese) reason text."""
    with override("ja"):
        return {str(text): code for code, text in REASON_TEXTS.items()}


def reason_code(note: str) -> str:
    """The draw's reason code of a stored reason text ("" for none or unknown)."""
    return reason_codes().get(note, "")


def month_days(month: dt.date) -> list[dt.date]:
    first = month.replace(day=1)
    last = std_calendar.monthrange(first.year, first.month)[1]
    return [first.replace(day=n) for n in range(1, last + 1)]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- Rounds -----------------------------------------------------------------------------


def round_units(lottery: LotteryRound) -> list[Unit]:
    """The units of the round (all active units of the facility when none are chosen)."""
    chosen = list(lottery.units.all().select_related("slot_pattern").prefetch_related("spaces", "slot_pattern__slots"))
    if chosen:
        return sorted(chosen, key=lambda u: (u.sort_order, u.slug))
    return units_of_facility(lottery.facility)


def units_of_facility(facility: Facility) -> list[Unit]:
    """The facility's active units: those of a round for which none are chosen."""
    return list(
        Unit.objects.filter(facility=facility, is_active=True)
        .select_related("slot_pattern")
        .prefetch_related("spaces", "slot_pattern__slots")
        .order_by("sort_order", "slug")
    )


def missing_fees(facility: Facility, units: Iterable[Unit], month: dt.date) -> list[str]:
    """What the fee table lacks for a round of `month`: "unit slot（day kind・residency）"
    for every slot of the units, on the kinds of day the facility opens that month, for
    residents and others, that has neither its own rule nor the unit's default."""
    units = list(units)
    kinds = sorted(
        {calendar.day_kind(day) for day in month_days(month) if not calendar.regular_closed_reason(facility, day)}
    )
    rules = set(FeeRule.objects.filter(unit__in=units).values_list("unit_id", "slot_id", "day_kind", "residency"))
    missing = []
    for unit in units:
        for slot in calendar.slots_of(unit):
            for kind in kinds:
                for residency in Residency.values:
                    if not {(unit.pk, slot.pk, kind, residency), (unit.pk, None, kind, residency)} & rules:
                        missing.append(
                            _("%(unit)s %(slot)s（%(day_kind)s・%(residency)s）")
                            % {
                                "unit": unit.name,
                                "slot": slot.name,
                                "day_kind": DayKind(kind).label,
                                "residency": Residency(residency).label,
                            }
                        )
    return missing


def accepting(lottery: LotteryRound, now: dt.datetime | None = None) -> bool:
    """Entries are accepted: in the entry period and neither closed nor cancelled."""
    now = _now(now)
    return (
        lottery.status in (RoundStatus.SCHEDULED, RoundStatus.OPEN)
        and lottery.entry_opens_at <= now < lottery.entry_closes_at
    )


@transaction.atomic
def create_round(
    *,
    facility: Facility,
    month: dt.date,
    entry_opens_at: dt.datetime,
    entry_closes_at: dt.datetime,
    draw_at: dt.datetime,
    confirm_until: dt.datetime,
    units: Iterable[Unit] = (),
    max_wins_per_registration: int = 0,
    actor: Any = None,
    request: Any = None,
) -> LotteryRound:
    """Announce a round. Its seed is chosen now, at random, and only the seed's SHA-256 is
    shown until entries close: the seed cannot be chosen after seeing the entries."""
    municipality = facility.municipality
    units = list(units)
    if any(unit.facility_id != facility.pk for unit in units):
        raise BookingError("unit_not_of_facility", _("ほかの施設の利用単位は選べません。"))
    if not (entry_opens_at < entry_closes_at <= draw_at < confirm_until):
        raise BookingError(
            "round_order",
            _("申込開始 < 申込締切 ≦ 抽選日時 < 確定期限 の順になるように日時を入力してください。"),
        )
    month = month.replace(day=1)
    if timezone.localtime(draw_at).date() >= month:
        raise BookingError("round_too_late", _("抽選日時は対象月より前にしてください。"))
    seed = secrets.token_hex(32)
    with municipality_scope(municipality):
        # Winners pay the fee table's fee: without one a win would be 0 yen and could not
        # be confirmed (no_fee_rule). Refused now rather than after the draw.
        missing = missing_fees(facility, units or units_of_facility(facility), month)
        if missing:
            raise BookingError(
                "no_fee_rule",
                _("使用料が設定されていない利用区分があります: %(missing)s。先に使用料を設定してください。")
                % {"missing": "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")},
            )
        lottery = LotteryRound(
            municipality=municipality,
            facility=facility,
            month=month,
            entry_opens_at=entry_opens_at,
            entry_closes_at=entry_closes_at,
            draw_at=draw_at,
            confirm_until=confirm_until,
            max_wins_per_registration=max_wins_per_registration,
            seed=seed,
            seed_commitment=draw_algorithm.seed_commitment(seed),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                lottery.save()
        except IntegrityError as error:
            raise BookingError(
                "round_exists", _("この施設のこの月の抽選はすでにあります（中止したものを除く）。")
            ) from error
        if units:
            lottery.units.set(units)
    audit.record(
        action=audit.Action.CREATE,
        obj=lottery,
        municipality=municipality,
        actor=actor,
        request=request,
        fields=["facility", "month", "entry_opens_at", "entry_closes_at", "draw_at", "confirm_until", "units"],
        extra={"seed_commitment": lottery.seed_commitment},
    )
    return lottery


def _locked(lottery: LotteryRound) -> LotteryRound:
    return (
        LotteryRound.objects.select_for_update(of=("self",))
        .select_related("facility", "municipality")
        .get(pk=lottery.pk)
    )


@transaction.atomic
def open_round(lottery: LotteryRound, now: dt.datetime | None = None) -> bool:
    """scheduled → open once the entry period has begun. True when it changed."""
    now = _now(now)
    with municipality_scope(lottery.municipality):
        locked = _locked(lottery)
        if locked.status != RoundStatus.SCHEDULED or now < locked.entry_opens_at:
            return False
        locked.status = RoundStatus.OPEN
        locked.save(update_fields=["status"])
        audit.record(
            action=audit.Action.UPDATE, obj=locked, municipality=locked.municipality, fields=["status"],
            extra={"step": "open"},
        )  # fmt: skip
    lottery.status = locked.status
    return True


@transaction.atomic
def publish_seed(lottery: LotteryRound, now: dt.datetime | None = None) -> bool:
    """At entry close: publish the seed (status closed). True when it changed."""
    now = _now(now)
    with municipality_scope(lottery.municipality):
        locked = _locked(lottery)
        if locked.status not in (RoundStatus.SCHEDULED, RoundStatus.OPEN) or now < locked.entry_closes_at:
            return False
        locked.status = RoundStatus.CLOSED
        locked.seed_published_at = now
        locked.save(update_fields=["status", "seed_published_at"])
        audit.record(
            action=audit.Action.UPDATE,
            obj=locked,
            municipality=locked.municipality,
            fields=["status", "seed_published_at"],
            extra={"step": "publish_seed"},
        )
    lottery.status, lottery.seed_published_at = locked.status, locked.seed_published_at
    return True


@transaction.atomic
def cancel_round(lottery: LotteryRound, *, actor: Any, request: Any = None) -> bool:
    """中止: a round not yet closed; its entries are withdrawn."""
    with municipality_scope(lottery.municipality):
        locked = _locked(lottery)
        if locked.status not in (RoundStatus.SCHEDULED, RoundStatus.OPEN):
            return False
        locked.status = RoundStatus.CANCELLED
        locked.save(update_fields=["status"])
        LotteryEntry.objects.filter(round=locked, status=EntryStatus.ENTERED).update(
            status=EntryStatus.WITHDRAWN, decided_at=timezone.now()
        )
        audit.record(
            action=audit.Action.UPDATE, obj=locked, municipality=locked.municipality, actor=actor, request=request,
            fields=["status"], extra={"step": "cancel"},
        )  # fmt: skip
    lottery.status = locked.status
    return True


#: Rounds that still take priority bookings: before the seed is published. From then
#: until the draw nothing is booked in the month (`occupancy.sealed_by_round`).
PRIORITY_STATUSES = (RoundStatus.SCHEDULED, RoundStatus.OPEN)


def check_priority_allowed(lottery: LotteryRound) -> None:
    """Raise BookingError when the round takes no more priority bookings."""
    if lottery.status == RoundStatus.CLOSED:
        raise BookingError(
            "round_closed", _("申込を締め切りシードを公開したため、抽選が終わるまで優先予約は入れられません。")
        )
    if lottery.status not in PRIORITY_STATUSES:
        raise BookingError("round_drawn", _("抽選の後には優先予約を入れられません。窓口予約を使ってください。"))


def place_priority(
    lottery: LotteryRound,
    *,
    unit: Unit,
    day: dt.date,
    slot: Slot,
    holder_name: str,
    purpose: str = "",
    actor: Any = None,
    request: Any = None,
) -> Booking:
    """優先予約: the municipality's own use of a slot of the round's month, before the seed
    is published; the entries needing its cells lose with 「優先予約（市の行事等）」. Booked
    like any staff booking (`counter.book_for`, source priority, no fee), so a closed day,
    a temporary closure or a past slot is refused with its reason."""
    from . import counter

    check_priority_allowed(lottery)
    if unit.facility_id != lottery.facility_id or unit.pk not in {u.pk for u in round_units(lottery)}:
        raise BookingError("unit_not_in_round", _("この利用単位は抽選の対象ではありません。"))
    if day.replace(day=1) != lottery.month:
        raise BookingError("day_not_in_round", _("利用日は抽選の対象月の日を選んでください。"))
    return counter.book_for(
        unit=unit,
        day=day,
        slot=slot,
        actor=actor,
        holder_name=holder_name,
        purpose=purpose,
        source=BookingSource.PRIORITY,
        request=request,
    )


# --- Entries ----------------------------------------------------------------------------


def _check_usable(registration: Registration, today: dt.date) -> None:
    from . import registrations

    if not registrations.is_usable(registration, today):
        raise BookingError(
            "registration_not_usable", _("この利用者登録では申し込めません（審査中・停止中・期限切れ）。")
        )


def check_wish(lottery: LotteryRound, unit: Unit, day: dt.date, slot: Slot) -> None:
    """The unit, day and slot are one of the round's: raise BookingError if not."""
    if unit.facility_id != lottery.facility_id or unit.pk not in {u.pk for u in round_units(lottery)}:
        raise BookingError("unit_not_in_round", _("この利用単位は抽選の対象ではありません。"))
    if not unit.is_active:
        raise BookingError("unit_not_in_round", _("この利用単位は現在利用できません。"))
    if day.replace(day=1) != lottery.month:
        raise BookingError("day_not_in_round", _("利用日は抽選の対象月の日を選んでください。"))
    if slot.pattern_id != unit.slot_pattern_id:
        raise BookingError("slot_not_of_unit", _("この利用単位にはない時間区分です。"))
    if reason := calendar.regular_closed_reason(lottery.facility, day):
        raise BookingError("closed", _("この日は休館日です（%(reason)s）。") % {"reason": reason})
    closures = calendar.closures_between(lottery.facility, day, day)
    if closure := calendar.closure_for(unit, day, slot, closures):
        raise BookingError("closed", _("この日時は臨時休館です（%(reason)s）。") % {"reason": closure.reason})


def _next_entry_number(lottery: LotteryRound) -> str:
    # The round row is locked by the caller: numbers are given one at a time.
    count = LotteryEntry.objects.filter(round=lottery).count()
    return f"L{lottery.pk}-{count + 1:06d}"


@transaction.atomic
def enter(
    *,
    round: LotteryRound,  # the contract's name
    registration: Registration,
    unit: Unit,
    day: dt.date,
    slot: Slot,
    actor: Any,
    purpose: str = "",
    attendees: int | None = None,
    request: Any = None,
    now: dt.datetime | None = None,
) -> LotteryEntry:
    """申し込む: one wish of a registration. The same wish again (a double submit) returns
    the first entry. Raises BookingError with a message for the person."""
    now = _now(now)
    municipality = round.municipality
    if registration.municipality_id != municipality.pk:
        raise BookingError("registration_not_usable", _("この利用者登録では申し込めません。"))
    if actor is not None and getattr(actor, "pk", None) != registration.user_id:
        raise BookingError("not_yours", _("ご自分の利用者登録で申し込んでください。"))
    with municipality_scope(municipality):
        # Lock the registration (its monthly limit) and then the round (the numbers).
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        lottery = _locked(round)
        existing = (
            LotteryEntry.objects.filter(round=lottery, registration=registration, unit=unit, date=day, slot=slot)
            .exclude(status=EntryStatus.WITHDRAWN)
            .first()
        )
        if existing is not None:
            return existing
        if not accepting(lottery, now):
            raise BookingError("round_not_open", _("この抽選は申込期間外です。"))
        _check_usable(registration, timezone.localtime(now).date())
        check_wish(lottery, unit, day, slot)
        if attendees is not None and unit.capacity is not None and attendees > unit.capacity:
            raise BookingError(
                "too_many_attendees",
                _("利用人数は定員（%(capacity)d人）以内にしてください。") % {"capacity": unit.capacity},
            )
        from . import registrations

        registrations.check_entry_limit(registration, lottery.month)
        entry = LotteryEntry.objects.create(
            municipality=municipality,
            round=lottery,
            number=_next_entry_number(lottery),
            registration=registration,
            unit=unit,
            slot=slot,
            date=day,
            purpose=purpose[:200],
            attendees=attendees,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if lottery.status == RoundStatus.SCHEDULED:
            lottery.status = RoundStatus.OPEN
            lottery.save(update_fields=["status"])
    audit.record(
        action=audit.Action.CREATE,
        obj=entry,
        municipality=municipality,
        actor=actor,
        request=request,
        personal_data=True,
        subject=registration.user,
        fields=["number", "registration", "unit", "date", "slot", "purpose", "attendees"],
    )
    return entry


@transaction.atomic
def withdraw(entry: LotteryEntry, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> LotteryEntry:
    """取り下げる: before entries close. A second call does nothing."""
    now = _now(now)
    with municipality_scope(entry.municipality_id):
        locked = (
            LotteryEntry.objects.select_for_update(of=("self",))
            .select_related("round", "registration")
            .get(pk=entry.pk)
        )
        if locked.status == EntryStatus.WITHDRAWN:
            return locked
        if locked.status != EntryStatus.ENTERED or not accepting(locked.round, now):
            raise BookingError("cannot_withdraw", _("申込締切を過ぎたため、取り下げられません。"))
        locked.status = EntryStatus.WITHDRAWN
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
    audit.record(
        action=audit.Action.UPDATE, obj=locked, municipality=locked.round.municipality, actor=actor, request=request,
        personal_data=True, subject=locked.registration.user, fields=["status"], extra={"step": "withdraw"},
    )  # fmt: skip
    return locked


def entries_of(user: Any, municipality: Municipality) -> list[LotteryEntry]:
    """The user's entries (of all their registrations), newest round first."""
    if not getattr(user, "is_authenticated", False):
        return []
    with municipality_scope(municipality):
        return list(
            LotteryEntry.objects.filter(municipality=municipality, registration__user=user)
            .select_related("round__facility", "unit", "slot", "registration", "booking")
            .order_by("-round__month", "-created_at", "-pk")
        )


def entry_of(user: Any, municipality: Municipality, number: str) -> LotteryEntry | None:
    """The user's own entry by its number; None for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return None
    with municipality_scope(municipality):
        return (
            LotteryEntry.objects.filter(municipality=municipality, registration__user=user, number=number)
            .select_related("round__facility", "unit", "slot", "registration", "booking")
            .first()
        )


# --- The draw ---------------------------------------------------------------------------


@dataclass
class DrawSummary:
    """What a draw did (or, when `already`, had done before)."""

    round_id: int
    entries: int = 0
    won: int = 0
    lost: int = 0
    bookings: int = 0
    already: bool = False
    reasons: dict[str, int] = field(default_factory=dict)


class _Cells:
    """The cells (space, day, cell) of a unit's slot on a day, built once per wish and
    shared by the entries that wish the same (a set look-up per entry in the draw)."""

    def __init__(self, facility: Facility) -> None:
        self.space_ids: dict[int, list[int]] = defaultdict(list)
        for unit_id, space_id in Unit.spaces.through.objects.filter(unit__facility=facility).values_list(
            "unit_id", "space_id"
        ):
            self.space_ids[unit_id].append(space_id)
        self.all_spaces = sorted({s for spaces in self.space_ids.values() for s in spaces})
        self.slot_cells: dict[int, range] = {
            slot.pk: calendar.cells(slot.starts_at, slot.ends_at)
            for slot in Slot.objects.filter(pattern__facility=facility)
        }
        self._cache: dict[tuple[int, dt.date, int], frozenset[tuple[int, dt.date, int]]] = {}

    def of(self, unit_id: int, day: dt.date, slot_id: int) -> frozenset[tuple[int, dt.date, int]]:
        key = (unit_id, day, slot_id)
        cells = self._cache.get(key)
        if cells is None:
            cells = frozenset(
                (space_id, day, cell)
                for space_id in self.space_ids.get(unit_id, ())
                for cell in self.slot_cells[slot_id]
            )
            self._cache[key] = cells
        return cells

    def of_times(self, space_ids: Iterable[int], day: dt.date, starts: dt.time, ends: dt.time) -> list[Any]:
        return [(space_id, day, cell) for space_id in space_ids for cell in calendar.cells(starts, ends)]


def _blocked_cells(lottery: LotteryRound, cells: _Cells, at: dt.datetime) -> dict[Any, str]:
    """The cells held at the moment `at` of the draw by something other than this round's
    winners: bookings made before it (優先予約 and any other) and temporary closures
    created before it. Computed from the bookings and closures (not the occupancy rows),
    so a replay gets the same cells after bookings were cancelled."""
    days = month_days(lottery.month)
    start, end = days[0], days[-1]
    blocked: dict[Any, str] = {}
    winners = LotteryEntry.objects.filter(round=lottery, booking__isnull=False).values_list("booking_id", flat=True)
    bookings = (
        Booking.objects.filter(facility_id=lottery.facility_id, date__gte=start, date__lte=end, created_at__lt=at)
        .filter(Q(status__in=HOLDING_STATUSES) | Q(cancelled_at__gt=at))
        .exclude(pk__in=winners)
        .values_list("unit_id", "date", "starts_at", "ends_at")
    )
    for unit_id, day, starts, ends in bookings:
        for cell in cells.of_times(cells.space_ids.get(unit_id, ()), day, starts, ends):
            blocked[cell] = draw_algorithm.PRIORITY
    closures = Closure.objects.filter(
        facility_id=lottery.facility_id, starts_on__lte=end, ends_on__gte=start, created_at__lt=at
    ).prefetch_related("units")
    for closure in closures:
        unit_ids = [u.pk for u in closure.units.all()]
        space_ids = sorted({s for u in unit_ids for s in cells.space_ids.get(u, ())}) if unit_ids else cells.all_spaces
        starts_at = closure.starts_at or dt.time(0)
        ends_at = closure.ends_at or dt.time(23, 59)
        for day in days:
            if closure.starts_on <= day <= closure.ends_on:
                for cell in cells.of_times(space_ids, day, starts_at, ends_at):
                    blocked.setdefault(cell, draw_algorithm.CLOSED)
    return blocked


def _compute(
    lottery: LotteryRound, statuses: Sequence[str], at: dt.datetime
) -> tuple[list[tuple[Any, ...]], list[draw_algorithm.DrawOutcome]]:
    """The draw of the round's entries in `statuses`, from the published seed."""
    cells = _Cells(lottery.facility)
    rows = list(
        LotteryEntry.objects.filter(round=lottery, status__in=statuses).values_list(
            "pk", "number", "registration_id", "unit_id", "date", "slot_id"
        )
    )
    entries = [draw_algorithm.DrawEntry(row[1], row[2], cells.of(row[3], row[4], row[5])) for row in rows]
    outcomes = draw_algorithm.draw(
        lottery.seed,
        entries,
        blocked=_blocked_cells(lottery, cells, at),
        max_wins_per_registration=lottery.max_wins_per_registration,
    )
    return rows, outcomes


def _fee_quoter(units: dict[int, Unit], slots: dict[int, Slot]) -> Callable[[int, dt.date, int, bool], Any]:
    """fees.quote, remembered per unit, slot, day kind and residency (what a fee depends
    on): thousands of winners need only a few distinct quotes."""
    from . import fees

    memo: dict[tuple[int, int, str, bool], Any] = {}

    def quote(unit_id: int, day: dt.date, slot_id: int, resident: bool) -> Any:
        key = (unit_id, slot_id, calendar.day_kind(day), resident)
        if key not in memo:
            try:
                memo[key] = fees.quote(units[unit_id], day, slots[slot_id], resident=resident)
            except BookingError:
                memo[key] = None
        return memo[key]

    return quote


def _pays_resident_rate(kind: str, is_resident: bool, members: int, resident_members: int) -> bool:
    if kind == RegistrationKind.GROUP:
        return members > 0 and resident_members * 2 >= members
    return is_resident


def _update_entries(values: list[tuple[int, str, int, str, str, int | None]]) -> None:
    """Write key, rank, status, reason and booking of many entries, far quicker than
    Django's bulk_update (a CASE per field) for 100,000 rows: on PostgreSQL one UPDATE …
    FROM unnest(arrays); elsewhere (SQLite ≥ 3.33) one WITH (VALUES …) UPDATE … FROM
    per thousand."""
    table = LotteryEntry._meta.db_table
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        columns = list(zip(*values, strict=True)) if values else []
        if columns:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn('draw_key')} = v.k, {qn('draw_rank')} = v.r, "  # noqa: S608
                    f"{qn('status')} = v.s, {qn('outcome_note')} = v.n, {qn('booking_id')} = v.b "
                    "FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::varchar[], %s::varchar[], "
                    f"%s::bigint[]) AS v(id, k, r, s, n, b) WHERE {qn(table)}.{qn('id')} = v.id",
                    [list(column) for column in columns],
                )
        return
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        placeholders = ", ".join(
            "(CAST(%s AS bigint), CAST(%s AS varchar(64)), CAST(%s AS integer), CAST(%s AS varchar(12)), "
            "CAST(%s AS varchar(200)), CAST(%s AS bigint))"
            for _row in chunk
        )
        params = [value for row in chunk for value in row]
        # Names from the model, values as parameters.
        sql = (
            f"WITH v(id, k, r, s, n, b) AS (VALUES {placeholders}) "  # noqa: S608
            f"UPDATE {qn(table)} SET {qn('draw_key')} = v.k, {qn('draw_rank')} = v.r, {qn('status')} = v.s, "
            f"{qn('outcome_note')} = v.n, {qn('booking_id')} = v.b FROM v WHERE {qn(table)}.{qn('id')} = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _insert_occupancy(bookings: Sequence[Booking], space_ids: dict[int, list[int]]) -> int:
    """The winners' occupancy rows, as `occupancy.occupancy_rows` makes them, written by
    one statement (PostgreSQL: unnest of arrays) or one prepared INSERT (SQLite): a
    hundred thousand model instances would cost more than the draw itself. The grid's
    unique index checks every row as usual."""
    table = Occupancy._meta.db_table
    qn = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    rows = [
        (booking.municipality_id, booking.pk, space_id, adapt(booking.date), cell)
        for booking in bookings
        for space_id in space_ids.get(booking.unit_id, ())
        for cell in calendar.cells(booking.starts_at, booking.ends_at)
    ]
    if rows and connection.vendor == "postgresql":
        # One statement with a column array each: no per-row round trip or parsing.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(table)} ({qn('municipality_id')}, {qn('booking_id')}, {qn('space_id')}, "  # noqa: S608
                f"{qn('date')}, {qn('cell')}) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::date[], %s::smallint[])",
                [list(column) for column in zip(*rows, strict=True)],
            )
    elif rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({qn('municipality_id')}, {qn('booking_id')}, {qn('space_id')}, "  # noqa: S608
                f"{qn('date')}, {qn('cell')}) VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
    return len(rows)


@transaction.atomic
def draw(
    lottery: LotteryRound, *, now: dt.datetime | None = None, actor: Any = None, request: Any = None
) -> DrawSummary:
    """抽選を行う: in one transaction, order the entries, create the winners' provisional
    bookings in bulk (numbers, occupancy rows) and write every entry's key, rank and
    outcome. Drawing a drawn round does nothing (`already`)."""
    now = _now(now)
    municipality = lottery.municipality
    with municipality_scope(municipality):
        locked = _locked(lottery)
        if locked.status in (RoundStatus.DRAWN, RoundStatus.FINISHED):
            return summary(locked, already=True)
        if locked.status == RoundStatus.CANCELLED:
            raise BookingError("round_cancelled", _("中止した抽選です。"))
        if now < locked.entry_closes_at:
            raise BookingError("round_not_closed", _("申込締切の前には抽選できません。"))
        # What is held is what is held at this real moment, whatever `now` the caller
        # gives for deciding what is due (a demo or a trial may draw "in the past"): the
        # replay reads the same moment back from `drawn_at`.
        drawn_at = timezone.now()
        if locked.seed_published_at is None:
            locked.seed_published_at = min(now, drawn_at)
        locked.drawn_at = drawn_at
        rows, outcomes = _compute(locked, [EntryStatus.ENTERED], drawn_at)
        by_number = {row[1]: row for row in rows}
        winners = [by_number[o.number] for o in outcomes if o.won]

        units = {u.pk: u for u in Unit.objects.filter(facility_id=locked.facility_id)}
        slots = {s.pk: s for s in Slot.objects.filter(pattern__facility_id=locked.facility_id)}
        reg_ids = sorted({row[2] for row in winners})
        residency: dict[int, bool] = {}
        for start in range(0, len(reg_ids), 900):
            for pk, kind, is_resident, members, resident_members in Registration.objects.filter(
                pk__in=reg_ids[start : start + 900]
            ).values_list("pk", "kind", "is_resident", "member_count", "resident_member_count"):
                residency[pk] = _pays_resident_rate(kind, is_resident, members, resident_members)
        details = _entry_details(locked)
        quote = _fee_quoter(units, slots)
        numbers = occupancy.next_numbers(municipality, len(winners)) if winners else []
        bookings: list[Booking] = []
        for row, number in zip(winners, numbers, strict=True):
            entry_pk, _number, reg_id, unit_id, day, slot_id = row
            slot = slots[slot_id]
            resident = residency.get(reg_id, True)
            fee = quote(unit_id, day, slot_id, resident)
            purpose, attendees = details.get(entry_pk, ("", None))
            bookings.append(
                Booking(
                    municipality=municipality,
                    number=number,
                    registration_id=reg_id,
                    facility_id=locked.facility_id,
                    unit_id=unit_id,
                    slot_id=slot_id,
                    date=day,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    status=BookingStatus.PROVISIONAL,
                    source=BookingSource.LOTTERY,
                    purpose=purpose,
                    attendees=attendees,
                    resident_rate=resident,
                    fee_amount=fee.amount if fee is not None else 0,
                    fee_breakdown=fee.lines if fee is not None else [],
                    confirm_by=locked.confirm_until,
                )
            )
        Booking.objects.bulk_create(bookings, batch_size=1000)
        if bookings and bookings[0].pk is None:  # a database that returns no ids
            by_num = dict(Booking.objects.filter(number__in=numbers).values_list("number", "pk"))
            for booking in bookings:
                booking.pk = by_num[booking.number]
        # The unique index refuses any double booking: the whole draw is rolled back then.
        _insert_occupancy(bookings, occupancy_space_ids(units.values()))
        booking_of = {row[0]: booking.pk for row, booking in zip(winners, bookings, strict=True)}
        texts = {text: code for code, text in reason_codes().items()}
        _update_entries(
            [
                (
                    by_number[o.number][0],
                    o.key,
                    o.rank,
                    EntryStatus.WON if o.won else EntryStatus.LOST,
                    "" if o.won else texts[o.reason],
                    booking_of.get(by_number[o.number][0]),
                )
                for o in outcomes
            ]
        )
        locked.status = RoundStatus.DRAWN
        locked.save(update_fields=["status", "seed_published_at", "drawn_at"])
        result = summary(locked)
        audit.record(
            action=audit.Action.UPDATE,
            obj=locked,
            municipality=municipality,
            actor=actor,
            request=request,
            fields=["status", "drawn_at"],
            extra={"step": "draw", "entries": result.entries, "won": result.won, "lost": result.lost},
        )
    lottery.status, lottery.drawn_at, lottery.seed_published_at = (
        locked.status,
        locked.drawn_at,
        locked.seed_published_at,
    )
    return result


def _entry_details(lottery: LotteryRound) -> dict[int, tuple[str, int | None]]:
    return {
        pk: (purpose, attendees)
        for pk, purpose, attendees in LotteryEntry.objects.filter(round=lottery, status=EntryStatus.ENTERED)
        .exclude(purpose="", attendees__isnull=True)
        .values_list("pk", "purpose", "attendees")
    }


def occupancy_space_ids(units: Iterable[Unit]) -> dict[int, list[int]]:
    unit_ids = [u.pk for u in units]
    spaces: dict[int, list[int]] = defaultdict(list)
    for unit_id, space_id in Unit.spaces.through.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "space_id"
    ):
        spaces[unit_id].append(space_id)
    return {unit_id: sorted(ids) for unit_id, ids in spaces.items()}


def summary(lottery: LotteryRound, *, already: bool = False) -> DrawSummary:
    """Counts of a drawn round's entries."""
    result = DrawSummary(round_id=lottery.pk, already=already)
    codes = reason_codes()
    for status, note in LotteryEntry.objects.filter(round=lottery, status__in=DRAWN_STATUSES).values_list(
        "status", "outcome_note"
    ):
        result.entries += 1
        if status in WON_STATUSES:
            result.won += 1
        else:
            result.lost += 1
            code = codes.get(note, "")
            result.reasons[code] = result.reasons.get(code, 0) + 1
    result.bookings = result.won
    return result


@dataclass
class ReplayReport:
    """A replay of the draw: `ok` when every entry's key, rank and outcome are what the
    published seed gives; `mismatches` names the entries that differ."""

    ok: bool
    entries: int
    mismatches: list[str] = field(default_factory=list)


def replay_report(lottery: LotteryRound) -> ReplayReport:
    """Do the draw again from the published seed, the entries and what was held before
    the draw, and compare with the stored keys, ranks and outcomes."""
    with municipality_scope(lottery.municipality_id):
        lottery = LotteryRound.objects.select_related("facility").get(pk=lottery.pk)
        if lottery.drawn_at is None or lottery.seed_published_at is None:
            return ReplayReport(ok=False, entries=0, mismatches=[_("まだ抽選していません。")])
        _rows, outcomes = _compute(lottery, DRAWN_STATUSES, lottery.drawn_at)
        stored = {
            number: (key, rank, status in WON_STATUSES, note)
            for number, key, rank, status, note in LotteryEntry.objects.filter(
                round=lottery, status__in=DRAWN_STATUSES
            ).values_list("number", "draw_key", "draw_rank", "status", "outcome_note")
        }
        mismatches = []
        codes = reason_codes()
        for outcome in outcomes:
            key, rank, won, note = stored[outcome.number]
            if (key, rank, won) != (outcome.key, outcome.rank, outcome.won) or (
                not won and codes.get(note, "") != outcome.reason
            ):
                mismatches.append(outcome.number)
        return ReplayReport(ok=not mismatches, entries=len(outcomes), mismatches=mismatches)


def replay(lottery: LotteryRound) -> bool:
    """True when the stored results are exactly what the published seed gives."""
    return replay_report(lottery).ok


# --- After the draw ---------------------------------------------------------------------


def resident_url(name: str, municipality: Municipality, **kwargs: Any) -> str:
    try:
        path = reverse(f"facilities:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})
    except NoReverseMatch:
        return ""
    return navigation.absolute_url(path)


@transaction.atomic
def notify_results(lottery: LotteryRound, now: dt.datetime | None = None) -> int:
    """E-mail each registration its results (one message per registration and round,
    with every entry). Returns how many messages were queued; a second call none."""
    from madoguchi.notifications import services as notifications

    now = _now(now)
    with municipality_scope(lottery.municipality):
        locked = _locked(lottery)
        if locked.status not in (RoundStatus.DRAWN, RoundStatus.FINISHED) or locked.results_notified_at:
            return 0
        by_registration: dict[int, list[LotteryEntry]] = defaultdict(list)
        for entry in (
            LotteryEntry.objects.filter(round=locked, status__in=DRAWN_STATUSES)
            .select_related("unit", "slot", "registration__user")
            .order_by("registration_id", "date", "slot__starts_at")
        ):
            by_registration[entry.registration_id].append(entry)
        sent = 0
        for entries in by_registration.values():
            registration = entries[0].registration
            user = registration.user
            language = getattr(user, "preferred_language", "") or "ja"
            with override(language):
                context = {
                    "name": registration.name,
                    "facility": locked.facility.name,
                    "month": f"{locked.month:%Y-%m}",
                    "confirm_until": timezone.localtime(locked.confirm_until).strftime("%Y-%m-%d %H:%M"),
                    "entries": [
                        {
                            "number": e.number,
                            "unit": e.unit.name,
                            "date": e.date.isoformat(),
                            "slot": e.slot.label,
                            "won": e.status in WON_STATUSES,
                            "reason": str(_(e.outcome_note)) if e.outcome_note else "",
                        }
                        for e in entries
                    ],
                    "won": sum(1 for e in entries if e.status in WON_STATUSES),
                    "url": resident_url("my_entries", locked.municipality),
                    "results_url": resident_url("lottery", locked.municipality, pk=locked.pk),
                }
            try:
                notifications.notify(
                    user if getattr(user, "email", "") else registration.email,
                    "facilities/lottery_results",
                    context,
                    municipality=locked.municipality,
                    language=language,
                    idempotency_key=f"facilities:lottery:{locked.pk}:results:{registration.pk}",
                )
                sent += 1
            except notifications.NotificationError:
                logger.warning("lottery %s: results for registration %s not queued", locked.pk, registration.pk)
        locked.results_notified_at = now
        locked.save(update_fields=["results_notified_at"])
        audit.record(
            action=audit.Action.SEND, obj=locked, municipality=locked.municipality, fields=["results_notified_at"],
            extra={"step": "notify_results", "messages": sent},
        )  # fmt: skip
    lottery.results_notified_at = locked.results_notified_at
    return sent


def _cancel_provisional(bookings: Iterable[Booking], reason: str, now: dt.datetime) -> int:
    ids = [b.pk for b in bookings]
    if not ids:
        return 0
    Occupancy.objects.filter(booking_id__in=ids).delete()
    return Booking.objects.filter(pk__in=ids, status=BookingStatus.PROVISIONAL).update(
        status=BookingStatus.CANCELLED, cancelled_at=now, cancel_reason=reason, updated_at=now
    )


@transaction.atomic
def finish(lottery: LotteryRound, now: dt.datetime | None = None) -> int:
    """After the confirmation deadline: wins not confirmed expire and their provisional
    bookings are cancelled and released to first-come booking. Returns how many expired."""
    now = _now(now)
    with municipality_scope(lottery.municipality):
        locked = _locked(lottery)
        if locked.status != RoundStatus.DRAWN or now < locked.confirm_until:
            return 0
        expired = list(LotteryEntry.objects.filter(round=locked, status=EntryStatus.WON).select_related("booking"))
        _cancel_provisional(
            [e.booking for e in expired if e.booking is not None and e.booking.status == BookingStatus.PROVISIONAL],
            CancelReason.UNCONFIRMED,
            now,
        )
        LotteryEntry.objects.filter(pk__in=[e.pk for e in expired]).update(status=EntryStatus.EXPIRED, decided_at=now)
        locked.status = RoundStatus.FINISHED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        audit.record(
            action=audit.Action.UPDATE, obj=locked, municipality=locked.municipality, fields=["status", "finished_at"],
            extra={"step": "finish", "expired": len(expired)},
        )  # fmt: skip
    lottery.status = locked.status
    return len(expired)


def _locked_entry(entry: LotteryEntry) -> LotteryEntry:
    return (
        LotteryEntry.objects.select_for_update(of=("self",))
        .select_related("round__facility", "round__municipality", "registration__user", "booking")
        .get(pk=entry.pk)
    )


@transaction.atomic
def confirm(entry: LotteryEntry, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> LotteryEntry:
    """当選を確定する: before the deadline; the provisional booking becomes a booking (fee,
    invoice) through `bookings.confirm_provisional`. A second call does nothing."""
    from . import bookings

    now = _now(now)
    with municipality_scope(entry.municipality_id):
        locked = _locked_entry(entry)
        if locked.status == EntryStatus.CONFIRMED:
            return locked
        if locked.status != EntryStatus.WON or locked.booking is None:
            raise BookingError("not_won", _("確定できる当選ではありません。"))
        if now > locked.round.confirm_until:
            raise BookingError("confirm_too_late", _("確定期限を過ぎました。"))
        confirm_provisional = getattr(bookings, "confirm_provisional", None)
        if confirm_provisional is not None:
            confirm_provisional(locked.booking, actor=actor)
        else:  # Until the bookings part provides it: confirm without an invoice.
            Booking.objects.filter(pk=locked.booking_id, status=BookingStatus.PROVISIONAL).update(
                status=BookingStatus.CONFIRMED, updated_at=now
            )
        locked.status = EntryStatus.CONFIRMED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
    audit.record(
        action=audit.Action.UPDATE, obj=locked, municipality=locked.round.municipality, actor=actor, request=request,
        personal_data=True, subject=locked.registration.user, fields=["status"], extra={"step": "confirm"},
    )  # fmt: skip
    return locked


@transaction.atomic
def decline(entry: LotteryEntry, actor: Any, *, request: Any = None, now: dt.datetime | None = None) -> LotteryEntry:
    """当選を辞退する: the provisional booking is cancelled and its slot released to
    first-come booking. A second call does nothing."""
    now = _now(now)
    with municipality_scope(entry.municipality_id):
        locked = _locked_entry(entry)
        if locked.status == EntryStatus.DECLINED:
            return locked
        if locked.status != EntryStatus.WON:
            raise BookingError("not_won", _("辞退できる当選ではありません。"))
        if locked.booking is not None:
            _cancel_provisional([locked.booking], CancelReason.DECLINED, now)
        locked.status = EntryStatus.DECLINED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
    audit.record(
        action=audit.Action.UPDATE, obj=locked, municipality=locked.round.municipality, actor=actor, request=request,
        personal_data=True, subject=locked.registration.user, fields=["status"], extra={"step": "decline"},
    )  # fmt: skip
    return locked


# --- The periodic step runner -----------------------------------------------------------


def advance(lottery: LotteryRound, now: dt.datetime | None = None) -> list[str]:
    """Do every step of one round that is due, in order; the names of the steps done."""
    now = _now(now)
    done: list[str] = []
    if open_round(lottery, now):
        done.append("open")
    if publish_seed(lottery, now):
        done.append("publish_seed")
    lottery.refresh_from_db()
    if lottery.status == RoundStatus.CLOSED and now >= lottery.draw_at:
        result = draw(lottery, now=now)
        if not result.already:
            done.append(f"draw ({result.won}/{result.entries})")
    lottery.refresh_from_db()
    if lottery.status in (RoundStatus.DRAWN, RoundStatus.FINISHED) and lottery.results_notified_at is None:
        done.append(f"notify_results ({notify_results(lottery, now)})")
    if lottery.status == RoundStatus.DRAWN and now >= lottery.confirm_until:
        done.append(f"finish ({finish(lottery, now)})")
    return done


def run_due(now: dt.datetime | None = None, *, out: Callable[[str], None] | None = None) -> dict[int, list[str]]:
    """Advance every round of every municipality whose next step is due. A step that
    fails is logged and does not stop the others (it is tried again next time)."""
    now = _now(now)
    done: dict[int, list[str]] = {}
    due = (
        LotteryRound.unscoped.exclude(status__in=[RoundStatus.FINISHED, RoundStatus.CANCELLED])
        .filter(
            Q(status=RoundStatus.SCHEDULED, entry_opens_at__lte=now)
            | Q(status=RoundStatus.OPEN, entry_closes_at__lte=now)
            | Q(status=RoundStatus.CLOSED, draw_at__lte=now)
            | Q(status=RoundStatus.DRAWN, results_notified_at__isnull=True)
            | Q(status=RoundStatus.DRAWN, confirm_until__lte=now)
        )
        .select_related("municipality", "facility")
        .order_by("pk")
    )
    for lottery in due:
        try:
            with municipality_scope(lottery.municipality):
                steps = advance(lottery, now)
        except Exception:
            logger.exception("lottery %s: a step failed", lottery.pk)
            steps = ["error"]
        if steps:
            done[lottery.pk] = steps
            if out is not None:
                out(f"{lottery.pk} {lottery.facility.name_ja} {lottery.month:%Y-%m}: {', '.join(steps)}")
    return done
