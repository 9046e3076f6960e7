"""One-stop life events: questions decide the procedures, shared answers are entered once
and prefill the forms, a case is its owner's only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.audit.models import AuditEntry
from madoguchi.core.models import Municipality
from madoguchi.procedures import formdef
from madoguchi.procedures.models import LifeEventCase, SubmissionStatus
from madoguchi.procedures.services import lifeevents
from madoguchi.testing.factories import UserFactory
from madoguchi.testing.tenancy import sign_in

from .factories import SubmissionFactory
from .lifeevent_fixtures import MovingEvent, make_moving_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving(kasama: Municipality) -> MovingEvent:
    return make_moving_event(kasama)


def slugs(event: MovingEvent, answers: dict[str, str]) -> list[str]:
    return [e.procedure.slug for e in lifeevents.applicable_entries(event.event, answers)]


def answers_post(move_type: str, children: str = "no", dog: str = "no") -> dict[str, str]:
    return {"q-move_type": move_type, "q-has_children": children, "q-has_dog": dog}


def test_moving_within_the_city_or_from_outside_decides_the_notification(moving: MovingEvent) -> None:
    assert slugs(moving, {"move_type": "into", "has_children": "no", "has_dog": "no"}) == ["tennyu"]
    assert slugs(moving, {"move_type": "within", "has_children": "no", "has_dog": "no"}) == ["tenkyo"]
    assert slugs(moving, {"move_type": "out", "has_children": "yes", "has_dog": "yes"}) == [
        "tenshutsu",
        "inu-toroku",
    ]
    assert slugs(moving, {"move_type": "into", "has_children": "yes", "has_dog": "no"}) == ["tennyu", "jido-teate"]


def test_unpublished_procedures_are_not_offered(moving: MovingEvent) -> None:
    moving.tennyu.is_published = False
    moving.tennyu.save()
    assert slugs(moving, {"move_type": "into", "has_children": "no", "has_dog": "no"}) == []


def test_prefill_fills_only_the_matching_keys(moving: MovingEvent) -> None:
    case = LifeEventCase.objects.create(
        municipality=moving.event.municipality,
        life_event=moving.event,
        shared_data={
            "applicant.name": "笠間 太郎",
            "applicant.name_kana": "カサマ タロウ",
            "moving.new_address": "茨城県笠間市中央三丁目2番1号",
            "moving.date": "2026-04-01",
            "child.name": "笠間 次郎",  # no field of this form asks for it
            "applicant.address": "",  # empty: fills nothing
        },
    )
    definition = formdef.parse(moving.tennyu.current_version().definition)
    assert lifeevents.prefill(case, definition) == {
        "notifier_name": "笠間 太郎",
        "notifier_kana": "カサマ タロウ",
        "new_address": "茨城県笠間市中央三丁目2番1号",
        "moved_on": "2026-04-01",
    }


def test_prefill_skips_a_choice_the_form_does_not_offer(moving: MovingEvent) -> None:
    definition = formdef.parse(
        {
            "format": 1,
            "steps": [
                {
                    "key": "s",
                    "title": "s",
                    "fields": [
                        {
                            "key": "scope",
                            "type": "choice",
                            "label": "範囲",
                            "shared": "request.scope",
                            "options": [{"value": "all", "label": "全員"}],
                        }
                    ],
                }
            ],
        }
    )
    case = LifeEventCase(life_event=moving.event, shared_data={"request.scope": "part"})
    assert lifeevents.prefill(case, definition) == {}
    case.shared_data = {"request.scope": "all"}
    assert lifeevents.prefill(case, definition) == {"scope": "all"}


def test_the_pages_ask_group_by_department_and_keep_the_shared_answers(
    client: Client, kasama: Municipality, moving: MovingEvent
) -> None:
    resident = UserFactory.create()
    sign_in(client, resident)
    listing = client.get(reverse("procedures:life_events", args=["kasama"]))
    assert listing.status_code == 200
    assert "引越し" in listing.content.decode()
    url = reverse("procedures:life_event", args=["kasama", "hikkoshi"])
    page = client.get(url)
    assert "どの引越しですか" in page.content.decode()
    # An unanswered question is refused with the answers kept.
    refused = client.post(url, {"q-move_type": "into"})
    assert refused.status_code == 400
    assert LifeEventCase.objects.count() == 0
    response = client.post(url, answers_post("into", children="yes", dog="yes"))
    assert response.status_code == 302
    case = LifeEventCase.objects.get()
    assert case.user == resident
    assert case.answers == {"move_type": "into", "has_children": "yes", "has_dog": "yes"}
    case_page = client.get(response["Location"])
    body = case_page.content.decode()
    assert "転入届" in body
    assert "転居届" not in body
    assert "市民課" in body
    assert "子ども福祉課" in body
    assert "書面で申請します" in body  # the dog, on paper
    assert "前住所地の転出証明書" in body  # what to bring
    # The shared answers, once.
    saved = client.post(
        response["Location"],
        {
            "s-name": "笠間 太郎",
            "s-name_kana": "カサマ タロウ",
            "s-address": "東京都千代田区千代田1番1号",
            "s-moving_date_era": "reiwa",
            "s-moving_date_year": "8",
            "s-moving_date_month": "4",
            "s-moving_date_day": "1",
            "s-new_address": "茨城県笠間市中央三丁目2番1号",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    case.refresh_from_db()
    assert case.shared_data["applicant.name"] == "笠間\u3000太郎"  # names are kept with a full-width space
    assert case.shared_data["moving.new_address"] == "茨城県笠間市中央三丁目2番1号"
    assert case.shared_data["moving.date"] == "2026-04-01"
    shown = client.get(response["Location"]).content.decode()
    assert "笠間\u3000太郎" in shown
    audited = AuditEntry.objects.filter(object_type="procedures.lifeeventcase", object_id=str(case.pk))
    assert set(audited.values_list("action", flat=True)) == {"create", "update", "view"}
    assert all(e.personal_data for e in audited)
    # Nothing personal in the audit log, only field names.
    assert not any("笠間" in str(e.extra) or "笠間" in str(e.fields) for e in audited)


def test_a_case_shows_the_state_of_each_procedure(client: Client, kasama: Municipality, moving: MovingEvent) -> None:
    resident = UserFactory.create()
    case = lifeevents.start_case(
        moving.event, {"move_type": "into", "has_children": "yes", "has_dog": "no"}, user=resident, session=None
    )
    version = moving.tennyu.current_version()
    SubmissionFactory.create(form_version=version, applicant=resident, life_event_case=case, number="2026-000777")
    jido_version = moving.jido_teate.current_version()
    SubmissionFactory.create(
        form_version=jido_version, applicant=resident, life_event_case=case, status=SubmissionStatus.DRAFT, number=""
    )
    groups = lifeevents.case_items(case)
    states = {item.procedure.slug: item.state for group in groups for item in group.items}
    assert states == {"tennyu": "submitted", "jido-teate": "draft"}
    assert [g.department.name_ja for g in groups] == ["市民課", "子ども福祉課"]
    sign_in(client, resident)
    body = client.get(reverse("procedures:life_event_case", args=["kasama", case.public_id])).content.decode()
    assert "2026-000777" in body


def test_a_case_belongs_to_its_user_only(client: Client, kasama: Municipality, moving: MovingEvent) -> None:
    owner = UserFactory.create()
    case = lifeevents.start_case(
        moving.event, {"move_type": "within", "has_children": "no", "has_dog": "no"}, user=owner, session=None
    )
    url = reverse("procedures:life_event_case", args=["kasama", case.public_id])
    assert client.get(url).status_code == 404  # not signed in
    sign_in(client, UserFactory.create())
    assert client.get(url).status_code == 404  # someone else
    assert client.post(url, {"s-name": "乗っ取り"}).status_code == 404
    client.logout()
    sign_in(client, owner)
    assert client.get(url).status_code == 200
    assert lifeevents.get_case(kasama, case.public_id, user=owner, session=None) == case
    assert lifeevents.get_case(kasama, case.public_id, user=UserFactory.create(), session=None) is None


def test_an_anonymous_case_lives_in_its_session(kasama: Municipality, moving: MovingEvent) -> None:
    first, second = Client(), Client()
    response = first.post(reverse("procedures:life_event", args=["kasama", "hikkoshi"]), answers_post("within"))
    assert response.status_code == 302
    case = LifeEventCase.objects.get()
    assert case.user is None
    assert first.get(response["Location"]).status_code == 200
    assert second.get(response["Location"]).status_code == 404


def test_another_municipality_cannot_open_the_case(
    client: Client, kasama: Municipality, mito: Municipality, moving: MovingEvent
) -> None:
    owner = UserFactory.create()
    case = lifeevents.start_case(
        moving.event, {"move_type": "within", "has_children": "no", "has_dog": "no"}, user=owner, session=None
    )
    sign_in(client, owner)
    assert client.get(reverse("procedures:life_event_case", args=["mito", case.public_id])).status_code == 404
    assert client.get(reverse("procedures:life_event", args=["mito", "hikkoshi"])).status_code == 404
    assert lifeevents.get_case(mito, case.public_id, user=owner, session=None) is None
