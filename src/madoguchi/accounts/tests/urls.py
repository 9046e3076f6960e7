"""The deployment's URLs plus a page, a class-based page and an API endpoint guarded by
a test permission, for the permission helper's tests (`@pytest.mark.urls`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import PermissionRequiredMixin, permission_required, register
from madoguchi.api.permissions import HasPermission
from madoguchi.urls import urlpatterns as deployment_urlpatterns

APPROVE = register("accounts_tests.approve", _("テスト用の決裁"), roles={Role.APPROVER, Role.DEPARTMENT_HEAD})


@permission_required(APPROVE)
def approve_page(request: HttpRequest, municipality_slug: str) -> HttpResponse:
    return HttpResponse(f"approve {request.municipality.code}")  # type: ignore[attr-defined]


class ApprovePage(PermissionRequiredMixin, View):
    required_permission = APPROVE

    def get(self, request: HttpRequest, municipality_slug: str) -> HttpResponse:
        return HttpResponse("approve (class)")


class ApproveEndpoint(APIView):
    permission_classes = [HasPermission]
    required_permission = APPROVE

    def get(self, request: Request, municipality_slug: str) -> Response:
        return Response({"municipality": request._request.municipality.code})  # type: ignore[attr-defined]


urlpatterns = [
    path("<slug:municipality_slug>/permission-test/", approve_page),
    path("<slug:municipality_slug>/permission-test/class/", ApprovePage.as_view()),
    path("api/v1/<slug:municipality_slug>/permission-test/", ApproveEndpoint.as_view()),
    *deployment_urlpatterns,
]

handler403 = "madoguchi.core.views.permission_denied"
handler404 = "madoguchi.core.views.page_not_found"
