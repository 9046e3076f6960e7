"""The API's own endpoints: who am I, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from madoguchi.accounts.models import Role
from madoguchi.core.tenancy import get_request_municipality

from .models import ApiToken
from .permissions import VIEW_OWN_ACCOUNT, HasPermission
from .serializers import MeSerializer


class MeView(APIView):
    permission_classes = [HasPermission]
    required_permission = VIEW_OWN_ACCOUNT

    @extend_schema(
        summary="このトークンのアカウント / The account of this token",
        description=(
            "APIトークンが代理する職員アカウント、団体、所属、役割、許可されている操作。"
            "連携の設定を確かめるときに使います。 / The staff account the token acts for, its municipality, "
            "department, roles and the permissions they give; use it to check an integration's set-up."
        ),
        responses=MeSerializer,
        tags=["me"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        municipality = get_request_municipality(request._request)
        profile = user.staff_profile_or_none  # type: ignore[union-attr]
        department = profile.department if profile is not None else None
        data = {
            "account": user,
            "municipality": municipality,
            "department": (
                {"code": department.code, "name_ja": department.name_ja, "name_en": department.name_en}
                if department is not None
                else None
            ),
            "roles": [
                {"code": code, "label": str(label)}
                for code, label in Role.choices
                if profile is not None and code in profile.role_set
            ],
            "token": request.auth if isinstance(request.auth, ApiToken) else None,
        }
        return Response(MeSerializer(data).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document: JSON unless YAML is asked for (Accept or ?format=yaml)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
