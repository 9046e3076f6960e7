"""抽選の管理 in the staff console (MANAGE_LOTTERIES): the rounds, creating a round,
priority bookings (優先予約) for a round's month before its draw, the entries with their
keys, ranks and outcomes (and a CSV), drawing now once the draw time has passed, and a
replay check of a drawn round.

The seed is never shown here before entries close: whoever knew it could predict the
keys of entries still to come. Listing entries shows registrations' names: an audited
read; the CSV an audited export.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from madoguchi.audit import services as audit
from madoguchi.core.staff_views import check, console_municipality, csv_cell, permission_menu_item

from .. import permissions
from ..forms.lotteries import PriorityForm, RoundForm, aware
from ..models import Booking, BookingSource, EntryStatus, LotteryEntry, LotteryRound, RoundStatus
from ..services import lotteries as service
from ..services.occupancy import BookingError
from . import FACILITIES_MENU_HOOK

ENTRY_FIELDS = ["number", "registration", "unit", "date", "slot", "status", "draw_key", "draw_rank", "outcome_note"]
ENTRIES_PER_PAGE = 200


class LotteryStaffMixin(WagtailAdminTemplateMixin):
    header_icon = "list-ol"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_LOTTERIES)
        self.municipality = console_municipality(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        items = [*self.breadcrumbs_items, {"url": reverse("facilities-lotteries:index"), "label": _("抽選の管理")}]
        return [*items, {"url": "", "label": self.get_page_title()}]


class RoundIndexView(LotteryStaffMixin, TemplateView):
    template_name = "facilities/staff/lotteries/index.html"

    def get_page_title(self) -> str:
        return _("抽選の管理")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rounds = list(
            LotteryRound.objects.filter(municipality=self.municipality)
            .select_related("facility")
            .order_by("-month", "facility__sort_order")[:200]
        )
        counts: dict[int, int] = {}
        for round_id in (
            LotteryEntry.objects.filter(round__in=rounds)
            .exclude(status=EntryStatus.WITHDRAWN)
            .values_list("round_id", flat=True)
        ):
            counts[round_id] = counts.get(round_id, 0) + 1
        return {
            **super().get_context_data(**kwargs),
            "rounds": [(r, counts.get(r.pk, 0)) for r in rounds],
            "add_url": reverse("facilities-lotteries:add"),
        }


class RoundCreateView(LotteryStaffMixin, FormView):
    template_name = "facilities/staff/lotteries/create.html"

    def get_page_title(self) -> str:
        return _("抽選を作成する")

    def get_form(self, form_class: Any = None) -> RoundForm:
        return RoundForm(**self.get_form_kwargs(), municipality=self.municipality)

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            lottery = service.create_round(
                facility=data["facility"],
                month=data["month"],
                entry_opens_at=aware(data["entry_opens_at"]),
                entry_closes_at=aware(data["entry_closes_at"]),
                draw_at=aware(data["draw_at"]),
                confirm_until=aware(data["confirm_until"]),
                units=data.get("units") or (),
                max_wins_per_registration=data.get("max_wins_per_registration") or 0,
                actor=self.request.user,
                request=self.request,
            )
        except BookingError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("抽選を作成しました。"))
        return HttpResponseRedirect(reverse("facilities-lotteries:detail", args=[lottery.pk]))


class RoundDetailView(LotteryStaffMixin, TemplateView):
    """One round: facts, actions, priority bookings and the entries."""

    template_name = "facilities/staff/lotteries/detail.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_LOTTERIES)
        municipality = console_municipality(request)
        self.round = get_object_or_404(
            LotteryRound.objects.select_related("facility", "municipality"), municipality=municipality, pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"{self.round.facility.name} {self.round.month:%Y-%m}"

    def url(self) -> str:
        return reverse("facilities-lotteries:detail", args=[self.round.pk])

    def priority_form(self, data: Any = None) -> PriorityForm:
        return PriorityForm(data, lottery=self.round, units=service.round_units(self.round), prefix="priority")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(priority_form=self.priority_form()))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lottery = self.round
        entries = (
            LotteryEntry.objects.filter(round=lottery)
            .select_related("registration", "unit", "slot", "booking")
            .order_by("draw_rank", "number")
        )
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(self.request.GET.get("page"))
        audit.record(
            action=audit.Action.VIEW,
            object_type="facilities.lotteryentry",
            personal_data=True,
            fields=ENTRY_FIELDS,
            request=self.request,
            extra={"what": "lottery_entries", "round": lottery.pk, "count": len(page.object_list)},
        )
        days = service.month_days(lottery.month)
        priority = list(
            Booking.objects.filter(
                facility=lottery.facility,
                date__gte=days[0],
                date__lte=days[-1],
                source=BookingSource.PRIORITY,
            )
            .exclude(status="cancelled")
            .select_related("unit", "slot")
            .order_by("date", "starts_at")
        )
        now = timezone.now()
        return {
            **super().get_context_data(**kwargs),
            "round": lottery,
            "units": service.round_units(lottery),
            "page": page,
            "priority": priority,
            "before_draw": lottery.status in (RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.CLOSED),
            "can_prioritise": lottery.status in service.PRIORITY_STATUSES,
            "can_draw": lottery.status in (RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.CLOSED)
            and now >= lottery.draw_at
            and now >= lottery.entry_closes_at,
            "can_cancel": lottery.status in (RoundStatus.SCHEDULED, RoundStatus.OPEN),
            "drawn": lottery.status in (RoundStatus.DRAWN, RoundStatus.FINISHED),
            "summary": service.summary(lottery),
            "csv_url": reverse("facilities-lotteries:entries_csv", args=[lottery.pk]),
            "public_url": service.resident_url("lottery", lottery.municipality, pk=lottery.pk),
            "url": self.url(),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "")
        lottery = self.round
        try:
            if action == "draw":
                if timezone.now() < lottery.draw_at:
                    raise BookingError("too_early", _("抽選日時の前には抽選できません。"))
                result = service.draw(lottery, actor=request.user, request=request)
                if result.already:
                    messages.info(request, _("この抽選は実施済みです。"))
                else:
                    messages.success(
                        request,
                        _("抽選しました。申込 %(entries)s件のうち当選 %(won)s件。")
                        % {"entries": result.entries, "won": result.won},
                    )
                    service.notify_results(lottery)
            elif action == "verify":
                report = service.replay_report(lottery)
                if report.ok:
                    messages.success(
                        request,
                        _("検証しました。%(count)s件の結果はすべて公開のシードから再現できます。")
                        % {"count": report.entries},
                    )
                else:
                    messages.error(
                        request,
                        _("検証で食い違いが見つかりました: %(numbers)s")
                        % {"numbers": ", ".join(report.mismatches[:20])},
                    )
            elif action == "cancel":
                if service.cancel_round(lottery, actor=request.user, request=request):
                    messages.success(request, _("抽選を中止しました。"))
            elif action == "priority":
                return self.place_priority(request)
            else:
                raise Http404
        except BookingError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(self.url())

    def place_priority(self, request: HttpRequest) -> HttpResponse:
        lottery = self.round
        try:
            service.check_priority_allowed(lottery)
        except BookingError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.url())
        form = self.priority_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = service.place_priority(
                    lottery,
                    unit=form.units[data["unit"]],
                    slot=form.slots[data["slot"]],
                    day=data["day"],
                    holder_name=data["holder_name"],
                    purpose=data.get("purpose") or "",
                    actor=request.user,
                    request=request,
                )
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("優先予約を入れました（%(number)s）。") % {"number": booking.number})
                return HttpResponseRedirect(self.url())
        response = self.render_to_response(self.get_context_data(priority_form=form))
        response.status_code = 400
        return response


class EntriesCsvView(LotteryStaffMixin, TemplateView):
    """The round's entries with registrations (an audited export)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.MANAGE_LOTTERIES)
        municipality = console_municipality(request)
        self.round = get_object_or_404(LotteryRound, municipality=municipality, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lottery = self.round
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "申込番号",
                "登録番号",
                "利用者登録",
                "利用単位",
                "利用日",
                "利用区分",
                "状態",
                "抽選キー",
                "順位",
                "理由",
                "予約番号",
            ]
        )
        rows = (
            LotteryEntry.objects.filter(round=lottery)
            .select_related("registration", "unit", "slot", "booking")
            .order_by("draw_rank", "number")
        )
        count = 0
        for entry in rows:
            count += 1
            writer.writerow(
                [
                    entry.number,
                    csv_cell(entry.registration.card_number),
                    csv_cell(entry.registration.name),
                    csv_cell(entry.unit.name_ja),
                    entry.date.isoformat(),
                    csv_cell(entry.slot.name_ja),
                    entry.get_status_display(),
                    entry.draw_key,
                    entry.draw_rank or "",
                    entry.outcome_note,
                    entry.booking.number if entry.booking is not None else "",
                ]
            )
        audit.record(
            action=audit.Action.EXPORT,
            object_type="facilities.lotteryentry",
            personal_data=True,
            fields=ENTRY_FIELDS,
            request=request,
            extra={"what": "lottery_entries_csv", "round": lottery.pk, "count": count},
        )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="lottery-{lottery.pk}-entries.csv"'
        return response


class LotteryViewSet(ViewSet):
    name = "facilities-lotteries"
    url_prefix = "facilities/lotteries"
    icon = "list-ol"
    menu_label = gettext_lazy("抽選の管理")
    menu_order = 150
    menu_hook = FACILITIES_MENU_HOOK

    def get_urlpatterns(self) -> list[Any]:
        return [
            path("", RoundIndexView.as_view(), name="index"),
            path("add/", RoundCreateView.as_view(), name="add"),
            path("<int:pk>/", RoundDetailView.as_view(), name="detail"),
            path("<int:pk>/entries.csv", EntriesCsvView.as_view(), name="entries_csv"),
        ]

    @cached_property
    def menu_item_class(self) -> type[MenuItem]:
        return permission_menu_item(permissions.MANAGE_LOTTERIES)


@hooks.register("register_admin_viewset")
def register_lottery_viewsets() -> list[Any]:
    return [LotteryViewSet()]
