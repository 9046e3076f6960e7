"""The residents' lottery pages: the rounds (public), a round's verifiable results
(public, entry by entry, never names), the CSV of the results, entering, and the
signed-in resident's entries with confirm / decline / withdraw.

The public pages show no personal data: entry numbers, units, days, slots, keys, ranks
and outcomes only. The resident's own entries are an audited read.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from madoguchi.audit import services as audit
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import get_request_municipality

from ..forms.lotteries import EntryForm
from ..models import (
    HOLDING_STATUSES,
    Booking,
    EntryStatus,
    LotteryEntry,
    LotteryRound,
    RoundStatus,
)
from ..services import lotteries as service
from ..services import registrations
from ..services.occupancy import BookingError

#: Results shown per page of a round (the CSV has them all).
RESULTS_PER_PAGE = 200


def _url(name: str, municipality: Municipality, **kwargs: Any) -> str:
    try:
        return reverse(f"facilities:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})
    except NoReverseMatch:
        return ""


def _round(request: HttpRequest, pk: int) -> LotteryRound:
    municipality = get_request_municipality(request)
    found = (
        LotteryRound.objects.filter(municipality=municipality, pk=pk, facility__is_published=True)
        .exclude(status=RoundStatus.CANCELLED)
        .select_related("facility")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _crumbs(*items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [(_("抽選"), "facilities:lotteries"), *items]


@require_safe
def lotteries(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """抽選: rounds taking entries, waiting for the draw, and recent results."""
    municipality = get_request_municipality(request)
    rounds = list(
        LotteryRound.objects.filter(municipality=municipality, facility__is_published=True)
        .exclude(status=RoundStatus.CANCELLED)
        .select_related("facility")
        .prefetch_related("units")
        .order_by("-month", "facility__sort_order", "facility__slug")[:60]
    )
    now = timezone.now()
    current = [r for r in rounds if r.status not in (RoundStatus.FINISHED,)]
    past = [r for r in rounds if r.status == RoundStatus.FINISHED]
    return render(
        request,
        "facilities/lotteries/index.html",
        {
            "current": [(r, service.accepting(r, now)) for r in current],
            "past": past,
            "my_entries_url": _url("my_entries", municipality),
            "breadcrumbs": [(_("抽選"), None)],
        },
    )


def _results_rows(lottery: LotteryRound) -> Any:
    return (
        LotteryEntry.objects.filter(round=lottery, status__in=service.DRAWN_STATUSES)
        .select_related("unit", "slot")
        .order_by("draw_rank")
    )


def _priority_holds(lottery: LotteryRound) -> list[Booking]:
    """What was held before the draw (shown so the draw can be checked): bookings not made
    by this round's winners. Only the unit, day and time: never who holds them."""
    at = lottery.drawn_at or timezone.now()
    winners = LotteryEntry.objects.filter(round=lottery, booking__isnull=False).values_list("booking_id", flat=True)
    days = service.month_days(lottery.month)
    return list(
        Booking.objects.filter(facility=lottery.facility, date__gte=days[0], date__lte=days[-1], created_at__lt=at)
        .filter(Q(status__in=HOLDING_STATUSES) | Q(cancelled_at__gt=at))
        .exclude(pk__in=winners)
        .select_related("unit", "slot")
        .order_by("date", "starts_at", "unit__sort_order")
    )


@require_safe
def lottery(request: HttpRequest, municipality_slug: str, pk: int) -> HttpResponse:
    """A round: its period, units, the seed commitment and, once public, the seed; after
    the draw every entry's key, rank and outcome; how to verify the draw yourself."""
    found = _round(request, pk)
    municipality = found.municipality
    units = service.round_units(found)
    page = None
    if found.status in (RoundStatus.DRAWN, RoundStatus.FINISHED):
        page = Paginator(_results_rows(found), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    holds = _priority_holds(found) if found.seed_is_public else []
    entry_count = LotteryEntry.objects.filter(round=found).exclude(status=EntryStatus.WITHDRAWN).count()
    return render(
        request,
        "facilities/lotteries/detail.html",
        {
            "round": found,
            "units": [(unit, list(unit.spaces.all())) for unit in units],
            "slots": sorted(
                {slot for unit in units for slot in unit.slot_pattern.slots.all()}, key=lambda s: s.starts_at
            ),
            "accepting": service.accepting(found),
            "entry_count": entry_count,
            "page": page,
            "holds": holds,
            "summary": service.summary(found) if page is not None else None,
            "enter_url": _url("lottery_enter", municipality, pk=found.pk),
            "csv_url": _url("lottery_results_csv", municipality, pk=found.pk),
            "facility_url": _url("detail", municipality, facility_slug=found.facility.slug),
            "breadcrumbs": _crumbs((f"{found.facility.name} {found.month:%Y-%m}", None)),
        },
    )


CSV_HEADER = ("申込番号", "利用単位", "区画", "利用日", "利用区分", "開始", "終了", "抽選キー", "順位", "結果", "理由")


@require_safe
def lottery_results_csv(request: HttpRequest, municipality_slug: str, pk: int) -> HttpResponse:
    """The results, one row per entry in rank order (UTF-8 with BOM; no names). With the
    published seed anyone can recompute every key and rank and check the outcomes."""
    found = _round(request, pk)
    if found.status not in (RoundStatus.DRAWN, RoundStatus.FINISHED):
        raise Http404
    spaces = {unit.pk: " ".join(s.code for s in unit.spaces.all()) for unit in service.round_units(found)}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry in _results_rows(found):
        won = entry.status in service.WON_STATUSES
        writer.writerow(
            [
                entry.number,
                entry.unit.slug,
                spaces.get(entry.unit_id, ""),
                entry.date.isoformat(),
                entry.slot.name_ja,
                f"{entry.slot.starts_at:%H:%M}",
                f"{entry.slot.ends_at:%H:%M}",
                entry.draw_key,
                entry.draw_rank,
                "当選" if won else "落選",
                entry.outcome_note,
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lottery-{found.pk}-results.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def lottery_enter(request: HttpRequest, municipality_slug: str, pk: int) -> HttpResponse:
    """申し込む: a registration's wish for one unit, day and slot of the round."""
    found = _round(request, pk)
    municipality = found.municipality
    usable = registrations.usable_registrations(request.user, municipality)
    crumbs = _crumbs(
        (f"{found.facility.name} {found.month:%Y-%m}", _url("lottery", municipality, pk=found.pk)),
        (_("申し込む"), None),
    )
    context: dict[str, Any] = {
        "round": found,
        "breadcrumbs": crumbs,
        "register_url": _url("register", municipality),
        "my_entries_url": _url("my_entries", municipality),
    }
    if not service.accepting(found):
        return render(request, "facilities/lotteries/enter.html", {**context, "closed": True}, status=200)
    if not usable:
        return render(request, "facilities/lotteries/enter.html", {**context, "no_registration": True})
    units = service.round_units(found)
    initial = {key: request.GET[key] for key in ("unit", "day", "slot") if key in request.GET}
    form = EntryForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        lottery=found,
        registrations=usable,
        units=units,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = service.enter(round=found, actor=request.user, request=request, **form.wish())
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _t("抽選に申し込みました（申込番号 %(number)s）。結果は抽選後にメールでお知らせします。")
                    % {"number": entry.number},
                )
                return redirect(_url("my_entries", municipality))
        status = 400
    return render(request, "facilities/lotteries/enter.html", {**context, "form": form}, status=status)


@login_required
@require_safe
def my_entries(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    """抽選の申込: the resident's entries with their results and what can be done."""
    municipality = get_request_municipality(request)
    entries = service.entries_of(request.user, municipality)
    audit.record(
        action=audit.Action.VIEW,
        request=request,
        municipality=municipality,
        personal_data=True,
        subject=request.user,  # type: ignore[arg-type]  # signed in: login_required
        object_type="facilities.lotteryentry",
        fields=["number", "registration", "unit", "date", "slot", "status"],
        extra={"what": "my_entries", "count": len(entries)},
    )
    now = timezone.now()
    rows = []
    for entry in entries:
        rows.append(
            {
                "entry": entry,
                "can_withdraw": entry.status == EntryStatus.ENTERED and service.accepting(entry.round, now),
                "can_decide": entry.status == EntryStatus.WON and now <= entry.round.confirm_until,
                "booking_url": _url("booking", municipality, number=entry.booking.number)
                if entry.booking is not None and entry.status == EntryStatus.CONFIRMED
                else "",
                "round_url": _url("lottery", municipality, pk=entry.round_id),
            }
        )
    return render(
        request,
        "facilities/lotteries/my_entries.html",
        {
            "rows": rows,
            "lotteries_url": _url("lotteries", municipality),
            "breadcrumbs": [(_("施設予約マイページ"), "facilities:my"), (_("抽選の申込"), None)],
        },
    )


ACTIONS: dict[str, dict[str, Any]] = {
    "confirm": {
        "title": _("当選を確定する"),
        "button": _("確定する"),
        "explain": _("確定すると予約になり、使用料の納付書が発行されます。予約の画面からお支払いください。"),
        "done": _("当選を確定しました。使用料をお支払いください。"),
    },
    "decline": {
        "title": _("当選を辞退する"),
        "button": _("辞退する"),
        "explain": _("辞退すると、この枠は先着順の予約に回ります。取り消せません。"),
        "done": _("当選を辞退しました。"),
    },
    "withdraw": {
        "title": _("申込を取り下げる"),
        "button": _("取り下げる"),
        "explain": _("取り下げた申込は抽選の対象になりません。申込締切までは、もう一度申し込めます。"),
        "done": _("申込を取り下げました。"),
    },
}


def _entry_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    municipality = get_request_municipality(request)
    entry = service.entry_of(request.user, municipality, number)
    if entry is None:
        raise Http404
    texts = ACTIONS[action]
    error = ""
    if request.method == "POST":
        function = {"confirm": service.confirm, "decline": service.decline, "withdraw": service.withdraw}[action]
        try:
            entry = function(entry, request.user, request=request)
        except BookingError as failure:
            error = failure.message
        else:
            messages.success(request, str(texts["done"]))
            if action == "confirm" and entry.booking is not None:
                booking_url = _url("booking", municipality, number=entry.booking.number)
                if booking_url:
                    return redirect(booking_url)
            return redirect(_url("my_entries", municipality))
    audit.record(
        action=audit.Action.VIEW,
        obj=entry,
        request=request,
        municipality=municipality,
        personal_data=True,
        subject=entry.registration.user,
        fields=["number", "registration", "unit", "date", "slot", "status"],
    )
    return render(
        request,
        "facilities/lotteries/entry_action.html",
        {
            "entry": entry,
            "texts": texts,
            "action": action,
            "error": error,
            "my_entries_url": _url("my_entries", municipality),
            "breadcrumbs": [
                (_("施設予約マイページ"), "facilities:my"),
                (_("抽選の申込"), "facilities:my_entries"),
                (texts["title"], None),
            ],
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_confirm(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """当選の確定 (POST): the provisional booking becomes a booking to pay."""
    return _entry_action(request, number, "confirm")


@login_required
@require_http_methods(["GET", "POST"])
def entry_decline(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """当選の辞退 (POST): the slot is released to first-come booking."""
    return _entry_action(request, number, "decline")


@login_required
@require_http_methods(["GET", "POST"])
def entry_withdraw(request: HttpRequest, municipality_slug: str, number: str) -> HttpResponse:
    """申込の取下げ (POST), before entries close."""
    return _entry_action(request, number, "withdraw")
