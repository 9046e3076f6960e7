"""pytest fixtures shared by every module (loaded by the root conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_scopes import scopes_disabled

from madoguchi.core.models import Municipality

from .tenancy import TenantPair, make_tenant


@pytest.fixture(autouse=True)
def _no_scope_in_tests() -> Iterator[None]:
    """Test code itself may set up and inspect any municipality's rows; requests made
    by the test client still run inside their own municipality's scope."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """Each test starts in the default language and leaves it behind: a test that switches
    to English (translation.activate) must not make the next test in its process English."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> None:
    """Rate limits, lock-outs and used TOTP codes live in the cache (a database table
    that a test database flush does not empty): each test starts without them."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    # pytest-django's own helper opens the database the way the test asked for it.
    request.getfixturevalue("_django_db_helper")
    from django.core.cache import cache

    with scopes_disabled():
        cache.clear()


@pytest.fixture
def kasama(db: None) -> Municipality:
    from madoguchi.core import services

    return services.create_municipality(
        code="082163", name_ja="笠間市", name_kana="かさまし", name_en="Kasama City", slug="kasama", prefecture="08"
    )


@pytest.fixture
def mito(db: None) -> Municipality:
    from madoguchi.core import services

    return services.create_municipality(
        code="082015", name_ja="水戸市", name_kana="みとし", name_en="Mito City", slug="mito", prefecture="08"
    )


@pytest.fixture
def two_municipalities(kasama: Municipality, mito: Municipality) -> TenantPair:
    """Kasama (home) and Mito (other), each with staff in every role, a resident and an
    API token."""
    return TenantPair(home=make_tenant(kasama), other=make_tenant(mito))
