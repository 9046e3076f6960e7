"""The sign page and the demo signing app through the test client: only the applicant
of the draft may sign; downloading the XML, signing it outside and uploading it; the
round trip through /signing-sandbox/ with CSRF enforced; refusals keep the draft."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.audit.models import AuditEntry
from madoguchi.procedures import signing_views, xmlsig
from madoguchi.procedures.models import SignatureEvidence, SignatureResult, Submission, SubmissionStatus
from madoguchi.procedures.services import signatures
from madoguchi.procedures.signers import sandbox
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .signature_helpers import *  # noqa: F403 - the fixtures
from .signature_helpers import signed_with

pytestmark = pytest.mark.django_db


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no field {name}"
    return match.group(1)


def test_only_the_applicant_opens_the_sign_page(client: Client, draft: Submission, demo_ca: Path) -> None:
    url = signing_views.sign_url(draft)
    assert client.get(url).status_code == 302  # to sign in
    sign_in(client, UserFactory.create())
    assert client.get(url).status_code == 404
    assert client.post(url, {"provider": "sandbox", "signed_xml": ""}).status_code == 404

    sign_in(client, draft.applicant)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "署名する内容" in html
    assert "笠間 花子" in html
    assert "デモ用の署名アプリで署名する" in html
    assert xmlsig.data_digest(draft) in html
    assert AuditEntry.objects.filter(object_id=str(draft.pk), extra__what="sign", personal_data=True).exists()


def test_the_demo_app_is_not_offered_when_switched_off(
    client: Client, draft: Submission, demo_ca: Path, settings: Any
) -> None:
    settings.SIGNING_SANDBOX = False
    sign_in(client, draft.applicant)
    html = client.get(signing_views.sign_url(draft)).content.decode()
    assert "デモ用の署名アプリで署名する" not in html
    response = client.post(signing_views.sign_url(draft), {"provider": "sandbox", "signed_xml": "eA=="})
    assert "署名の方法を選んでください" in response.content.decode()


def test_download_sign_outside_and_upload(client: Client, draft: Submission, demo_ca: Path) -> None:
    sign_in(client, draft.applicant)
    url = signing_views.sign_url(draft)
    download = client.get(url, {"download": "1"})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/xml")
    assert "attachment" in download["Content-Disposition"]
    assert download.content == xmlsig.canonical_xml(draft)

    from madoguchi.procedures import democa

    key, cert = democa.load_signer("hanako", demo_ca)
    signed = xmlsig.sign(download.content, key, cert)
    response = client.post(
        url, {"provider": "upload", "signed_file": SimpleUploadedFile("signed.xml", signed, "application/xml")}
    )
    assert response.status_code == 302
    assert response["Location"] == signing_views.confirm_url(draft)
    assert signatures.has_valid_signature(draft)
    assert SignatureEvidence.objects.get(submission=draft).provider == "upload"


def test_a_refused_upload_shows_why_and_keeps_the_draft(client: Client, draft: Submission, demo_ca: Path) -> None:
    sign_in(client, draft.applicant)
    before = dict(draft.data)
    response = client.post(
        signing_views.sign_url(draft),
        {
            "provider": "upload",
            "signed_file": SimpleUploadedFile("s.xml", signed_with(draft, "hanako-expired", demo_ca), "text/xml"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "電子証明書の有効期間が過ぎています" in html
    assert "もう一度署名してください" in html
    draft.refresh_from_db()
    assert draft.data == before
    assert draft.status == SubmissionStatus.DRAFT
    assert SignatureEvidence.objects.get(submission=draft).result == SignatureResult.REFUSED

    # No file chosen: a form error, no evidence.
    response = client.post(signing_views.sign_url(draft), {"provider": "upload"})
    assert "署名したファイルを選んでください" in response.content.decode()
    assert SignatureEvidence.objects.filter(submission=draft).count() == 1


def test_a_sent_submission_is_not_signed_here(client: Client, draft: Submission, demo_ca: Path) -> None:
    Submission.objects.filter(pk=draft.pk).update(status=SubmissionStatus.RECEIVED, number="2026-000001")
    sign_in(client, draft.applicant)
    response = client.get(signing_views.sign_url(draft))
    assert response.status_code == 302


def _sandbox_url(client: Client, submission: Submission) -> str:
    response = client.get(signing_views.sign_url(submission))
    url: str = response.context["sandbox_url"]
    assert url.startswith("/signing-sandbox/?request=")
    return url


def test_the_demo_signing_app_round_trip_with_csrf_enforced(draft: Submission, demo_ca: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in(client, draft.applicant)
    start = _sandbox_url(client, draft)
    page = client.get(start)
    assert page.status_code == 200
    html = page.content.decode()
    assert "署名に使う電子証明書" in html
    assert "hanako-revoked" in html
    token = parse_qs(urlsplit(start).query)["request"][0]

    # A wrong PIN is refused and nothing is signed.
    wrong = client.post(
        "/signing-sandbox/",
        {"csrfmiddlewaretoken": _csrf(html), "request": token, "certificate": "hanako", "pin": "0000"},
    )
    assert wrong.status_code == 200
    assert "暗証番号（署名用パスワード）が違います" in wrong.content.decode()
    assert "signed_xml" not in wrong.content.decode()

    signed_page = client.post(
        "/signing-sandbox/",
        {"csrfmiddlewaretoken": _csrf(html), "request": token, "certificate": "hanako", "pin": "1234"},
    )
    assert signed_page.status_code == 200
    signed_html = signed_page.content.decode()
    assert AuditEntry.objects.filter(object_id=str(draft.pk), extra__what="signing_sandbox").exists()
    assert f'action="{signing_views.sign_url(draft)}"' in signed_html

    # The app's form posts back to the sign page on the same site, with the session's token.
    back = client.post(
        signing_views.sign_url(draft),
        {
            "csrfmiddlewaretoken": _csrf(signed_html),
            "provider": _field(signed_html, "provider"),
            "signed_xml": _field(signed_html, "signed_xml"),
        },
    )
    assert back.status_code == 302
    assert back["Location"] == signing_views.confirm_url(draft)
    assert signatures.has_valid_signature(draft)
    evidence = SignatureEvidence.objects.get(submission=draft)
    assert evidence.provider == "sandbox"
    assert evidence.result == SignatureResult.ACCEPTED

    # Without the token the post is refused by CSRF protection.
    forged = Client(enforce_csrf_checks=True)
    sign_in(forged, draft.applicant)
    assert forged.post(signing_views.sign_url(draft), {"provider": "sandbox", "signed_xml": "eA=="}).status_code == 403


def test_the_demo_app_with_a_revoked_certificate_returns_the_refusal(
    client: Client, draft: Submission, demo_ca: Path
) -> None:
    sign_in(client, draft.applicant)
    token = parse_qs(urlsplit(_sandbox_url(client, draft)).query)["request"][0]
    signed_page = client.post("/signing-sandbox/", {"request": token, "certificate": "hanako-revoked", "pin": "1234"})
    html = signed_page.content.decode()
    back = client.post(signing_views.sign_url(draft), {"provider": "sandbox", "signed_xml": _field(html, "signed_xml")})
    assert back.status_code == 200
    assert "電子証明書は失効しています" in back.content.decode()
    assert not signatures.has_valid_signature(draft)


def test_the_demo_app_refuses_requests_it_cannot_trust(
    client: Client, draft: Submission, demo_ca: Path, applicant: User
) -> None:
    sign_in(client, draft.applicant)
    token = parse_qs(urlsplit(_sandbox_url(client, draft)).query)["request"][0]
    # Altered.
    assert client.get("/signing-sandbox/", {"request": token[:-2] + "xx"}).status_code == 400
    # Another person's.
    other = Client()
    sign_in(other, UserFactory.create())
    assert other.get("/signing-sandbox/", {"request": token}).status_code == 403
    # The answers changed after the request was made.
    draft.data = {**draft.data, "copies": 4}
    draft.save()
    stale = client.get("/signing-sandbox/", {"request": token})
    assert stale.status_code == 400
    assert "申請内容が変更されました" in stale.content.decode()
    # A return URL to another site is never followed.
    evil = sandbox.make_request(
        public_id=str(draft.public_id),
        municipality_id=draft.municipality_id,
        digest=xmlsig.data_digest(draft),
        user_id=applicant.pk,
        return_url="https://evil.example/steal",
    )
    assert client.get("/signing-sandbox/", {"request": evil}).status_code == 404


def test_the_demo_app_in_english(client: Client, draft: Submission, demo_ca: Path) -> None:
    sign_in(client, draft.applicant)
    token = parse_qs(urlsplit(_sandbox_url(client, draft)).query)["request"][0]
    response = client.get("/signing-sandbox/", {"request": token, "lang": "en"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
