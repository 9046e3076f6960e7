"""The API's common behaviour: authentication, errors, languages, pagination, limits, me."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.settings import api_settings

from madoguchi.accounts.models import Role
from madoguchi.api import services
from madoguchi.api.models import ApiToken
from madoguchi.core import services as core_services
from madoguchi.core.models import Municipality
from madoguchi.testing.factories import make_staff

from .conftest import IssuedToken

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


# --- The OpenAPI document -------------------------------------------------------------


def test_schema_is_a_valid_openapi_3_document(client: Client) -> None:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    schema = json.loads(response.content)
    validate(schema)  # raises with the first problem
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "mdg_…",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    paths = schema["paths"]
    assert "/api/v1/{municipality_slug}/departments/" in paths
    assert "/api/v1/{municipality_slug}/me/" in paths
    # Only the public API: Wagtail's internal admin API stays out.
    assert all(p.startswith("/api/v1/") for p in paths)


def test_every_operation_has_a_bilingual_summary_and_documents_its_errors(client: Client) -> None:
    schema = json.loads(client.get("/api/v1/schema/").content)
    error_ref = "#/components/schemas/Error"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            summary = operation.get("summary", "")
            assert " / " in summary, f"{method} {path}: {summary!r}"
            assert any(ord(c) > 0x3000 for c in summary), f"{method} {path}: {summary!r}"
            responses = operation["responses"]
            assert "429" in responses, f"{method} {path} does not document the rate limit"
            if "{municipality_slug}" in path:
                for code in ("401", "403", "404"):
                    schema_ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                    assert schema_ref == error_ref, f"{method} {path} {code}"
                assert operation["security"] == [{"bearerAuth": []}]
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "400" in responses, f"{method} {path} takes parameters but documents no 400"


def test_schema_generates_without_warnings(tmp_path) -> None:
    # A warning means a guessed type or a missing serializer: the document would be wrong.
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_schema_is_yaml_on_request(client: Client) -> None:
    response = client.get("/api/v1/schema/?format=yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


# --- Authentication -------------------------------------------------------------------


def test_tenant_endpoint_needs_a_token(client: Client, kasama: Municipality) -> None:
    response = client.get("/api/v1/kasama/departments/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="madoguchi"'
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer abc", "Token mdg_abc", "Basic dXNlcjpwYXNz", "Bearer mdg_unknown"],
)
def test_malformed_or_unknown_tokens_are_refused(client: Client, kasama: Municipality, header: str) -> None:
    response = client.get("/api/v1/kasama/departments/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_scheme_name_is_case_insensitive(client: Client, officer_token: IssuedToken) -> None:
    response = client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"bearer {officer_token.raw}")
    assert response.status_code == 200


def test_revoked_and_expired_tokens_are_refused(client: Client, officer_token: IssuedToken) -> None:
    assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 200
    services.revoke_token(officer_token.token)
    assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 401

    _token, raw = services.issue_token(
        municipality=officer_token.token.municipality,
        user=officer_token.user,
        name="期限付き",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.unscoped.filter(name="期限付き").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_of_a_deactivated_account_is_refused(client: Client, officer_token: IssuedToken) -> None:
    officer_token.user.is_active = False
    officer_token.user.save()
    assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 401


def test_last_used_is_recorded_without_a_write_per_request(
    client: Client, officer_token: IssuedToken, django_assert_max_num_queries
) -> None:
    token = officer_token.token
    assert token.last_used_at is None
    client.get("/api/v1/kasama/me/", **officer_token.header)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    # Within the minute: no UPDATE of the token at all.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "api_apitoken" in q["sql"]
    ]
    assert writes == []
    token.refresh_from_db()
    assert token.last_used_at == first

    # A minute later the next call records the use again.
    ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=first - services.LAST_USED_RESOLUTION)
    client.get("/api/v1/kasama/me/", **officer_token.header)
    token.refresh_from_db()
    assert token.last_used_at > first - services.LAST_USED_RESOLUTION


def test_record_use_writes_once_when_two_servers_race(officer_token: IssuedToken) -> None:
    now = timezone.now()
    # Two app servers loaded the same token row (never used) at the same time.
    a = ApiToken.unscoped.get(pk=officer_token.token.pk)
    b = ApiToken.unscoped.get(pk=officer_token.token.pk)
    assert services.record_use(a, now=now) is True
    assert services.record_use(b, now=now) is False


# --- Permissions ----------------------------------------------------------------------


def test_permission_comes_from_the_roles_of_the_account(client: Client, kasama: Municipality) -> None:
    from madoguchi.core import permissions as core_permissions

    assert Role.OFFICER in core_permissions.VIEW_DEPARTMENTS.roles
    no_roles = make_staff(kasama, Role.OFFICER)
    no_roles.staff_profile.roles = []
    no_roles.staff_profile.save()
    _token, raw = services.issue_token(municipality=kasama, user=no_roles, name="役割なし")
    response = client.get("/api/v1/kasama/departments/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


def test_unknown_municipality_is_a_404_in_the_error_format(client: Client, officer_token: IssuedToken) -> None:
    response = client.get("/api/v1/nowhere/departments/", **officer_token.header)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_api_address_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/kasama/no-such-endpoint/x/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert error_of(client.get("/api/v2/"))["code"] == "not_found"


def test_unsupported_method_is_a_405_in_the_error_format(client: Client, officer_token: IssuedToken) -> None:
    response = client.post("/api/v1/kasama/departments/", {}, content_type="application/json", **officer_token.header)
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


# --- Languages ------------------------------------------------------------------------


def test_errors_follow_accept_language(client: Client, kasama: Municipality) -> None:
    ja = error_of(client.get("/api/v1/kasama/departments/?limit=x"))
    en = error_of(client.get("/api/v1/kasama/departments/?limit=x", HTTP_ACCEPT_LANGUAGE="en"))
    assert ja["message"] == "認証情報が含まれていません。"
    assert en["message"] == "Authentication credentials were not provided."

    en_404 = client.get("/api/v1/nowhere/me/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert error_of(en_404)["message"] == "This municipality does not exist."
    assert en_404["Content-Language"] == "en"
    assert "Accept-Language" in en_404["Vary"]


def test_validation_errors_name_the_field_in_the_callers_language(client: Client, officer_token: IssuedToken) -> None:
    ja = error_of(client.get("/api/v1/kasama/departments/?limit=0&offset=-1", **officer_token.header))
    assert ja["code"] == "invalid"
    assert ja["message"] == "入力内容に誤りがあります。"
    assert set(ja["fields"]) == {"limit", "offset"}
    en = error_of(
        client.get("/api/v1/kasama/departments/?limit=500", HTTP_ACCEPT_LANGUAGE="en", **officer_token.header)
    )
    assert en["message"] == "The input is not valid."
    assert en["fields"] == {"limit": ["limit must be a whole number from 1 to 200."]}


# --- Pagination -----------------------------------------------------------------------


def test_lists_are_paginated_with_limit_and_offset(client: Client, officer_token: IssuedToken) -> None:
    kasama = officer_token.token.municipality
    for n in range(5):
        core_services.create_department(kasama, code=f"ka{n}", name_ja=f"課{n}")
    total = client.get("/api/v1/kasama/departments/", **officer_token.header).json()["count"]
    page = client.get("/api/v1/kasama/departments/?limit=2&offset=2", **officer_token.header).json()
    assert page["count"] == total >= 7
    assert len(page["results"]) == 2
    assert page["next"].endswith("limit=2&offset=4")
    assert page["previous"].endswith("limit=2")
    last = client.get(f"/api/v1/kasama/departments/?limit=200&offset={total - 1}", **officer_token.header).json()
    assert len(last["results"]) == 1
    assert last["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=abc", "limit=1.5", "offset=-1", "offset=99999999999"])
def test_out_of_range_pagination_is_refused_not_ignored(client: Client, officer_token: IssuedToken, query: str) -> None:
    response = client.get(f"/api/v1/kasama/departments/?{query}", **officer_token.header)
    assert response.status_code == 400
    assert query.split("=")[0] in error_of(response)["fields"]


# --- Rate limits ----------------------------------------------------------------------


@pytest.fixture
def tight_rates(settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "token": "2/min"},
    }
    from django.core.cache import cache

    cache.clear()


def test_each_token_has_its_own_rate_limit(
    client: Client, officer_token: IssuedToken, kasama: Municipality, tight_rates: None
) -> None:
    assert api_settings.DEFAULT_THROTTLE_RATES["token"] == "2/min"
    for _ in range(2):
        assert client.get("/api/v1/kasama/me/", **officer_token.header).status_code == 200
    limited = client.get("/api/v1/kasama/me/", **officer_token.header)
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0

    # Another token of the same account, from the same address, still has its budget.
    _token, other = services.issue_token(municipality=kasama, user=officer_token.user, name="別の連携")
    assert client.get("/api/v1/kasama/me/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_anonymous_calls_are_limited_per_address(client: Client, kasama: Municipality, tight_rates: None) -> None:
    for _ in range(3):
        assert client.get("/api/v1/municipalities/").status_code == 200
    assert client.get("/api/v1/municipalities/").status_code == 429
    # X-Forwarded-For is not believed: it cannot buy a new budget.
    assert client.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.get("/api/v1/municipalities/", REMOTE_ADDR="198.51.100.7").status_code == 200


# --- me -------------------------------------------------------------------------------


def test_me_describes_the_account_roles_and_municipality(client: Client, officer_token: IssuedToken) -> None:
    response = client.get("/api/v1/kasama/me/", **officer_token.header)
    assert response.status_code == 200
    me = response.json()
    assert me["account"]["email"] == "renkei@city.kasama.example"
    assert me["municipality"] == {"code": "082163", "slug": "kasama", "name_ja": "笠間市", "name_en": "Kasama City"}
    assert me["roles"] == [{"code": "officer", "label": "担当職員"}]
    assert "core.view_departments" in me["permissions"]
    assert "api.manage_tokens" not in me["permissions"]
    assert me["token"]["name"] == "税務システム連携"
    assert me["token"]["key_prefix"] == officer_token.raw[:10]
    assert "key_hash" not in json.dumps(me)

    en = client.get("/api/v1/kasama/me/", HTTP_ACCEPT_LANGUAGE="en", **officer_token.header).json()
    assert en["roles"] == [{"code": "officer", "label": "Officer"}]


# --- Public endpoints -----------------------------------------------------------------


def test_municipalities_are_public_and_ignore_tokens(client: Client, kasama: Municipality, mito: Municipality) -> None:
    listed = client.get("/api/v1/municipalities/").json()
    assert [m["slug"] for m in listed["results"]] == ["mito", "kasama"]  # by local government code
    assert client.get("/api/v1/municipalities/kasama/").json()["code"] == "082163"
    assert client.get("/api/v1/municipalities/kasama/", HTTP_AUTHORIZATION="Bearer garbage").status_code == 200
    assert error_of(client.get("/api/v1/municipalities/nowhere/"))["code"] == "not_found"


# --- Wagtail's own admin API ----------------------------------------------------------


def test_wagtail_admin_api_still_serves_the_staff_console(client: Client, kasama: Municipality) -> None:
    from .conftest import sign_in_staff

    # The console's page explorer reads this API; madoguchi's DenyAll default must not break it.
    assert client.get("/staff/api/main/pages/?for_explorer=1").status_code in (302, 401, 403)
    operator = make_staff(kasama, *Role.values)
    operator.is_superuser = True
    operator.save()
    sign_in_staff(client, operator)
    from wagtail.models import Page

    root = Page.get_first_root_node()
    response = client.get(f"/staff/api/main/pages/?child_of={root.pk}&for_explorer=1")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["meta"]["total_count"] >= 1


def test_an_unexpected_error_is_a_500_without_detail(rf, caplog: pytest.LogCaptureFixture) -> None:
    from django_scopes.exceptions import ScopeError
    from rest_framework.views import APIView

    from madoguchi.api.permissions import AllowPublic

    class Broken(APIView):
        permission_classes = [AllowPublic]
        authentication_classes: list[type] = []

        def get(self, request, *args, **kwargs):
            raise ScopeError("a tenant query without a tenant")

    response = Broken.as_view()(rf.get("/api/v1/broken/"))
    response.render()
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["error"]["code"] == "server_error"
    assert "tenant" not in response.content.decode()
    assert any(r.exc_info and r.exc_info[0] is ScopeError for r in caplog.records)
