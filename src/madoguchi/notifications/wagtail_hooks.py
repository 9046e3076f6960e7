"""The outbox screen in the staff console (送信メッセージ)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .models import OutboundMessage
from .views import CancelView, OutboxIndexView, OutboxInspectView, ResendView, outbox_policy

register_permission_policy(OutboundMessage, outbox_policy, exact_class=True)


class OutboxViewSet(ModelViewSet):
    model = OutboundMessage
    icon = "mail"
    menu_label = _("送信メッセージ")
    menu_order = 900
    add_to_admin_menu = True
    index_view_class = OutboxIndexView
    inspect_view_class = OutboxInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    list_export = [
        "created_at",
        "status",
        "template_key",
        "channel",
        "address",
        "language",
        "attempts",
        "sent_at",
        "last_error",
        "municipality.code",
    ]
    export_headings = {
        "created_at": _("作成日時"),
        "status": _("状態"),
        "template_key": _("テンプレート"),
        "channel": _("送信手段"),
        "address": _("宛先"),
        "language": _("言語"),
        "attempts": _("送信試行回数"),
        "sent_at": _("送信日時"),
        "last_error": _("直近のエラー"),
        "municipality.code": _("地方公共団体コード"),
    }
    export_filename = "outbox"

    def get_urlpatterns(self) -> list[Any]:
        # Read-only, apart from the two actions: no add, edit, delete, copy or history.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("resend/<int:pk>/", ResendView.as_view(), name="resend"),
            path("cancel/<int:pk>/", CancelView.as_view(), name="cancel"),
        ]

    def get_permissions_to_register(self) -> Any:
        return Permission.objects.filter(content_type__app_label="notifications", codename="view_outboundmessage")


outbox_viewset = OutboxViewSet("outbox")


@hooks.register("register_admin_viewset")
def register_outbox_viewset() -> OutboxViewSet:
    return outbox_viewset
