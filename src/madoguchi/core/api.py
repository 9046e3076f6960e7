"""API of the core module: the municipalities of the deployment and their departments."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from madoguchi.api.permissions import AllowPublic, HasPermission

from . import permissions
from .models import Department, Municipality


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["code", "slug", "name_ja", "name_en", "name_kana", "prefecture", "postal_code", "address", "phone"]


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    # A declared field, not Serializer.parent: DRF's metaclass takes it out of the class.
    parent: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Department
        fields = ["code", "name_ja", "name_en", "parent", "phone", "email"]


@extend_schema_view(
    list=extend_schema(summary="地方公共団体の一覧 / Municipalities of this deployment"),
    retrieve=extend_schema(summary="地方公共団体 / One municipality"),
)
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet[Municipality]):
    """Public: the municipalities served here, by local government code."""

    serializer_class = MunicipalitySerializer
    permission_classes = [AllowPublic]
    # Public data: a token is neither needed nor looked at.
    authentication_classes: list[type] = []
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Municipality.objects.filter(is_active=True).order_by("code")


@extend_schema_view(
    list=extend_schema(summary="部署の一覧 / Departments of the municipality"),
    retrieve=extend_schema(
        summary="部署 / One department",
        parameters=[
            OpenApiParameter(
                "code",
                {"type": "string", "minLength": 1, "maxLength": 20},
                OpenApiParameter.PATH,
                description="部署コード / Department code",
            )
        ],
    ),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet[Department]):
    """The active departments of the municipality of the URL."""

    serializer_class = DepartmentSerializer
    permission_classes = [HasPermission]
    required_permission = permissions.VIEW_DEPARTMENTS
    lookup_field = "code"
    lookup_value_regex = r"[^/\x00]+"

    def get_queryset(self) -> QuerySet[Department]:
        # The scoped manager limits this to the municipality of the URL.
        return Department.objects.filter(is_active=True).select_related("parent")
