"""The 様式 screens of the staff console through the Django test client: who may use
them, tenant and department isolation, saving a draft (a bad definition shows its
problems and is not saved), the preview, publishing, and the catalog screens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Role, User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Department, Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.procedures.models import FormVersion, Procedure, ProcedureCategory
from madoguchi.procedures.services import forms as form_services
from madoguchi.testing.factories import DepartmentFactory, make_staff
from madoguchi.testing.tenancy import sign_in

from .factories import FormVersionFactory, ProcedureFactory, sample_definition
from .forms_helpers import editor_data

pytestmark = pytest.mark.django_db


def staff(municipality: Municipality, department: Department, *roles: str) -> User:
    user = make_staff(municipality, *roles)
    user.staff_profile.department = department
    user.staff_profile.save()
    return User.objects.get(pk=user.pk)


@pytest.fixture
def procedure(kasama: Municipality) -> Procedure:
    procedure = ProcedureFactory.create(municipality=kasama, name_ja="住民票の写し交付請求")
    FormVersionFactory.create(procedure=procedure, number=1)
    return procedure


@pytest.fixture
def head(kasama: Municipality, procedure: Procedure) -> User:
    return staff(kasama, procedure.department, Role.DEPARTMENT_HEAD)


def signed_in(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def urls(procedure: Procedure) -> dict[str, str]:
    return {
        name: reverse(f"procedures-catalog:{name}", args=[procedure.pk])
        for name in ("edit", "form", "form_draft", "form_edit", "form_preview")
    }


def refused(response: Any) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to the console's home."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/staff/")


def versions_of(procedure: Procedure) -> list[FormVersion]:
    return form_services.versions(procedure)


def test_an_officer_cannot_open_the_form_screens(client: Client, kasama: Municipality, procedure: Procedure) -> None:
    officer = staff(kasama, procedure.department, Role.OFFICER, Role.APPROVER)
    signed_in(client, officer)
    for url in urls(procedure).values():
        assert refused(client.get(url)), url
    assert refused(client.post(urls(procedure)["form_draft"]))
    assert refused(client.get("/staff/procedures/catalog/"))
    assert len(versions_of(procedure)) == 1


def test_another_municipality_cannot_reach_the_procedure(
    client: Client, mito: Municipality, procedure: Procedure
) -> None:
    other_head = staff(mito, DepartmentFactory.create(municipality=mito), Role.MUNICIPAL_ADMIN)
    signed_in(client, other_head)
    for name in ("edit", "form", "form_edit", "form_preview"):
        assert client.get(urls(procedure)[name]).status_code == 404, name
    assert client.post(urls(procedure)["form_draft"]).status_code == 404
    assert len(versions_of(procedure)) == 1
    listing = client.get("/staff/procedures/catalog/")
    assert listing.status_code == 200
    assert "住民票の写し交付請求" not in listing.content.decode()


def test_a_head_of_another_department_cannot_change_the_form(
    client: Client, kasama: Municipality, procedure: Procedure
) -> None:
    other = staff(kasama, DepartmentFactory.create(municipality=kasama), Role.DEPARTMENT_HEAD)
    signed_in(client, other)
    assert refused(client.get(urls(procedure)["form"]))
    assert refused(client.post(urls(procedure)["form_draft"]))
    assert "住民票の写し交付請求" not in client.get("/staff/procedures/catalog/").content.decode()
    # An administrator sees every department's.
    admin = staff(kasama, DepartmentFactory.create(municipality=kasama), Role.MUNICIPAL_ADMIN)
    signed_in(client, admin)
    assert client.get(urls(procedure)["form"]).status_code == 200


def test_draft_edit_and_publish(client: Client, head: User, procedure: Procedure) -> None:
    signed_in(client, head)
    u = urls(procedure)
    page = client.get(u["form"])
    assert page.status_code == 200
    assert "新しい版の下書きを作る" in page.content.decode()
    # The editor without a draft sends to the versions page.
    assert client.get(u["form_edit"]).status_code == 302

    response = client.post(u["form_draft"])
    assert response.status_code == 302
    assert response["Location"] == u["form_edit"]
    client.post(u["form_draft"])  # a second click: still one draft
    drafts = [v for v in versions_of(procedure) if v.is_draft]
    assert [v.number for v in drafts] == [2]
    assert drafts[0].definition == sample_definition()

    editor = client.get(u["form_edit"])
    assert editor.status_code == 200
    body = editor.content.decode()
    assert "第2版（下書き）の編集" in body
    assert 'title="申請フォームのプレビュー"' in body

    definition = sample_definition()
    definition["steps"][0]["fields"][0]["label"] = {"ja": "請求者の氏名", "en": "Requester's name"}
    definition["steps"][1]["fields"].append(
        {"key": "purpose", "type": "text", "label": {"ja": "使用目的", "en": "Purpose"}, "required": True}
    )
    response = client.post(u["form_edit"], editor_data(definition))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = FormVersion.unscoped.get(procedure=procedure, number=2)
    assert draft.definition["steps"][0]["fields"][0]["label"]["ja"] == "請求者の氏名"
    assert draft.definition["steps"][1]["fields"][-1]["key"] == "purpose"
    assert AuditEntry.objects.filter(object_type="procedures.formversion", action="update").exists()

    # Publishing needs a change note; the draft stays a draft without one.
    response = client.post(u["form_edit"], editor_data(definition, action="publish"))
    assert response.status_code == 400
    assert "変更内容を入力してください" in response.content.decode()
    assert FormVersion.unscoped.get(pk=draft.pk).published_at is None

    response = client.post(u["form_edit"], editor_data(definition, action="publish", change_note="使用目的を追加"))
    assert response.status_code == 302
    published = FormVersion.unscoped.get(pk=draft.pk)
    assert published.published_at is not None
    assert published.change_note == "使用目的を追加"
    with municipality_scope(procedure.municipality):
        assert procedure.current_version().number == 2
    listing = client.get(u["form"]).content.decode()
    assert "公開中" in listing
    assert "使用目的を追加" in listing
    # Version 1 is still what it was.
    first = FormVersion.unscoped.get(procedure=procedure, number=1)
    assert first.definition == sample_definition()
    version_page = client.get(reverse("procedures-catalog:form_version", args=[procedure.pk, 1])).content.decode()
    assert "氏名" in version_page
    assert "使用目的" not in version_page


def test_a_bad_definition_shows_its_problems_and_is_not_saved(client: Client, head: User, procedure: Procedure) -> None:
    signed_in(client, head)
    draft = form_services.draft_version(procedure, head)
    u = urls(procedure)
    definition = sample_definition()
    definition["steps"][1]["fields"][1]["show_if"] = {"field": "nothing_here", "equals": "x"}
    definition["steps"][0]["fields"][1]["label"] = {"ja": "", "en": "Kana"}
    response = client.post(u["form_edit"], editor_data(definition))
    assert response.status_code == 400
    body = response.content.decode()
    assert "この内容では保存・公開できません" in body
    assert (
        "段階2「請求の内容」 › 項目2「必要な方の氏名」 › 表示する条件："
        "条件の項目「nothing_here」は、この項目より前にありません。" in body
    )
    assert "段階1「請求者」 › 項目2「Kana」 › 項目名：日本語の表記を入力してください。" in body
    # What was typed is still in the form.
    assert "nothing_here" in body
    assert FormVersion.unscoped.get(pk=draft.pk).definition == sample_definition()
    # The preview endpoint says the same, and keeps nothing.
    preview = client.post(u["form_preview"], editor_data(definition, action="preview"))
    assert preview.json()["ok"] is False
    assert any("nothing_here" in p for p in preview.json()["problems"])


def test_the_preview_shows_the_form_as_residents_will(client: Client, head: User, procedure: Procedure) -> None:
    signed_in(client, head)
    form_services.draft_version(procedure, head)
    u = urls(procedure)
    definition = sample_definition()
    definition["steps"][0]["fields"][0]["label"] = {"ja": "請求者の氏名", "en": "Requester's name"}
    response = client.post(u["form_preview"], editor_data(definition, action="preview"))
    assert response.json()["ok"] is True
    page = client.get(response.json()["url"])
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in page["Content-Security-Policy"]
    body = page.content.decode()
    assert "請求者の氏名" in body
    assert 'name="birth_date_era"' in body  # the 和暦 date of the toolkit
    assert "data-show-if" in body
    english = client.get(response.json()["url"] + "&lang=en").content.decode()
    assert "Requester&#x27;s name" in english or "Requester's name" in english
    # Without JavaScript: the プレビュー button of the editor page.
    response = client.post(u["form_edit"], editor_data(definition, action="preview"))
    assert response.status_code == 200
    assert "プレビューを更新しました。" in response.content.decode()
    # Nothing was saved by previewing.
    draft = form_services.current_draft(procedure)
    assert draft is not None
    assert draft.definition == sample_definition()
    # An old version's preview.
    old = client.get(u["form_preview"] + "?version=1").content.decode()
    assert "請求者の氏名" not in old


def test_published_versions_cannot_be_changed(head: User, procedure: Procedure) -> None:
    from madoguchi.procedures.services.common import ProcedureError

    version = FormVersion.unscoped.get(procedure=procedure, number=1)
    with pytest.raises(ProcedureError) as error:
        form_services.save_draft(version, sample_definition(), head)
    assert error.value.code == "published"
    again = form_services.publish(version, head, "no-op")
    assert again.change_note == version.change_note


def test_catalog_screens_create_and_edit(
    client: Client, kasama: Municipality, head: User, procedure: Procedure
) -> None:
    signed_in(client, head)
    listing = client.get("/staff/procedures/catalog/?q=住民票")
    assert listing.status_code == 200
    assert "住民票の写し交付請求" in listing.content.decode()
    data: dict[str, Any] = {
        "name_ja": "犬の登録",
        "name_en": "Dog registration",
        "slug": "dog-registration",
        "department": str(procedure.department_id),
        "identity_level": "account",
        "availability": "online",
        "fee_timing": "none",
        "retention_days": "1825",
        "retention_action": "delete",
        "sort_order": "0",
        "is_published": "on",
    }
    response = client.post("/staff/procedures/catalog/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Procedure.unscoped.get(municipality=kasama, slug="dog-registration")
    assert AuditEntry.objects.filter(object_type="procedures.procedure", action="create").exists()
    # The same slug again is refused with a message, not an error page.
    response = client.post("/staff/procedures/catalog/new/", data)
    assert response.status_code == 200
    assert "この識別名の手続は既にあります。" in response.content.decode()
    response = client.post(
        reverse("procedures-catalog:edit", args=[created.pk]), {**data, "name_ja": "犬の登録（新規）"}
    )
    assert response.status_code == 302
    assert Procedure.unscoped.get(pk=created.pk).name_ja == "犬の登録（新規）"
    # A PDF is checked by its content.
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("form.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(reverse("procedures-catalog:edit", args=[created.pk]), {**data, "paper_form": fake})
    assert "ファイルの中身がPDFではありません" in response.content.decode()
    # Categories.
    response = client.post(
        "/staff/procedures/categories/new/", {"name_ja": "ペット", "name_en": "Pets", "slug": "pets", "sort_order": "1"}
    )
    assert response.status_code == 302
    assert ProcedureCategory.unscoped.filter(municipality=kasama, slug="pets").exists()
