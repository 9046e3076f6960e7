"""API of the core module: the municipalities of the deployment and their departments."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from madoguchi.api.permissions import AllowPublic, HasPermission

from . import permissions
from .models import Department, Municipality


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["code", "slug", "name_ja", "name_en", "name_kana", "prefecture", "postal_code", "address", "phone"]


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["code", "name_ja", "name_en", "parent", "phone", "email"]


@extend_schema_view(
    list=extend_schema(summary="地方公共団体の一覧 / Municipalities of this deployment", auth=[]),
    retrieve=extend_schema(summary="地方公共団体 / One municipality", auth=[]),
)
class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet[Municipality]):
    serializer_class = MunicipalitySerializer
    permission_classes = [AllowPublic]
    authentication_classes: list[type] = []
    lookup_field = "slug"
    queryset = Municipality.objects.filter(is_active=True).order_by("code")


@extend_schema_view(
    list=extend_schema(summary="部署の一覧 / Departments"),
    retrieve=extend_schema(summary="部署 / One department"),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet[Department]):
    serializer_class = DepartmentSerializer
    permission_classes = [HasPermission]
    required_permission = permissions.VIEW_DEPARTMENTS
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Department]:
        # The scoped manager limits this to the municipality of the URL.
        return Department.objects.filter(is_active=True).select_related("parent")
