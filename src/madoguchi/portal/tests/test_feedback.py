"""「このページは役に立ちましたか」 and the end of every page (page_end.html): related
pages, share links, the answer stored for the page's department and no other
municipality's."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from wagtail.models import Page

from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.portal.models import ContentPage, PageFeedback
from madoguchi.portal.services import home_page_for
from madoguchi.portal.templatetags.portal_reading import related_pages, share_links

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def add_page(parent: Page, title: str, slug: str, **fields: object) -> ContentPage:
    page = ContentPage(title=title, slug=slug, locale=parent.locale, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def department(municipality: Municipality, code: str, name: str) -> Department:
    with municipality_scope(municipality):
        return Department.objects.create(municipality=municipality, code=code, name_ja=name)


@pytest.fixture
def kanko(kasama: Municipality) -> Department:
    return department(kasama, "kanko", "観光課")


@pytest.fixture
def shrine(kasama: Municipality, kanko: Department) -> ContentPage:
    home = home_page_for(kasama)
    assert home is not None
    return add_page(home, "笠間稲荷神社", "inari", department=kanko)


def render_end(page: Page, municipality: Municipality) -> str:
    request = RequestFactory().get(page.url)
    request.municipality = municipality  # type: ignore[attr-defined]
    return render_to_string(
        "portal/includes/page_end.html", {"page": page, "municipality": municipality}, request=request
    )


def test_related_pages_are_the_editors_choice_else_the_siblings(kasama: Municipality, shrine: ContentPage) -> None:
    home = home_page_for(kasama)
    assert home is not None
    park = add_page(home, "笠間芸術の森公園", "park")
    add_page(home, "笠間焼", "yaki")
    draft = ContentPage(title="下書き", slug="draft", locale=home.locale, live=False)
    home.add_child(instance=draft)
    assert [title for title, _url in related_pages(shrine)] == ["笠間芸術の森公園", "笠間焼"]
    shrine.related_pages = [("page", park)]
    shrine.save_revision().publish()
    assert related_pages(shrine) == [("笠間芸術の森公園", "/kasama/park/")]


def test_page_end_shows_date_department_share_links_and_feedback_form(
    kasama: Municipality, shrine: ContentPage
) -> None:
    html = render_end(shrine, kasama)
    assert "更新日" in html
    assert "観光課" in html
    assert "https://x.com/intent/post?" in html
    assert "https://www.facebook.com/sharer/sharer.php?u=http" in html
    assert "https://social-plugins.line.me/lineit/share?url=http" in html
    assert f'action="/kasama/feedback/{shrine.pk}/"' in html
    assert "csrfmiddlewaretoken" in html  # the page cache gives each reader their own (portal.cache)
    assert "個人情報は書かないでください" in html


def test_share_links_are_plain_links_with_the_url_encoded() -> None:
    links = share_links("笠間 & 稲荷", "https://example.jp/kasama/inari/")
    assert links[0].url == (
        "https://x.com/intent/post?text=%E7%AC%A0%E9%96%93+%26+%E7%A8%B2%E8%8D%B7"
        "&url=https%3A%2F%2Fexample.jp%2Fkasama%2Finari%2F"
    )


def test_an_answer_goes_to_the_pages_department(
    client: Client, kasama: Municipality, shrine: ContentPage, kanko: Department
) -> None:
    response = client.post(
        f"/kasama/feedback/{shrine.pk}/", {"helpful": "no", "findable": "yes", "comment": "駐車場の案内がほしい"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/kasama/inari/#feedback-heading"
    answer = PageFeedback.unscoped.get()
    assert (answer.municipality, answer.department, answer.helpful, answer.findable) == (kasama, kanko, False, True)
    assert answer.comment == "駐車場の案内がほしい"
    assert answer.language == "ja"
    assert "ご意見ありがとうございました" in client.get(response["Location"]).content.decode()


def test_sending_twice_stores_one_answer(client: Client, shrine: ContentPage) -> None:
    for _ in range(2):
        assert client.post(f"/kasama/feedback/{shrine.pk}/", {"helpful": "yes"}).status_code == 302
    assert PageFeedback.unscoped.count() == 1


def test_a_missing_answer_is_explained_and_the_comment_kept(client: Client, shrine: ContentPage) -> None:
    response = client.post(f"/kasama/feedback/{shrine.pk}/", {"comment": "長い説明"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "「役に立った」か「役に立たなかった」を選んでください。" in body
    assert "長い説明</textarea>" in body
    assert not PageFeedback.unscoped.exists()


def test_too_long_comment_is_refused_with_its_length(client: Client, shrine: ContentPage) -> None:
    response = client.post(f"/kasama/feedback/{shrine.pk}/", {"helpful": "yes", "comment": "あ" * 501})
    assert response.status_code == 400
    assert "501" in response.content.decode()


def test_another_municipalitys_page_cannot_be_answered_through_this_one(
    client: Client, mito: Municipality, shrine: ContentPage
) -> None:
    assert client.post(f"/mito/feedback/{shrine.pk}/", {"helpful": "yes"}).status_code == 404
    assert not PageFeedback.unscoped.exists()


def test_drafts_and_get_are_refused(client: Client, kasama: Municipality, shrine: ContentPage) -> None:
    assert client.get(f"/kasama/feedback/{shrine.pk}/").status_code == 405
    shrine.unpublish()
    assert client.post(f"/kasama/feedback/{shrine.pk}/", {"helpful": "yes"}).status_code == 404


# The staff console's listing ---------------------------------------------------------------

LIST = "/staff/website/feedback/"


def staff_client(municipality: Municipality, *roles: str, department: Department | None = None) -> Client:
    from madoguchi.testing.factories import make_staff
    from madoguchi.testing.tenancy import sign_in

    user = make_staff(municipality, *roles)
    if department is not None:
        profile = user.staff_profile_or_none
        assert profile is not None
        profile.department = department
        profile.save()
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def answers(kasama: Municipality, mito: Municipality, shrine: ContentPage, kanko: Department) -> Department:
    """Two answers for 観光課, one for 子育て支援課, one for Mito; returns 子育て支援課."""
    from madoguchi.portal.services import create_home_page

    kosodate = department(kasama, "kosodate", "子育て支援課")
    home = home_page_for(kasama)
    assert home is not None
    checkup = add_page(home, "乳幼児健診", "checkup", department=kosodate)
    mito_home = create_home_page(mito)
    mito_page = add_page(mito_home, "水戸の偕楽園", "kairakuen")
    for municipality, page, helpful, comment in [
        (kasama, shrine, True, ""),
        (kasama, shrine, False, "駐車場の案内がほしい"),
        (kasama, checkup, False, "日程が分かりにくい"),
        (mito, mito_page, False, "水戸の意見"),
    ]:
        with municipality_scope(municipality):
            PageFeedback.objects.create(
                municipality=municipality,
                page=page,
                department_id=getattr(page, "department_id", None),
                helpful=helpful,
                comment=comment,
                language="ja",
            )
    return kosodate


def test_staff_see_their_departments_answers_only(kasama: Municipality, kanko: Department, answers: Department) -> None:
    from madoguchi.audit.models import AuditEntry

    client = staff_client(kasama, "officer", department=kanko)
    body = client.get(LIST).content.decode()
    assert "駐車場の案内がほしい" in body
    assert "日程が分かりにくい" not in body
    assert "水戸の意見" not in body
    assert "回答 2件（役に立った 1件・役に立たなかった 1件）" in body
    assert AuditEntry.objects.filter(object_type="portal.pagefeedback", personal_data=True, action="view").exists()


def test_administrators_see_every_department_filter_search_and_export(
    kasama: Municipality, answers: Department
) -> None:
    from madoguchi.audit.models import AuditEntry

    client = staff_client(kasama, "municipal_admin")
    body = client.get(LIST).content.decode()
    assert "駐車場の案内がほしい" in body
    assert "日程が分かりにくい" in body
    assert "水戸の意見" not in body
    assert "部署ごとの回答数" in body
    filtered = client.get(LIST, {"department": answers.pk}).content.decode()
    assert "日程が分かりにくい" in filtered
    assert "駐車場の案内がほしい" not in filtered
    assert "駐車場" in client.get(LIST, {"q": "駐車場"}).content.decode()
    assert "日程" not in client.get(LIST, {"helpful": "yes"}).content.decode().split("<tbody", 1)[-1]
    export = client.get(LIST, {"export": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()  # type: ignore[attr-defined]
    assert "送信日時,ページ,URL,担当部署,役に立った,見つけやすかった,ご意見,言語" in text
    assert "日程が分かりにくい" in text
    assert "水戸の意見" not in text
    assert AuditEntry.objects.filter(object_type="portal.pagefeedback", action="export").exists()


def test_counter_clerks_cannot_read_feedback(kasama: Municipality, answers: Department) -> None:
    client = staff_client(kasama, "counter_clerk")
    assert client.get(LIST).status_code in (302, 403)


def test_staff_of_another_department_see_none_of_these(kasama: Municipality, answers: Department) -> None:
    client = staff_client(kasama, "department_head", department=department(kasama, "zeimu", "税務課"))
    body = client.get(LIST).content.decode()
    for comment in ("駐車場の案内がほしい", "日程が分かりにくい", "水戸の意見"):
        assert comment not in body
