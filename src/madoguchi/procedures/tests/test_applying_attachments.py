"""Attachments are checked by what they contain, not by their name: a PNG is a PNG
whatever it is called, an executable named .pdf is refused, and so is a file over the
field's or the deployment's size limit. Files are kept privately, replaced files are
marked superseded, and only the applicant downloads them (an audited read)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from madoguchi.accounts.models import User
from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures import attachments, formdef
from madoguchi.procedures.models import Attachment, Submission
from madoguchi.procedures.services.common import ProcedureError
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .applying_helpers import EXE_BYTES, STEP1, STEP2, make_procedure, pdf_bytes, png_bytes, start, step_url, url
from .factories import sample_definition

pytestmark = pytest.mark.django_db


def _field(**overrides: object) -> formdef.Field:
    definition = sample_definition()
    file_field = definition["steps"][1]["fields"][3]
    file_field.update(overrides)
    return formdef.parse(definition).field("id_document")


@pytest.fixture
def resident() -> User:
    user: User = UserFactory.create()
    return user


@pytest.fixture
def client(resident: User) -> Client:
    c = Client()
    sign_in(c, resident)
    return c


@pytest.fixture
def draft(kasama: Municipality, client: Client) -> Submission:
    draft = start(client, make_procedure(kasama))
    assert client.post(step_url(draft, 1), STEP1).status_code == 302
    return draft


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_png_is_accepted_and_stored_privately_with_its_hash(client: Client, draft: Submission) -> None:
    content = png_bytes()
    response = client.post(step_url(draft, 2), {**STEP2, "id_document": _upload("card.png", content, "image/png")})
    assert response.status_code == 302
    draft.refresh_from_db()
    [item] = draft.data["id_document"]
    stored = Attachment.objects.get(pk=item["attachment"])
    import hashlib

    assert item == {
        "attachment": stored.pk,
        "name": "card.png",
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }
    assert stored.content_type == "image/png"
    assert stored.sha256 == item["sha256"]
    assert stored.file.storage.__class__.__name__ == "FileSystemStorage"
    assert "card" not in stored.file.name
    from django.conf import settings

    assert str(settings.PRIVATE_ROOT) in stored.file.path


def test_an_executable_named_pdf_is_refused(client: Client, draft: Submission) -> None:
    response = client.post(
        step_url(draft, 2), {**STEP2, "id_document": _upload("scan.pdf", EXE_BYTES, "application/pdf")}
    )
    assert response.status_code == 400
    assert "受け付けられない種類のファイルです" in response.content.decode()
    assert not Attachment.objects.exists()
    draft.refresh_from_db()
    assert "id_document" not in draft.data
    # What else was typed in the step is kept.
    assert draft.data["copies"] == 2


def test_a_png_named_pdf_is_stored_as_png_or_refused_by_accept() -> None:
    checked = attachments.check(_upload("scan.pdf", png_bytes(), "application/pdf"), _field())
    assert checked.kind == "png"
    assert checked.content_type == "image/png"
    assert checked.name == "scan.png"
    with pytest.raises(ProcedureError) as error:
        attachments.check(_upload("scan.pdf", png_bytes()), _field(accept=["pdf"]))
    assert error.value.code == "wrong_kind"
    assert attachments.check(_upload("x.bin", pdf_bytes()), _field(accept=["pdf"])).kind == "pdf"


def test_a_broken_image_is_refused() -> None:
    broken = png_bytes()[:40]
    with pytest.raises(ProcedureError) as error:
        attachments.check(_upload("card.png", broken), _field())
    assert error.value.code == "broken"


def test_oversized_files_are_refused_by_field_limit_and_deployment_limit(client: Client, draft: Submission) -> None:
    big = png_bytes() + b"\x00" * (1024 * 1024 + 10)
    with pytest.raises(ProcedureError) as error:
        attachments.check(_upload("big.png", big), _field(max_size_mb=1))
    assert error.value.code == "too_large"
    with override_settings(PROCEDURE_ATTACHMENT_MAX_BYTES=1024):
        response = client.post(
            step_url(draft, 2), {**STEP2, "id_document": _upload("card.png", png_bytes((64, 64)) + b"\x00" * 2048)}
        )
    assert response.status_code == 400
    assert "大きすぎます" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_replaced_file_is_superseded(client: Client, draft: Submission) -> None:
    client.post(step_url(draft, 2), {**STEP2, "id_document": _upload("a.png", png_bytes())})
    client.post(step_url(draft, 2), {**STEP2, "id_document": _upload("b.pdf", pdf_bytes())})
    rows = list(Attachment.objects.order_by("pk"))
    assert len(rows) == 2
    assert rows[0].superseded_at is not None
    assert rows[1].superseded_at is None
    draft.refresh_from_db()
    assert [i["name"] for i in draft.data["id_document"]] == ["b.pdf"]
    # Going through the step again without a new file keeps the stored one.
    assert client.post(step_url(draft, 2), STEP2).status_code == 302
    draft.refresh_from_db()
    assert [i["name"] for i in draft.data["id_document"]] == ["b.pdf"]


def test_only_the_applicant_downloads_an_attachment_and_it_is_audited(
    kasama: Municipality, client: Client, draft: Submission
) -> None:
    content = png_bytes()
    client.post(step_url(draft, 2), {**STEP2, "id_document": _upload("card.png", content)})
    attachment = Attachment.objects.get()
    link = url("attachment", kasama, public_id=draft.public_id, attachment_id=attachment.pk)
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="card.png"' in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(object_id=str(draft.pk), action="view").latest("pk")
    assert entry.extra["what"] == "attachment"
    assert entry.personal_data
    stranger = Client()
    sign_in(stranger, UserFactory.create())
    assert stranger.get(link).status_code == 404
    assert Client().get(link).status_code == 404


def test_response_for_serves_with_the_checked_type(client: Client, draft: Submission) -> None:
    client.post(step_url(draft, 2), {**STEP2, "id_document": _upload("scan.pdf", png_bytes())})
    attachment = Attachment.objects.get()
    response = attachments.response_for(attachment)
    assert response["Content-Type"] == "image/png"
    assert 'filename="scan.png"' in response["Content-Disposition"]
