"""The outbox in the staff console (Wagtail): list, search, filters, CSV export, the
message as it was sent (secrets masked), resend and cancel.

Staff see their own municipality's messages only (`services.staff_messages`); the
deployment's operator sees every municipality's and the account e-mails. Reading a
message, and exporting the list, are audited as reads of personal data.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_filters.widgets import SuffixedMultiWidget
from django_scopes import scopes_disabled
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.permission_policies.base import BasePermissionPolicy

from madoguchi.accounts.permissions import Permission, has_permission
from madoguchi.audit import services as audit

from . import rendering, services
from .models import MessageStatus, OutboundMessage
from .permissions import MANAGE_OUTBOX, VIEW_OUTBOX

ACTION_PERMISSIONS: dict[str, Permission] = {
    "view": VIEW_OUTBOX,
    "resend": MANAGE_OUTBOX,
    "cancel": MANAGE_OUTBOX,
}


class OutboxPermissionPolicy(BasePermissionPolicy):
    """Wagtail's permission questions about the outbox, answered by madoguchi's
    permission helper. Messages are never added, edited or deleted through the console."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        permission = ACTION_PERMISSIONS.get(action)
        return permission is not None and has_permission(user, permission)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Any) -> QuerySet[Any]:
        # Only staff and the operator can hold these; never walk the residents.
        candidates = (
            get_user_model()
            ._default_manager.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(staff_profile__isnull=False))
            .select_related("staff_profile")
        )
        with scopes_disabled():
            allowed = [u.pk for u in candidates if self.user_has_any_permission(u, actions)]
        return get_user_model()._default_manager.filter(pk__in=allowed)


outbox_policy = OutboxPermissionPolicy(OutboundMessage)


def visible_messages(request: HttpRequest) -> QuerySet[OutboundMessage]:
    municipality = getattr(request, "municipality", None)
    if municipality is None and not getattr(request.user, "is_superuser", False):
        return OutboundMessage.unscoped.none()
    return services.staff_messages(municipality)  # type: ignore[no-any-return]


class NativeDateRangeWidget(DateRangePickerWidget):
    """Wagtail's date range, with the browser's own date inputs: Wagtail's date picker
    starts itself with an inline script, which the Content-Security-Policy forbids."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = (
            forms.DateInput(attrs={"type": "date", "aria-label": _("開始日")}, format="%Y-%m-%d"),
            forms.DateInput(attrs={"type": "date", "aria-label": _("終了日")}, format="%Y-%m-%d"),
        )
        SuffixedMultiWidget.__init__(self, widgets, attrs)


class OutboxFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("状態"), choices=MessageStatus.choices)
    template_key = django_filters.ChoiceFilter(label=_("テンプレート"), choices=[])
    created_at = django_filters.DateFromToRangeFilter(label=_("作成日"), widget=NativeDateRangeWidget)

    class Meta:
        model = OutboundMessage
        fields = ["status", "template_key", "created_at"]

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, request=request, **kwargs)
        keys: list[str] = []
        if request is not None:
            keys = sorted(set(visible_messages(request).values_list("template_key", flat=True).distinct()))
        self.filters["template_key"].extra["choices"] = [(k, k) for k in keys]


class OutboxIndexView(generic.IndexView):
    permission_policy = outbox_policy
    any_permission_required = ["view"]
    search_fields = ["address", "subject", "template_key"]
    search_backend_name = None
    filterset_class = OutboxFilterSet
    default_ordering = "-created_at"
    page_title = _("送信メッセージ")

    def get_base_queryset(self) -> QuerySet[OutboundMessage]:
        return visible_messages(self.request).select_related("municipality")

    @property
    def columns(self) -> list[Any]:  # type: ignore[override]
        return [
            self._get_title_column("subject"),
            Column("masked_address", label=_("宛先")),
            Column("template_key", label=_("テンプレート"), sort_key="template_key"),
            Column("get_status_display", label=_("状態"), sort_key="status"),
            Column("attempts", label=_("送信試行回数"), sort_key="attempts"),
            DateColumn("created_at", label=_("作成日時"), sort_key="created_at"),
            DateColumn("sent_at", label=_("送信日時"), sort_key="sent_at"),
        ]

    def as_spreadsheet(self, queryset: Any, spreadsheet_format: str) -> HttpResponse:
        # A download of addresses is a read of personal data: one audit entry for it.
        audit.record(
            action=audit.Action.EXPORT,
            obj=None,
            personal_data=True,
            request=self.request,
            fields=list(self.list_export),
            extra={"model": "notifications.outboundmessage", "format": spreadsheet_format, "count": queryset.count()},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)  # type: ignore[no-any-return]


class OutboxInspectView(generic.InspectView):
    permission_policy = outbox_policy
    any_permission_required = ["view"]
    template_name = "notifications/admin/inspect.html"
    # Not `fields`: the viewset passes its own (empty) list, which would show every
    # field, the unmasked bodies among them.
    shown_fields = [
        "status",
        "template_key",
        "channel_label",
        "address",
        "language",
        "municipality",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "provider_reference",
        "created_at",
    ]

    def get_fields(self) -> list[str]:
        return list(self.shown_fields)

    def get_object(self, queryset: Any = None) -> OutboundMessage:
        return get_object_or_404(visible_messages(self.request), pk=self.pk)  # type: ignore[no-any-return]

    def get_page_subtitle(self) -> str:
        return str(self.object.subject)

    def get_field_label(self, field_name: str, field: Any) -> str:
        if field_name == "channel_label":
            return str(_("送信手段"))
        return super().get_field_label(field_name, field)  # type: ignore[no-any-return]

    def get_municipality_display_value(self) -> str:
        municipality = self.object.municipality
        return str(municipality) if municipality is not None else str(_("（アカウントのメール）"))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.record_read(self.object, request)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        message: OutboundMessage = self.object
        context.update(
            message=message,
            masked_subject=rendering.mask(message.subject),
            masked_body_text=rendering.mask(message.body_text),
            masked_body_html=rendering.mask(message.body_html),
            can_manage=has_permission(self.request.user, MANAGE_OUTBOX),
            can_resend=message.status in (MessageStatus.FAILED, MessageStatus.CANCELLED, MessageStatus.SENT),
            can_cancel=message.status in (MessageStatus.QUEUED, MessageStatus.FAILED),
            resend_url=reverse("outbox:resend", args=[message.pk]),
            cancel_url=reverse("outbox:cancel", args=[message.pk]),
            resends=list(visible_messages(self.request).filter(resent_from=message).order_by("created_at")),
        )
        return context


class OutboxActionView(View):
    """POST-only: resend or cancel one message."""

    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not outbox_policy.user_has_permission(request.user, self.action):
            raise PermissionDenied
        try:
            message = visible_messages(request).get(pk=pk)
        except OutboundMessage.DoesNotExist:
            raise Http404 from None
        try:
            if self.action == "resend":
                target = services.retry(message, request=request)
                messages.success(request, _("再送の予約をしました。"))
            else:
                target = services.cancel(message, request=request)
                messages.success(request, _("送信を取り消しました。"))
        except services.NotificationError as exc:
            messages.error(request, str(exc))
            target = message
        return HttpResponseRedirect(reverse("outbox:inspect", args=[target.pk]))


class ResendView(OutboxActionView):
    action = "resend"


class CancelView(OutboxActionView):
    action = "cancel"
