"""Serializers of the API's own endpoints and of its error format."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from madoguchi.accounts import permissions as perms
from madoguchi.accounts.models import Role, User
from madoguchi.core.models import Municipality

from .models import ApiToken


class ErrorDetailSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text=_("HTTPステータスコード"))
    code = serializers.CharField(
        help_text=_(
            "プログラム向けの理由（invalid, not_authenticated, authentication_failed, permission_denied, "
            "not_found, method_not_allowed, throttled など）"
        )
    )
    message = serializers.CharField(help_text=_("人向けの説明（Accept-Language の言語）"))
    request_id = serializers.CharField(help_text=_("問い合わせの際に伝えるリクエストID（ログの検索に使う）"))
    # Declared fields (DRF's metaclass takes them out of the class), named as in the JSON.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("入力の誤りがあった項目と理由（400のときだけ）"),
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error response of the API."""

    error = ErrorDetailSerializer()


class MunicipalitySummarySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["code", "slug", "name_ja", "name_en"]


class AccountSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="get_full_name", help_text=_("氏名または表示名"))

    class Meta:
        model = User
        fields = ["id", "email", "name"]


class RoleSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=Role.choices)
    label = serializers.CharField(help_text=_("役割の名称（Accept-Language の言語）"))  # type: ignore[assignment]


class DepartmentSummarySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


class TokenSummarySerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["name", "key_prefix", "created_at", "expires_at"]


class MeSerializer(serializers.Serializer[Any]):
    """Who the token acts for: the account, its municipality and department, its roles
    and what they allow."""

    account = AccountSerializer()
    municipality = MunicipalitySummarySerializer()
    department = DepartmentSummarySerializer(allow_null=True)
    roles = RoleSerializer(many=True)
    permissions = serializers.SerializerMethodField()
    token = TokenSummarySerializer(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, obj: dict[str, Any]) -> list[str]:
        return [p.code for p in perms.all_permissions() if perms.has_permission(obj["account"], p, obj["municipality"])]
