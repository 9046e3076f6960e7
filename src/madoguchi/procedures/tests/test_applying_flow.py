"""Applying step by step: who may apply at each identity level, the steps and their
conditions, saving and resuming a draft, and that a draft is reachable only by its
applicant."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, override_settings

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.procedures.models import IdentityLevel, LifeEventCase, Submission, SubmissionStatus
from madoguchi.procedures.services import applying
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .applying_helpers import STEP1, STEP2, make_procedure, start, step_url, url

pytestmark = pytest.mark.django_db

VERIFYING = [
    {
        "id": "digital-auth",
        "name": "デジタル認証アプリ",
        "name_en": "Digital Authentication App",
        "verifies_identity": True,
    },
    {"id": "plain", "name": "ほかの認証", "name_en": "Other", "verifies_identity": False},
]


@pytest.fixture
def resident() -> User:
    user: User = UserFactory.create(email="hanako@resident.example")
    return user


def signed_in(user: User, *, provider: str = "") -> Client:
    client = Client()
    sign_in(client, user)
    if provider:
        session = client.session
        session["account_authentication_methods"] = [{"method": "socialaccount", "provider": provider, "uid": "x"}]
        session.save()
    return client


def test_identity_none_lets_anyone_apply(kasama: Municipality) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.NONE)
    client = Client()
    page = client.get(url("apply", kasama, slug=procedure.slug))
    assert page.status_code == 200
    assert "申請を始める" in page.content.decode()
    draft = start(client, procedure)
    assert draft.applicant is None
    assert draft.status == SubmissionStatus.DRAFT
    assert client.get(step_url(draft, 1)).status_code == 200
    # The same session resumes the same draft.
    assert start(client, procedure) == draft


def test_account_level_asks_to_sign_in(kasama: Municipality, resident: User) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.ACCOUNT)
    response = Client().post(url("apply", kasama, slug=procedure.slug))
    assert response.status_code == 403
    page = response.content.decode()
    assert "サインインが必要です" in page
    assert "/accounts/login/?next=" in page
    assert not Submission.objects.exists()
    draft = start(signed_in(resident), procedure)
    assert draft.applicant == resident


@override_settings(OIDC_PROVIDERS=VERIFYING)
def test_verified_level_needs_a_sign_in_through_an_identity_verifying_provider(
    kasama: Municipality, resident: User
) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.VERIFIED)
    for client in (Client(), signed_in(resident), signed_in(resident, provider="plain")):
        response = client.post(url("apply", kasama, slug=procedure.slug))
        assert response.status_code == 403
    page = response.content.decode()
    assert "本人確認のできる方法でのサインインが必要です" in page
    assert "デジタル認証アプリでサインイン" in page
    assert "ほかの認証でサインイン" not in page
    client = signed_in(resident, provider="digital-auth")
    draft = start(client, procedure)
    assert draft.applicant == resident
    # A later sign-in without it (the session records replaced) stops the steps too.
    session = client.session
    session["account_authentication_methods"] = [{"method": "password"}]
    session.save()
    assert client.get(step_url(draft, 1)).status_code == 403


def test_signature_level_needs_an_account_and_marks_the_draft(kasama: Municipality, resident: User) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.SIGNATURE)
    assert Client().post(url("apply", kasama, slug=procedure.slug)).status_code == 403
    draft = start(signed_in(resident), procedure)
    assert draft.signature_required


def test_steps_progress_and_conditions(kasama: Municipality) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.NONE)
    client = Client()
    draft = start(client, procedure)
    page = client.get(step_url(draft, 1)).content.decode()
    assert "ステップ 1 / 3" in page
    assert 'aria-current="step"' in page
    # Required fields missing: the step stays, with the messages.
    response = client.post(step_url(draft, 1), {"name": "笠間 花子", "action": "next"})
    assert response.status_code == 400
    assert "「メールアドレス」を入力してください。" in response.content.decode()
    response = client.post(step_url(draft, 1), STEP1)
    assert response["Location"] == step_url(draft, 2)
    draft.refresh_from_db()
    assert draft.data["name_kana"] == "カサマ\u3000ハナコ"  # the toolkit's field: katakana
    # 世帯の一部 requires the names (a condition in the same step).
    response = client.post(step_url(draft, 2), {**STEP2, "scope": "part"})
    assert response.status_code == 400
    response = client.post(step_url(draft, 2), {**STEP2, "scope": "part", "members": "笠間 太郎"})
    assert response["Location"] == url("confirm", kasama, public_id=draft.public_id)
    draft.refresh_from_db()
    assert draft.data["members"] == "笠間 太郎"
    assert draft.data["copies"] == 2
    # Changing to 世帯全員 drops the answer that no longer applies.
    client.post(step_url(draft, 2), {**STEP2, "scope": "all", "members": "笠間 太郎"})
    draft.refresh_from_db()
    assert "members" not in draft.data
    page = client.get(url("confirm", kasama, public_id=draft.public_id)).content.decode()
    assert "ステップ 3 / 3" in page
    assert "世帯全員" in page
    assert "600円" in page


def test_back_keeps_what_was_typed_without_insisting_on_the_rest(kasama: Municipality) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.NONE)
    client = Client()
    draft = start(client, procedure)
    client.post(step_url(draft, 1), STEP1)
    response = client.post(step_url(draft, 2), {"copies": "3", "action": "back"})
    assert response["Location"] == step_url(draft, 1)
    draft.refresh_from_db()
    assert draft.data["copies"] == 3
    assert draft.data["name"] == "笠間\u3000花子"


def test_draft_is_saved_and_resumed_and_listed(kasama: Municipality, resident: User) -> None:
    procedure = make_procedure(kasama)
    client = signed_in(resident)
    draft = start(client, procedure)
    response = client.post(step_url(draft, 1), {"name": "笠間 花子", "email": "bad", "action": "save"})
    assert response["Location"] == url("catalog", kasama)
    draft.refresh_from_db()
    assert draft.data == {"name": "笠間\u3000花子"}  # the valid answers only
    page = client.get(url("catalog", kasama)).content.decode()
    assert "入力途中の申請（下書き）" in page
    assert procedure.name_ja in page
    # Another browser of the same user resumes it: GET goes straight to the step.
    other_browser = signed_in(resident)
    response = other_browser.get(url("apply", kasama, slug=procedure.slug))
    assert response["Location"] == step_url(draft, 1)
    assert start(other_browser, procedure) == draft
    assert "笠間\u3000花子" in other_browser.get(step_url(draft, 1)).content.decode()
    assert Submission.objects.filter(applicant=resident).count() == 1


def test_a_draft_is_only_reachable_by_its_applicant(kasama: Municipality, resident: User) -> None:
    procedure = make_procedure(kasama)
    draft = start(signed_in(resident), procedure)
    stranger = signed_in(UserFactory.create())
    for name, kwargs in (
        ("step", {"index": 1}),
        ("confirm", {}),
        ("submitted", {}),
        ("receipt", {}),
    ):
        assert stranger.get(url(name, kasama, public_id=draft.public_id, **kwargs)).status_code == 404
        assert Client().get(url(name, kasama, public_id=draft.public_id, **kwargs)).status_code == 404
    assert stranger.post(step_url(draft, 1), STEP1).status_code == 404
    draft.refresh_from_db()
    assert draft.data == {}


def test_an_anonymous_draft_belongs_to_its_session(kasama: Municipality) -> None:
    procedure = make_procedure(kasama, identity_level=IdentityLevel.NONE)
    mine = Client()
    draft = start(mine, procedure)
    other = Client()
    assert other.get(step_url(draft, 1)).status_code == 404
    assert start(other, procedure) != draft


def test_a_draft_is_not_reachable_under_another_municipality(
    kasama: Municipality, mito: Municipality, resident: User
) -> None:
    procedure = make_procedure(kasama)
    client = signed_in(resident)
    draft = start(client, procedure)
    response = client.get(url("step", mito, public_id=draft.public_id, index=1))
    assert response.status_code == 404


def test_life_event_case_is_linked(kasama: Municipality, resident: User) -> None:
    from madoguchi.procedures.models import LifeEvent

    procedure = make_procedure(kasama)
    event = LifeEvent.objects.create(municipality=kasama, slug="hikkoshi", name_ja="引越し")
    case = LifeEventCase.objects.create(
        municipality=kasama, life_event=event, user=resident, shared_data={"applicant.name": "笠間 花子"}
    )
    client = signed_in(resident)
    page = client.get(url("apply", kasama, slug=procedure.slug) + f"?case={case.public_id}").content.decode()
    assert "「引越し」で入力した内容" in page
    response = client.post(url("apply", kasama, slug=procedure.slug), {"case": str(case.public_id)})
    draft = Submission.objects.get(applicant=resident)
    assert response.status_code == 302
    assert draft.life_event_case == case
    # Someone else's case is not used, nor an anonymous case from another browser session.
    stranger = UserFactory.create()
    assert applying.case_for(_request_of(stranger), kasama, case.public_id) is None
    anonymous_case = LifeEventCase.objects.create(municipality=kasama, life_event=event)
    assert applying.case_for(_request_of(AnonymousUser()), kasama, anonymous_case.public_id) is None


def _request_of(user: User):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return request


def test_an_applicant_deletes_a_draft_once_and_nobody_else_can(kasama: Municipality) -> None:
    from madoguchi.audit.models import AuditEntry

    procedure = make_procedure(kasama)
    resident = UserFactory.create()
    client = signed_in(resident)
    draft = start(client, procedure)
    discard_url = url("discard", kasama, public_id=draft.public_id)

    stranger = signed_in(UserFactory.create())
    assert stranger.post(discard_url).status_code == 302
    assert Submission.objects.filter(pk=draft.pk).exists()

    response = client.post(discard_url)
    assert response["Location"] == url("my_submissions", kasama)
    assert not Submission.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(draft.pk)).count() == 1
    # A second click finds nothing left and goes back the same way.
    assert client.post(discard_url)["Location"] == url("my_submissions", kasama)
    assert AuditEntry.objects.filter(action="delete", object_id=str(draft.pk)).count() == 1
