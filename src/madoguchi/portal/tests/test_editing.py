"""Editing the website in the staff console: department approval, scheduled publishing,
translation with wagtail-localize, alt text, document links, redirects, reserved slugs,
content languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page, WorkflowPage, WorkflowState

from madoguchi.accounts import services as accounts
from madoguchi.accounts.models import Role, StaffProfile, User
from madoguchi.accounts.signals import staff_changed
from madoguchi.core.models import Department, Municipality
from madoguchi.portal import tasks
from madoguchi.portal.models import ContentPage, MunicipalityHomePage, SectionPage
from madoguchi.portal.services import home_page_for
from madoguchi.portal.services import workflows as wf
from madoguchi.portal.validation import ReservedSlugMixin, check_slug
from madoguchi.testing.factories import DepartmentFactory, StaffProfileFactory, enrol_totp
from madoguchi.testing.tenancy import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese() -> None:
    translation.activate("ja")


def staff(municipality: Municipality, department: Department, *roles: str) -> User:
    """A staff member of the department (make_staff gives each a department of its own)."""
    # The receivers in portal.wagtail_hooks must be connected before staff_changed is sent.
    import madoguchi.portal.wagtail_hooks  # noqa: F401

    profile: StaffProfile = StaffProfileFactory.create(
        municipality=municipality, department=department, roles=list(roles)
    )
    staff_changed.send(sender=StaffProfile, profile=profile)
    enrol_totp(profile.user)
    return profile.user


def publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def home(kasama: Municipality) -> MunicipalityHomePage:
    page = home_page_for(kasama, "ja")
    assert page is not None
    return page


@pytest.fixture
def welfare(kasama: Municipality) -> Department:
    return DepartmentFactory.create(municipality=kasama, code="F10", name_ja="福祉課", name_en="Welfare Division")


@pytest.fixture
def section(home: MunicipalityHomePage, welfare: Department) -> SectionPage:
    page = SectionPage(title="健康・福祉", slug="kenko", locale=home.locale, department=welfare)
    home.add_child(instance=page)
    publish(page)
    wf.sync_department_workflows(welfare.municipality)
    return page


def content_form(title: str, slug: str, **extra: Any) -> dict[str, Any]:
    """The editor form of a ContentPage as the browser posts it."""
    data: dict[str, Any] = {
        "title": title,
        "slug": slug,
        "lead": "",
        "body": '{"blocks":[{"key":"a","type":"unstyled","text":"本文です。","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "reading": "",
        "department": "",
        "related_pages-count": "0",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(extra)
    return data


# --- Approval per department ---------------------------------------------------------


def test_each_department_has_a_workflow_assigned_to_its_sections(
    kasama: Municipality, mito: Municipality, section: SectionPage, welfare: Department
) -> None:
    assignment = WorkflowPage.objects.get(page=section)
    assert assignment.workflow.name == "福祉課の承認（笠間市）"
    task = assignment.workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["082163 F10 ページ承認"]
    # A page below the section goes to that workflow.
    child = ContentPage(title="予防接種", slug="yobo", locale=section.locale)
    section.add_child(instance=child)
    assert child.get_workflow() == assignment.workflow
    # Running it again changes nothing; another municipality's departments are its own.
    wf.sync_department_workflows(kasama)
    assert WorkflowPage.objects.filter(page=section).count() == 1
    mito_dept = DepartmentFactory.create(municipality=mito, code="F10", name_ja="福祉課")
    assert wf.ensure_department_workflow(mito_dept) != assignment.workflow


def test_a_section_without_department_has_no_workflow_of_its_own(
    home: MunicipalityHomePage, section: SectionPage
) -> None:
    section.department = None
    publish(section)
    wf.follow_page_department(section)
    assert not WorkflowPage.objects.filter(page=section).exists()


def test_approvers_group_follows_roles_department_and_deactivation(kasama: Municipality, welfare: Department) -> None:
    group_name = "082163 F10 ページ承認"
    head = staff(kasama, welfare, Role.DEPARTMENT_HEAD)
    approver = staff(kasama, welfare, Role.APPROVER)
    officer = staff(kasama, welfare, Role.OFFICER)
    assert head.groups.filter(name=group_name).exists()
    assert approver.groups.filter(name=group_name).exists()
    assert not officer.groups.filter(name=group_name).exists()

    admin = staff(kasama, welfare, Role.MUNICIPAL_ADMIN)
    other = DepartmentFactory.create(municipality=kasama, code="K20", name_ja="子育て支援課")
    accounts.update_staff(approver.staff_profile, department=other, actor=admin)
    assert not approver.groups.filter(name=group_name).exists()
    assert approver.groups.filter(name="082163 K20 ページ承認").exists()

    accounts.deactivate_staff(head.staff_profile, actor=admin)
    assert not Group.objects.get(name=group_name).user_set.filter(pk=head.pk).exists()


def _submit_draft(client: Client, section: SectionPage, go_live: dt.datetime) -> ContentPage:
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("portal", "contentpage", section.pk)),
        content_form(
            "インフルエンザ予防接種のお知らせ",
            "influenza",
            go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M"),
            **{"action-submit": "1"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return ContentPage.objects.get(slug="influenza")


def test_draft_is_approved_by_the_department_and_goes_live_at_its_time(
    client: Client, kasama: Municipality, section: SectionPage, welfare: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = staff(kasama, welfare, Role.MUNICIPAL_ADMIN)
    approver = staff(kasama, welfare, Role.APPROVER)
    outsider = staff(kasama, DepartmentFactory.create(municipality=kasama, code="K20"), Role.APPROVER)
    go_live = timezone.now() + dt.timedelta(days=2)

    sign_in(client, editor)
    page = _submit_draft(client, section, go_live)
    assert not page.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    task_state = state.current_task_state
    assert task_state is not None

    approve_url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    # An approver of another department may not approve.
    client.logout()
    sign_in(client, outsider)
    client.post(approve_url, {"comment": ""})
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    client.logout()
    sign_in(client, approver)
    assert client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).status_code == 200
    response = client.post(approve_url, {"comment": "確認しました"})
    assert response.status_code in {200, 302}, response.status_code
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    page.refresh_from_db()
    assert not page.live  # approved, but its time has not come
    assert page.get_latest_revision().approved_go_live_at is not None

    anonymous = Client()
    assert anonymous.get("/kasama/kenko/influenza/").status_code == 404
    tasks.publish_scheduled()
    page.refresh_from_db()
    assert not page.live

    # At its time, the scheduled step publishes it.
    later = go_live + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    tasks.publish_scheduled()
    monkeypatch.undo()
    page.refresh_from_db()
    assert page.live
    response = anonymous.get("/kasama/kenko/influenza/")
    assert response.status_code == 200
    assert "インフルエンザ予防接種のお知らせ" in response.content.decode()


def test_the_scheduled_step_is_a_task(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(tasks, "call_command", lambda name, **kwargs: calls.append(name))
    assert tasks.enqueue_publish_scheduled()
    tasks.publish_scheduled_task.call()
    assert set(calls) == {"publish_scheduled"}


# --- Translation with wagtail-localize -----------------------------------------------


def test_editor_translates_a_page_into_english_with_wagtail_localize(
    client: Client, kasama: Municipality, section: SectionPage, welfare: Department
) -> None:
    editor = staff(kasama, welfare, Role.MUNICIPAL_ADMIN)
    page = ContentPage(title="予防接種", slug="yobo", locale=section.locale, lead="予防接種の案内です。")
    section.add_child(instance=page)
    publish(page)
    english = Locale.objects.get(language_code="en")
    sign_in(client, editor)

    # The page editor offers the translate action …
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert edit.status_code == 200
    submit_url = reverse("wagtail_localize:submit_page_translation", args=(page.pk,))
    assert submit_url in edit.content.decode()
    # … which asks for the languages and creates the English page (its parents exist).
    assert client.get(submit_url).status_code == 200
    response = client.post(submit_url, {"locales": [english.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    translated = ContentPage.objects.get(translation_key=page.translation_key, locale=english)
    assert translated.get_parent().specific.translation_key == section.translation_key

    # The translation editor opens (wagtail-localize's own edit view for the page).
    response = client.get(reverse("wagtailadmin_pages:edit", args=(translated.pk,)))
    assert response.status_code == 200
    assert "wagtail-localize" in response.content.decode() or "localize" in response.content.decode()


# --- Images, documents, redirects, slugs, languages -----------------------------------


def test_reserved_slugs_below_the_home_page(home: MunicipalityHomePage, section: SectionPage) -> None:
    for slug in ("search", "feedback", "opendata", "procedures", "payments", "facilities"):
        with pytest.raises(ValidationError):
            check_slug(slug, home)
    check_slug("search", section)  # deeper down the name is free
    check_slug("kurashi", home)

    class Checked(ReservedSlugMixin):
        def __init__(self, slug: str, parent: Page) -> None:
            self.slug = slug
            self._intended_parent = parent

    class Base:
        def clean(self) -> None:
            pass

    Checked.__bases__ = (ReservedSlugMixin, Base)
    with pytest.raises(ValidationError):
        Checked("search", home).clean()


def test_content_languages(settings: Any) -> None:
    assert [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES] == ["ja", "en"]
    assert {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES} <= {code for code, _name in settings.LANGUAGES}


# --- Images need a text alternative ----------------------------------------------------


def _png() -> bytes:
    """A 1×1 PNG (Wagtail reads the upload's dimensions)."""
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (1, 1), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("description", ["", "   "])
def test_the_image_form_refuses_an_image_without_alt_text(description: str, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path  # the accepted upload is stored
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.images import get_image_model
    from wagtail.images.forms import get_image_form
    from wagtail.models import Collection

    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    form_class = get_image_form(get_image_model())

    def form(alt: str) -> Any:
        upload = SimpleUploadedFile("romon.png", _png(), content_type="image/png")
        data = {"title": "楼門", "description": alt, "collection": root.pk, "tags": ""}
        return form_class(data=data, files={"file": upload})

    refused = form(description)
    assert not refused.is_valid()
    assert refused.errors["description"] == ["代替テキストを入力してください。画像の内容を短く書きます。"]
    assert str(refused.fields["description"].label) == "代替テキスト"

    accepted = form("笠間稲荷神社の楼門")
    assert accepted.is_valid(), accepted.errors
    image = accepted.save()
    assert image.description == "笠間稲荷神社の楼門"


# --- Document links say the file's type and size --------------------------------------


@pytest.fixture
def form_pdf(settings: Any, tmp_path: Any) -> Any:
    """A 120KB PDF in the console's documents."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    settings.MEDIA_ROOT = tmp_path
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    document = get_document_model()(title="児童手当認定請求書", collection=root)
    document.file.save("jidoteate.pdf", ContentFile(b"%PDF-1.4\n" + b"0" * (120 * 1024 - 9)), save=False)
    document.save()
    return document


def test_a_document_link_in_rich_text_says_type_and_size_in_its_text(form_pdf: Any) -> None:
    from django.template import Context, Template
    from wagtail.rich_text import RichText

    source = f'<p><a linktype="document" id="{form_pdf.pk}">申請書</a>をご利用ください。</p>'
    for html in (
        Template("{% load wagtailcore_tags %}{{ body|richtext }}").render(Context({"body": source})),
        str(RichText(source).__html__()),
    ):
        assert 'class="document-link" data-file-info="PDF 120KB"' in html
        # Real text inside the link: seen, read aloud as part of its name, printed.
        assert '>申請書<span class="document-link__info">（PDF 120KB）</span></a>をご利用ください。' in html
        assert html.count("document-link__info") == 1
    with translation.override("en"):
        html = Template("{% load wagtailcore_tags %}{{ body|richtext }}").render(Context({"body": source}))
    assert '申請書<span class="document-link__info"> (PDF 120KB)</span></a>' in html


def test_a_published_page_shows_the_document_info_to_readers(
    client: Client, section: SectionPage, form_pdf: Any
) -> None:
    page = ContentPage(
        title="児童手当",
        slug="jidoteate",
        locale=section.locale,
        body=f'<p><a linktype="document" id="{form_pdf.pk}">認定請求書</a></p>',
    )
    section.add_child(instance=page)
    publish(page)
    body = client.get(page.url).content.decode()
    assert '認定請求書<span class="document-link__info">（PDF 120KB）</span></a>' in body


# --- Redirects when a page moves or changes its address ---------------------------------


# Wagtail creates the redirect when the slug change is committed (transaction.on_commit).
@pytest.mark.django_db(transaction=True)
def test_a_renamed_or_moved_page_leaves_a_working_redirect_from_its_old_address(client: Client, settings: Any) -> None:
    from wagtail.contrib.redirects.models import Redirect

    from madoguchi.core import services as core_services

    kasama = core_services.create_municipality(
        code="082163", name_ja="笠間市", name_kana="かさまし", name_en="Kasama City", slug="kasama", prefecture="08"
    )
    home = home_page_for(kasama, "ja")
    assert home is not None
    kurashi = publish(home.add_child(instance=SectionPage(title="くらし", slug="kurashi", locale=home.locale)))
    kankyo = publish(home.add_child(instance=SectionPage(title="環境", slug="kankyo", locale=home.locale)))
    page = publish(kurashi.add_child(instance=ContentPage(title="ごみの出し方", slug="gomi", locale=home.locale)))
    assert page.url == "/kasama/kurashi/gomi/"

    # A new slug, published.
    page.slug = "gomi-dashikata"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.url == "/kasama/kurashi/gomi-dashikata/"
    redirect = Redirect.objects.get(old_path="/kasama/kurashi/gomi")
    assert redirect.redirect_page_id == page.pk
    assert redirect.is_permanent
    response = client.get("/kasama/kurashi/gomi/")
    assert (response.status_code, response["Location"]) == (301, "/kasama/kurashi/gomi-dashikata/")
    assert client.get(response["Location"]).status_code == 200

    # Moved to another section: both old addresses lead to the new one.
    page.move(kankyo, pos="last-child")
    page.refresh_from_db()
    assert page.url == "/kasama/kankyo/gomi-dashikata/"
    for old in ("/kasama/kurashi/gomi-dashikata/", "/kasama/kurashi/gomi/", "/kasama/kurashi/gomi-dashikata"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/kasama/kankyo/gomi-dashikata/"), old
    assert client.get("/kasama/kankyo/gomi-dashikata/").status_code == 200

    # The English page's address has the language prefix: its redirect too.
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english = publish(english)
    before = english.url
    assert before.startswith("/en/kasama/")
    english.slug = "rubbish"
    english.save_revision().publish()
    english.refresh_from_db()
    response = client.get(before)
    assert (response.status_code, response["Location"]) == (301, english.url)
    assert english.url.endswith("/rubbish/")

    # A municipality on its own host name: /kurashi/gomi/ there is /kasama/kurashi/gomi/.
    settings.ALLOWED_HOSTS = ["www.city.kasama.example", "testserver"]
    core_services.update_municipality(kasama, host_names=["www.city.kasama.example"])
    response = client.get("/kurashi/gomi/", HTTP_HOST="www.city.kasama.example")
    assert (response.status_code, response["Location"]) == (301, "/kasama/kankyo/gomi-dashikata/")
    assert client.get(response["Location"], HTTP_HOST="www.city.kasama.example").status_code == 200
