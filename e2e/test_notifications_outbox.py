"""The outbox (送信メッセージ) in the staff console, as an officer uses it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from madoguchi.accounts.models import Role
from madoguchi.core.models import Municipality
from madoguchi.notifications import services
from madoguchi.notifications.models import MessageStatus, OutboundMessage
from madoguchi.testing.factories import UserFactory, make_staff

from .sessions import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_reads_and_resends_a_failed_message(
    page: Page, context: BrowserContext, base_url: str, kasama: Municipality
) -> None:
    resident = UserFactory(email="hanako@example.jp", family_name="笠間", given_name="花子")
    message = services.notify(resident, "account/login_code", {}, municipality=kasama, secrets={"code": "482913"})
    OutboundMessage.unscoped.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    sign_in(context, base_url, make_staff(kasama, Role.OFFICER))

    page.goto(f"{base_url}/staff/outbox/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("送信メッセージ")
    row = page.get_by_role("row").filter(has_text="ha…@example.jp")
    expect(row).to_contain_text("送信失敗")
    row.get_by_role("link", name=re.compile("サインイン用のコード")).click()

    expect(page.get_by_text("hanako@example.jp")).to_be_visible()
    expect(page.get_by_text("SMTPServerDisconnected", exact=False)).to_be_visible()
    expect(page.locator("pre").first).to_contain_text("本人だけが使える情報のため表示しません")
    expect(page.locator("body")).not_to_contain_text("482913")

    page.get_by_role("button", name="再送する").click()
    expect(page.get_by_text("再送の予約をしました。")).to_be_visible()
    message.refresh_from_db()
    assert message.status in (MessageStatus.QUEUED, MessageStatus.SENT)
    assert message.attempts <= 1
