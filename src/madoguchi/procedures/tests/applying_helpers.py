"""Shared helpers of the applying tests: procedures with a published form, the POST
data of the sample form's steps, and files to attach."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from PIL import Image

from madoguchi.core.models import Municipality
from madoguchi.procedures.models import FeeTiming, IdentityLevel, Procedure, Submission

from .factories import FormVersionFactory, ProcedureFactory


def make_procedure(
    municipality: Municipality, *, identity_level: str = IdentityLevel.ACCOUNT, **kwargs: Any
) -> Procedure:
    """A published procedure (no signature unless asked) with the sample form."""
    kwargs.setdefault("fee_timing", FeeTiming.NONE)
    procedure: Procedure = ProcedureFactory.create(municipality=municipality, identity_level=identity_level, **kwargs)
    FormVersionFactory.create(procedure=procedure, number=1)
    return procedure


def url(name: str, municipality: Municipality, **kwargs: Any) -> str:
    return reverse(f"procedures:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


STEP1: dict[str, str] = {
    "name": "笠間 花子",
    "name_kana": "かさま はなこ",
    "email": "hanako@example.jp",
    "postal_code": "309-1792",
    "address": "茨城県笠間市中央三丁目2番1号",
    "action": "next",
}
STEP2: dict[str, str] = {"scope": "all", "copies": "2", "agree": "on", "action": "next"}


def start(client: Client, procedure: Procedure) -> Submission:
    """Start (or resume) the application through the page and return the draft."""
    response = client.post(url("apply", procedure.municipality, slug=procedure.slug))
    assert response.status_code == 302, response.status_code
    public_id = response["Location"].split("/apply/")[1].split("/")[0]
    return Submission.objects.get(public_id=public_id)


def step_url(submission: Submission, index: int) -> str:
    return url("step", submission.municipality, public_id=submission.public_id, index=index)


def fill(client: Client, submission: Submission, **step2: Any) -> None:
    """Fill both steps of the sample form."""
    response = client.post(step_url(submission, 1), STEP1)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(step_url(submission, 2), {**STEP2, **step2})
    assert response.status_code == 302, response.content.decode()[:2000]


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "identity document")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


#: The first bytes of a Windows executable (MZ header, PE signature) and some padding.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x00" * 400
)
