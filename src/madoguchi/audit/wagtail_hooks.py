"""The audit log in the staff console: the 監査ログ screen, the access reason screen
(URL name `audit_access_reason`, used by `madoguchi.audit.access`) and the auditors'
dashboard panel."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from madoguchi.accounts.permissions import has_permission, request_municipality
from madoguchi.core.staff_views import RolePermissionPolicy

from . import permissions, services
from .models import Action, AuditEntry
from .views import AccessReasonView, AuditLogViewSet

register_permission_policy(AuditEntry, RolePermissionPolicy(AuditEntry, {"view": permissions.VIEW_LOG}))


@hooks.register("register_admin_viewset")
def register_audit_log() -> AuditLogViewSet:
    return AuditLogViewSet()


@hooks.register("register_admin_urls")
def register_access_reason_url() -> list[Any]:
    return [path("access-reason/", AccessReasonView.as_view(), name="audit_access_reason")]


class AuditSummaryPanel(Component):
    """For those who may read the log: what happened lately, and the last chain check."""

    name = "madoguchi_audit_summary"
    order = 60
    template_name = "audit/dashboard_panel.html"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        municipality = request_municipality(self.request)
        entries = services.entries_for(municipality)
        today = timezone.localdate()
        index = reverse("audit-log:index")

        def since(days: int) -> datetime.date:
            return today - datetime.timedelta(days=days)

        def url(**criteria: Any) -> str:
            return f"{index}?{urlencode(criteria)}"

        week, month = since(6), since(29)
        rows = [
            (_("今日の記録"), entries.filter(occurred_at__date__gte=today), url(occurred_at_from=today)),
            (
                _("個人情報の閲覧（7日間）"),
                entries.filter(occurred_at__date__gte=week, action=Action.VIEW, personal_data=True),
                url(occurred_at_from=week, action=Action.VIEW, personal_data="true"),
            ),
            (
                _("サインインの失敗（7日間）"),
                entries.filter(occurred_at__date__gte=week, action=Action.LOGIN_FAILED),
                url(occurred_at_from=week, action=Action.LOGIN_FAILED),
            ),
            (
                _("出力（30日間）"),
                entries.filter(occurred_at__date__gte=month, action=Action.EXPORT),
                url(occurred_at_from=month, action=Action.EXPORT),
            ),
        ]
        chain = services.chain_name(municipality) if municipality is not None else None
        return {
            "rows": [{"label": label, "count": qs.count(), "url": link} for label, qs, link in rows],
            "last_check": services.last_check(chain) if chain else None,
        }


@hooks.register("construct_homepage_panels")
def add_audit_summary_panel(request: HttpRequest, panels: list[Any]) -> None:
    if has_permission(request.user, permissions.VIEW_LOG, request_municipality(request)):
        panels.append(AuditSummaryPanel(request))
