"""The layout's context: languages, alternates, home links, navigation slots, breadcrumbs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import path
from django.utils import translation

from madoguchi.core import context_processors as cp
from madoguchi.core import navigation
from madoguchi.core.models import Municipality


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", {"ja": "/", "en": "/en/"}),
        ("/en/", {"ja": "/", "en": "/en/"}),
        ("/en", {"ja": "/", "en": "/en/"}),
        ("/kasama/", {"ja": "/kasama/", "en": "/en/kasama/"}),
        ("/en/kasama/x/", {"ja": "/kasama/x/", "en": "/en/kasama/x/"}),
        ("/english/", {"ja": "/english/", "en": "/en/english/"}),
        ("/staff/", {}),
        ("/api/v1/kasama/", {}),
        ("/static/madoguchi/site.css", {}),
        ("/robots.txt", {}),
    ],
)
def test_alternate_paths(path: str, expected: dict[str, str]) -> None:
    assert cp.alternate_paths(path) == expected


@pytest.mark.parametrize(
    ("path", "slug", "expected"),
    [
        ("/kasama/x/", "kasama", "/x/"),
        ("/en/kasama/x/", "kasama", "/en/x/"),
        ("/kasama/", "kasama", "/"),
        ("/x/", "kasama", "/x/"),
        ("/kasamatown/", "kasama", "/kasamatown/"),
        ("/kasama/x/", None, "/kasama/x/"),
    ],
)
def test_public_path_drops_the_slug_on_a_bound_host(
    rf: RequestFactory, path: str, slug: str | None, expected: str
) -> None:
    request = rf.get(path)
    if slug:
        request.bound_host_slug = slug  # type: ignore[attr-defined]
    assert cp.public_path(request, path) == expected


@pytest.mark.django_db
def test_site_context_for_a_municipality_page(rf: RequestFactory, kasama: Municipality) -> None:
    request = rf.get("/en/kasama/some/page/?q=1")
    request.municipality = kasama  # type: ignore[attr-defined]
    with translation.override("en"):
        context = cp.site(request)
    assert context["page_language"] == "en"
    assert context["current_language"] == "en"
    assert context["home_url"] == "/en/kasama/"
    assert context["deployment_index_url"] == "/en/"
    switch = context["language_switch"]
    assert (switch.language, switch.name, switch.url, switch.same_page) == (
        "ja",
        "日本語",
        "/kasama/some/page/?q=1",
        True,
    )
    assert [(a.language, a.url) for a in context["alternates"]] == [
        ("ja", "http://testserver/kasama/some/page/"),
        ("en", "http://testserver/en/kasama/some/page/"),
        ("x-default", "http://testserver/kasama/some/page/"),
    ]


def test_site_context_outside_any_municipality(rf: RequestFactory) -> None:
    request = rf.get("/")
    with translation.override("ja"):
        context = cp.site(request)
    assert context["municipality"] is None
    assert context["home_url"] == "/"
    assert context["language_switch"].url == "/en/"


@pytest.mark.django_db
def test_site_context_does_not_query_before_the_navigation_is_read(
    rf: RequestFactory, django_assert_num_queries: object
) -> None:
    request = rf.get("/kasama/")
    request.municipality = Municipality(slug="kasama", name_ja="笠間市", name_en="Kasama City")  # type: ignore[attr-defined]
    with django_assert_num_queries(0):  # type: ignore[operator]
        context = cp.site(request)
    assert callable(context["primary_navigation"])


def test_deployment_list_on_a_bound_host_points_to_the_deployment(rf: RequestFactory, settings: object) -> None:
    settings.SITE_URL = "https://madoguchi.example"  # type: ignore[attr-defined]
    request = rf.get("/")
    request.bound_host_slug = "kasama"  # type: ignore[attr-defined]
    assert cp.deployment_index_url(request, "en") == "https://madoguchi.example/en/"


def test_absolute_urls_survive_a_bad_host(rf: RequestFactory) -> None:
    request = rf.get("/", HTTP_HOST="evil.example")
    assert cp.absolute(request, "/kasama/") == "/kasama/"


# --- navigation slots ------------------------------------------------------------------


def _nothing(request: object) -> None:  # pragma: no cover - never called
    return None


urlpatterns = [
    path("<slug:municipality_slug>/things/", _nothing, name="things"),  # type: ignore[arg-type]
    path("help/", _nothing, name="help"),  # type: ignore[arg-type]
]


@pytest.fixture
def registered() -> Iterator[None]:
    navigation.register("things", "手続", "things", order=20)
    navigation.register("help", "ヘルプ", "help", slot=navigation.FOOTER)
    navigation.register("hidden", "職員向け", "help", order=10, visible=lambda request: False)
    yield
    for key in ("things", "help", "hidden"):
        navigation.unregister(key)


@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("registered")
def test_navigation_resolves_municipality_entries(rf: RequestFactory, kasama: Municipality) -> None:
    request = rf.get("/kasama/things/")
    request.municipality = kasama  # type: ignore[attr-defined]
    primary = [
        link for link in navigation.links(request, navigation.PRIMARY) if link.url in ("/kasama/things/", "/help/")
    ]
    assert [(link.label, link.url, link.current) for link in primary] == [("手続", "/kasama/things/", True)]
    footer = [link for link in navigation.links(request, navigation.FOOTER) if link.url == "/help/"]
    assert [(link.label, link.current) for link in footer] == [("ヘルプ", False)]


@pytest.mark.urls(__name__)
@pytest.mark.usefixtures("registered")
def test_navigation_leaves_out_what_cannot_be_linked(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.municipality = None  # type: ignore[attr-defined]
    assert "/kasama/things/" not in [link.url for link in navigation.links(request, navigation.PRIMARY)]


def test_navigation_refuses_an_unknown_slot() -> None:
    with pytest.raises(ValueError, match="slot"):
        navigation.register("x", "x", "x", slot="sidebar")


@pytest.mark.parametrize(
    ("path", "url", "current"),
    [
        ("/kasama/things/", "/kasama/things/", True),
        ("/kasama/things/12/", "/kasama/things/", True),
        ("/kasama/other/", "/kasama/things/", False),
        ("/kasama/things/", "/kasama/", False),  # the home link is not every page's section
    ],
)
def test_current_section(rf: RequestFactory, path: str, url: str, current: bool) -> None:
    assert navigation.is_current(rf.get(path), url, home_url="/kasama/") is current


# --- breadcrumbs -------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_breadcrumb_trail_resolves_names_and_paths() -> None:
    template = Template(
        "{% load madoguchi_ui %}{% breadcrumb_trail crumbs as trail %}"
        "{% for c in trail %}{{ c.label }}={{ c.url|default:'-' }};{% endfor %}"
    )
    municipality = Municipality(slug="kasama")
    crumbs = [("一覧", "things"), ("ヘルプ", "/help/"), ("不明", "no-such-name"), ("この手続", "things")]
    rendered = template.render(Context({"crumbs": crumbs, "municipality": municipality}))
    # The last crumb is the current page and never a link.
    assert rendered == "一覧=/kasama/things/;ヘルプ=/help/;不明=-;この手続=-;"


def test_telephone_links_keep_only_digits() -> None:
    template = Template("{% load madoguchi_ui %}{{ number|tel_href }}")
    assert template.render(Context({"number": "0296-77-1101"})) == "tel:0296771101"
    assert template.render(Context({"number": ""})) == ""


def test_theme_colours_that_are_not_colours_never_reach_css() -> None:
    template = Template("{% load madoguchi_ui %}{{ colour|css_colour }}")
    assert template.render(Context({"colour": "#197a4b"})) == "#197a4b"
    assert template.render(Context({"colour": "red;}body{display:none"})) == "#0031d8"
