"""Public API of the Japanese toolkit: GET /api/v1/postal-codes/{code}/.

Postal data is public (Japan Post publishes it), so anyone may read it without a token;
the anonymous rate limit of the API applies.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from madoguchi.api.permissions import AllowPublic

from . import postal


class PostalAreaSerializer(serializers.Serializer[postal.PostalArea]):
    prefecture = serializers.CharField(help_text="都道府県 / Prefecture")
    prefecture_kana = serializers.CharField()
    prefecture_code = serializers.CharField(help_text="都道府県コード (01–47)")
    city = serializers.CharField(help_text="市区町村 / City, ward, town or village")
    city_kana = serializers.CharField()
    town = serializers.CharField(help_text="町域 / Town area; empty when the code covers the rest of the city")
    town_kana = serializers.CharField()
    local_government_code = serializers.CharField(help_text="地方公共団体コード (6 digits with check digit)")
    note = serializers.CharField(help_text="Japan Post's remark, e.g. 以下に掲載がない場合")


class PostalCodeSerializer(serializers.Serializer[postal.PostalCodeResult]):
    postal_code = serializers.CharField(help_text="郵便番号, 123-4567")
    prefecture = serializers.CharField(help_text="Common to every area of the code, else empty")
    city = serializers.CharField(help_text="Common to every area of the code, else empty")
    town = serializers.CharField(help_text="Common to every area of the code, else empty")
    office_name = serializers.CharField(help_text="For a business's own code (大口事業所個別番号): its name")
    areas = PostalAreaSerializer(many=True)


_ERROR = inline_serializer(
    name="PostalCodeError",
    fields={
        "error": inline_serializer(
            name="PostalCodeErrorBody",
            fields={"status": serializers.IntegerField(), "message": serializers.CharField()},
        )
    },
)


class PostalCodeView(APIView):
    """The address of a postal code, from Japan Post's data shipped with the platform."""

    permission_classes = [AllowPublic]
    authentication_classes: list[type] = []

    @extend_schema(
        summary="郵便番号の住所 / Address of a postal code",
        auth=[],
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="7 digits, with or without hyphen: 3091611 or 309-1611",
                pattern=r"^[0-9]{3}-?[0-9]{4}$",
            )
        ],
        responses={
            200: PostalCodeSerializer,
            400: OpenApiResponse(_ERROR, description="Not seven digits"),
            404: OpenApiResponse(_ERROR, description="Japan Post does not list this code"),
        },
        examples=[
            OpenApiExample(
                "笠間市笠間",
                value={
                    "postal_code": "309-1611",
                    "prefecture": "茨城県",
                    "city": "笠間市",
                    "town": "笠間",
                    "office_name": "",
                    "areas": [
                        {
                            "prefecture": "茨城県",
                            "prefecture_kana": "イバラキケン",
                            "prefecture_code": "08",
                            "city": "笠間市",
                            "city_kana": "カサマシ",
                            "town": "笠間",
                            "town_kana": "カサマ",
                            "local_government_code": "082163",
                            "note": "",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, code: str) -> Response:
        normalized = postal.normalize_postal_code(code)
        if normalized is None:
            raise ParseError(_("郵便番号は7桁の数字で指定してください。"))
        result = postal.lookup(normalized)
        if result is None:
            raise NotFound(_("この郵便番号は見つかりません。"))
        response = Response(PostalCodeSerializer(result).data)
        # Japan Post's data changes at most monthly, with a release of the platform.
        response["Cache-Control"] = "public, max-age=86400"
        return response
