"""利用確認 (check-in) in the staff console.

The QR code on a resident's booking page encodes the URL named `facilities_checkin`
(/staff/facilities/check-in/<token>/); staff scan it at the facility, see the booking and
press 「利用開始を確認する」. Without a code, the booking number is typed on
/staff/facilities/check-in/ (`facilities_checkin_lookup`). Both need VIEW_BOOKINGS to look
and MANAGE_BOOKINGS to check in; a token of another municipality is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from madoguchi.accounts.permissions import has_permission, request_municipality
from madoguchi.audit import services as audit
from madoguchi.core.staff_views import PermissionMenuItem, check, console_municipality

from .. import permissions
from ..models import Booking
from ..services.occupancy import BookingError
from . import FACILITIES_MENU_HOOK

#: What the check-in page shows of the booker (for the audit entry).
CHECKIN_FIELDS = ["number", "holder", "date", "unit", "slot", "attendees", "status", "paid"]


class NumberForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("予約番号"),
        max_length=20,
        help_text=gettext_lazy("例：F2026-000123"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


def booking_queryset(request: HttpRequest) -> Any:
    municipality = console_municipality(request)
    return Booking.objects.filter(municipality=municipality).select_related(
        "facility", "unit", "slot", "registration", "checked_in_by"
    )


def audit_booking_read(request: HttpRequest, booking: Booking, *, what: str, fields: list[str]) -> None:
    """Record that staff read a booker's data (a booking's page)."""
    registration = booking.registration
    audit.record(
        action=audit.Action.VIEW,
        obj=booking,
        municipality=booking.municipality,
        request=request,
        personal_data=True,
        subject=registration.user if registration is not None and registration.user_id else None,
        fields=fields,
        extra={"what": what, "number": booking.number},
    )


class CheckInView(WagtailAdminTemplateMixin, TemplateView):
    """利用確認: the booking behind a QR code (or a typed number) and the button."""

    template_name = "facilities/staff/checkin.html"
    header_icon = "tick"
    booking: Booking | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check(request, permissions.VIEW_BOOKINGS)
        token = kwargs.get("token")
        if token is not None:
            self.booking = booking_queryset(request).filter(qr_token=token).first()
            if self.booking is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_page_title(self) -> str:
        return _("利用確認")

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = NumberForm(request.GET or None)
        if self.booking is None and form.is_bound and form.is_valid():
            found = booking_queryset(request).filter(number=form.cleaned_data["number"]).first()
            if found is not None:
                return HttpResponseRedirect(reverse("facilities_checkin", args=[found.qr_token]))
            form.add_error("number", _("この予約番号の予約は見つかりません。"))
        if self.booking is not None:
            audit_booking_read(request, self.booking, what="checkin", fields=CHECKIN_FIELDS)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from ..services import counter

        booking = self.booking
        may_manage = has_permission(self.request.user, permissions.MANAGE_BOOKINGS, request_municipality(self.request))
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(
            booking=booking,
            may_manage=may_manage,
            check_in_problem=counter.check_in_problem(booking) if booking is not None else "",
            lookup_url=reverse("facilities_checkin_lookup"),
            detail_url=_detail_url(booking),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from ..services import counter

        if self.booking is None:
            raise Http404
        if not has_permission(request.user, permissions.MANAGE_BOOKINGS, request_municipality(request)):
            raise PermissionDenied
        try:
            already = self.booking.checked_in_at is not None
            counter.check_in(self.booking, actor=request.user, request=request)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            if already:
                messages.info(request, _("この予約は既に利用開始を確認済みです。"))
            else:
                messages.success(request, _("利用開始を確認しました（%(number)s）。") % {"number": self.booking.number})
        return HttpResponseRedirect(request.path)


@hooks.register("register_admin_urls")
def register_checkin_urls() -> list[Any]:
    view = CheckInView.as_view()
    return [
        path("facilities/check-in/", view, name="facilities_checkin_lookup"),
        path("facilities/check-in/<str:token>/", view, name="facilities_checkin"),
    ]


def _detail_url(booking: Booking | None) -> str:
    from django.urls import NoReverseMatch

    if booking is None:
        return ""
    try:
        return reverse("facilities-bookings:detail", args=[booking.number])
    except NoReverseMatch:
        return ""


@hooks.register(FACILITIES_MENU_HOOK)
def register_checkin_menu_item() -> MenuItem:
    return PermissionMenuItem(
        gettext_lazy("利用確認"),
        reverse_lazy("facilities_checkin_lookup"),
        name="facilities-checkin",
        icon_name="tick",
        order=130,
        permission=permissions.VIEW_BOOKINGS,
    )
