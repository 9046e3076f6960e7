"""Signing an application (公的個人認証) in Chromium: a resident with a draft of a
procedure that requires an electronic signature opens the sign page, goes to the demo
signing app, picks their certificate, types the PIN with the keyboard (a wrong one
first) and comes back signed to the confirmation page. Then the other way: download the
XML, sign it outside (here with xmlsig.sign, as JPKI software would), upload it — an
expired certificate first, refused with its reason, then a valid one. Every page on
the way (the demo app's too) is checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures import democa, signing_views, xmlsig
from madoguchi.procedures.models import SignatureEvidence, SignatureResult, Submission
from madoguchi.procedures.services import signatures
from madoguchi.procedures.tests.signature_helpers import *  # noqa: F403 - the demo CA fixtures
from madoguchi.procedures.tests.signature_helpers import make_draft
from madoguchi.testing.factories import UserFactory

from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _resident_with_draft(kasama: Municipality) -> tuple[User, Submission]:
    resident: User = UserFactory.create(email="hanako@resident.example", family_name="山田", given_name="花子")
    draft = make_draft(resident, form_version__procedure__municipality=kasama)
    return resident, draft


def test_resident_signs_with_the_demo_signing_app(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality, demo_ca: Path
) -> None:
    resident, draft = _resident_with_draft(kasama)
    sign_in(context, base_url, resident)

    page.goto(base_url + signing_views.sign_url(draft))
    expect(page.get_by_role("heading", level=1)).to_contain_text("電子署名")
    expect(page.get_by_role("heading", name="署名する内容")).to_be_visible()
    page.get_by_role("link", name="デモ用の署名アプリで署名する").click()

    # The demo signing app (outside the municipality's pages).
    expect(page).to_have_url(re.compile(r"/signing-sandbox/\?request="))
    expect(page.get_by_role("heading", level=1)).to_have_text("電子署名")
    certificate = page.get_by_label("山田 花子（hanako）", exact=True)
    certificate.focus()
    page.keyboard.press("Space")
    expect(certificate).to_be_checked()
    pin = page.get_by_label("暗証番号（署名用パスワード）")
    pin.focus()
    page.keyboard.type("9999")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("暗証番号（署名用パスワード）が違います")
    assert not SignatureEvidence.objects.filter(submission=draft).exists()

    page.get_by_label("山田 花子（hanako）", exact=True).check()
    page.get_by_label("暗証番号（署名用パスワード）").focus()
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("署名しました")
    page.get_by_role("button", name="署名を申請先に送る").click()

    # Back on the municipality's site: the confirmation page, signed.
    page.wait_for_url(base_url + signing_views.confirm_url(draft))
    expect(page.get_by_text("申請内容への電子署名を確認しました。")).to_be_visible()
    evidence = SignatureEvidence.objects.get(submission=draft)
    assert evidence.result == SignatureResult.ACCEPTED
    assert evidence.provider == "sandbox"
    assert signatures.has_valid_signature(Submission.objects.get(pk=draft.pk))


def test_resident_downloads_signs_outside_and_uploads(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality, demo_ca: Path, tmp_path: Path
) -> None:
    resident, draft = _resident_with_draft(kasama)
    sign_in(context, base_url, resident)
    page.goto(base_url + signing_views.sign_url(draft))

    with page.expect_download() as download_info:
        page.get_by_role("link", name="署名する申請データ（XML）をダウンロードする").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded == xmlsig.canonical_xml(draft)

    # The resident's JPKI software, played by the test: first with an expired certificate.
    expired_key, expired_cert = democa.load_signer("hanako-expired", demo_ca)
    (tmp_path / "expired.xml").write_bytes(xmlsig.sign(downloaded, expired_key, expired_cert))
    page.get_by_label("署名済みのファイル（XML）").set_input_files(str(tmp_path / "expired.xml"))
    page.get_by_role("button", name="署名済みのファイルを送信する").click()
    expect(page.get_by_role("alert")).to_contain_text("電子証明書の有効期間が過ぎています")

    key, cert = democa.load_signer("hanako", demo_ca)
    (tmp_path / "signed.xml").write_bytes(xmlsig.sign(downloaded, key, cert))
    page.get_by_label("署名済みのファイル（XML）").set_input_files(str(tmp_path / "signed.xml"))
    page.get_by_role("button", name="署名済みのファイルを送信する").click()
    page.wait_for_url(base_url + signing_views.confirm_url(draft))
    expect(page.get_by_text("申請内容への電子署名を確認しました。")).to_be_visible()
    results = list(SignatureEvidence.objects.filter(submission=draft).order_by("pk").values_list("result", flat=True))
    assert results == [SignatureResult.REFUSED, SignatureResult.ACCEPTED]


def test_the_sign_page_and_the_demo_app_on_a_phone(
    phone_page: Page, base_url: str, kasama: Municipality, demo_ca: Path
) -> None:
    resident, draft = _resident_with_draft(kasama)
    sign_in(phone_page.context, base_url, resident)
    phone_page.goto(base_url + signing_views.sign_url(draft))
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("電子署名")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 320
    phone_page.get_by_role("link", name="デモ用の署名アプリで署名する").click()
    expect(phone_page.get_by_label("暗証番号（署名用パスワード）")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
