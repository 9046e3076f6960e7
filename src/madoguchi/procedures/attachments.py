"""Attachments (添付書類) of submissions: checked by what they contain, not by their name.

An uploaded file is accepted only when

- it is no larger than the field's `max_size_mb` and the deployment's
  `PROCEDURE_ATTACHMENT_MAX_BYTES` (the smaller counts);
- its first bytes (`filetype`'s magic numbers) say it is a kind the field accepts
  (`accept`: pdf, jpeg, png, heic) — the name's extension is never trusted: an
  executable named ``scan.pdf`` is refused, a PNG named ``scan.pdf`` is a PNG (kept as
  one when the field accepts PNG, refused otherwise);
- it opens as what it claims to be: images pass Pillow's `verify()`, PDFs open with
  pypdf, have a page and no password (staff could not read them).

Accepted files are stored in the private storage (`STORAGES["private"]`) under a random
name, as `Attachment` rows with their SHA-256; the submission's data holds, for a file
field, the list of ``{"attachment": id, "name": …, "sha256": …, "size": …}`` (see
`procedures.formdef`). A file replaced by another keeps its row, marked superseded.

Staff download through the inbox, which calls `response_for()`; the applicant through
the `procedures:attachment` view. Both record the read in the audit log.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import formdef
from .models import Attachment, Submission
from .services.common import ProcedureError

MB = 1024 * 1024
#: The extension a stored file's name gets from its content.
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}
#: How the kinds are named to applicants in messages.
KIND_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "heic": "HEIC"}


@dataclass(frozen=True)
class Checked:
    """What an upload turned out to be."""

    kind: str  # a key of formdef.FILE_KINDS
    content_type: str
    size: int
    sha256: str
    name: str  # the applicant's name with the extension of what it really is


def max_bytes(field: formdef.Field) -> int:
    """The largest file the field takes: its own limit, within the deployment's."""
    return min(field.max_size_mb * MB, int(settings.PROCEDURE_ATTACHMENT_MAX_BYTES))


def accepted_names(field: formdef.Field) -> str:
    return "、".join(KIND_NAMES.get(kind, kind.upper()) for kind in field.accept)


def _size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f}MB"
    return f"{max(1, size // 1024)}KB"


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return data


def _kind_of(content_type: str) -> str:
    for kind, mime in formdef.FILE_KINDS.items():
        if mime == content_type:
            return kind
    return ""


def _opens(kind: str, data: bytes) -> bool:
    """Whether the file opens as what its first bytes say it is."""
    if kind in ("jpeg", "png"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
            return False
        return True
    if kind == "pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                return False
            return len(reader.pages) > 0
        except (PyPdfError, ValueError, KeyError, TypeError, OSError):
            return False
    # HEIC: no decoder here; the magic number is all that is checked.
    return True


def check(upload: UploadedFile, field: formdef.Field) -> Checked:
    """Check one upload for `field`; raises ProcedureError with a message for the
    applicant (code "too_large", "empty", "wrong_kind" or "broken")."""
    name = PurePath(str(upload.name or "file")).name[:200] or "file"
    limit = max_bytes(field)
    if upload.size is not None and upload.size > limit:
        raise ProcedureError(
            _("「%(name)s」は大きすぎます（%(size)s）。%(limit)sMBまでのファイルを添付してください。")
            % {"name": name, "size": _size_text(upload.size), "limit": limit // MB},
            code="too_large",
        )
    data = _read(upload)
    if len(data) > limit:
        raise ProcedureError(
            _("「%(name)s」は大きすぎます（%(size)s）。%(limit)sMBまでのファイルを添付してください。")
            % {"name": name, "size": _size_text(len(data)), "limit": limit // MB},
            code="too_large",
        )
    if not data:
        raise ProcedureError(_("「%(name)s」は空のファイルです。") % {"name": name}, code="empty")
    guessed = filetype.guess(data[:8192])
    content_type = guessed.mime if guessed is not None else ""
    kind = _kind_of(content_type)
    if not kind or kind not in field.accept:
        raise ProcedureError(
            _("「%(name)s」は受け付けられない種類のファイルです。%(kinds)s のファイルを添付してください。")
            % {"name": name, "kinds": accepted_names(field)},
            code="wrong_kind",
        )
    if not _opens(kind, data):
        raise ProcedureError(
            _("「%(name)s」は壊れているか、パスワードで保護されていて開けません。別のファイルを添付してください。")
            % {"name": name},
            code="broken",
        )
    stem = PurePath(name).stem or "file"
    return Checked(
        kind=kind,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        name=f"{stem}.{EXTENSIONS[content_type]}",
    )


def store(submission: Submission, field: formdef.Field, upload: UploadedFile) -> dict[str, Any]:
    """Check and keep one upload of `field`; returns the value item for the data."""
    checked = check(upload, field)
    upload.seek(0)
    attachment = Attachment(
        municipality_id=submission.municipality_id,
        submission=submission,
        field_key=field.key,
        original_name=PurePath(str(upload.name or "")).name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    return {"attachment": attachment.pk, "name": checked.name, "sha256": checked.sha256, "size": checked.size}


def store_all(
    submission: Submission, field: formdef.Field, uploads: Sequence[UploadedFile]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check and keep every upload of a field: (the items kept, the messages of those
    refused). One bad file does not lose the others."""
    items: list[dict[str, Any]] = []
    errors: list[str] = []
    for upload in uploads:
        try:
            items.append(store(submission, field, upload))
        except ProcedureError as exc:
            errors.extend(exc.messages)
    return items, errors


def supersede(submission: Submission, field_key: str, keep: Iterable[Any]) -> int:
    """Mark the field's attachments not in `keep` (ids) superseded; returns how many.
    Their rows and files stay as the record of what was sent before."""
    keep_ids = {int(k) for k in keep if str(k).isdigit()}
    return (
        Attachment.objects.filter(submission=submission, field_key=field_key, superseded_at__isnull=True)
        .exclude(pk__in=keep_ids)
        .update(superseded_at=timezone.now())
    )


def sync(submission: Submission, definition: formdef.FormDefinition, data: dict[str, Any]) -> None:
    """Supersede every attachment the data no longer names (a file replaced, a field
    no longer shown)."""
    for f in definition.fields:
        if f.type != "file":
            continue
        items = (data.get(f.key) or []) if definition.is_visible(f, data) else []
        supersede(submission, f.key, [item.get("attachment") for item in items if isinstance(item, dict)])


def current(submission: Submission) -> list[Attachment]:
    return list(Attachment.objects.filter(submission=submission, superseded_at__isnull=True))


def response_for(attachment: Attachment) -> FileResponse:
    """The file as a download, with the type its content was checked to be and a name
    that comes from that type. Callers check who may have it and record the read
    (`services.common.audit_read(..., what="attachment")`) before calling."""
    name = f"{PurePath(attachment.original_name).stem or 'file'}.{EXTENSIONS.get(attachment.content_type, 'bin')}"
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
