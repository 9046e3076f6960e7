"""Department approval workflows are set up outside tests too: after `migrate`, when a
department is created or changed, and by the demo loader."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate
from wagtail.models import Workflow, WorkflowPage

from madoguchi.core import services as core_services
from madoguchi.core.models import Department, Municipality
from madoguchi.portal.models import SectionPage
from madoguchi.portal.services import home_page_for

pytestmark = pytest.mark.django_db


def section_of(municipality: Municipality, department: Department | None, slug: str) -> SectionPage:
    home = home_page_for(municipality, "ja")
    assert home is not None
    page = SectionPage(title=slug, slug=slug, locale=home.locale, department=department)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def workflow_of(page: SectionPage) -> Workflow | None:
    assignment = WorkflowPage.objects.filter(page=page).select_related("workflow").first()
    return assignment.workflow if assignment is not None else None


def test_after_migrate_every_departments_sections_have_its_workflow(kasama: Municipality) -> None:
    """Departments and sections that existed before (an upgrade, a restored database)."""
    welfare = Department.unscoped.create(municipality=kasama, code="F10", name_ja="福祉課")
    section = section_of(kasama, welfare, "kenko")
    WorkflowPage.objects.filter(page=section).delete()
    Workflow.objects.filter(name__startswith="福祉課").delete()

    portal = apps.get_app_config("portal")
    post_migrate.send(
        sender=portal, app_config=portal, verbosity=0, interactive=False, using="default", apps=apps, plan=[]
    )

    workflow = workflow_of(section)
    assert workflow is not None
    assert workflow.name == "福祉課の承認（笠間市）"


def test_a_department_created_or_changed_in_core_brings_its_workflow_along(
    kasama: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        kankyo = core_services.create_department(kasama, code="K20", name_ja="環境課")
    assert Workflow.objects.filter(name="環境課の承認（笠間市）", active=True).exists()

    section = section_of(kasama, kankyo, "kankyo")
    WorkflowPage.objects.filter(page=section).delete()  # as if assigned by nobody yet
    with django_capture_on_commit_callbacks(execute=True):
        core_services.update_department(kankyo, name_ja="環境保全課")
    workflow = workflow_of(section)
    assert workflow is not None
    assert workflow.name == "環境保全課の承認（笠間市）"  # editors read it on the submit button

    with django_capture_on_commit_callbacks(execute=True):
        core_services.update_department(kankyo, is_active=False)
    assert workflow_of(section) is None


def test_the_demo_gives_each_departments_sections_its_workflow(kasama: Municipality) -> None:
    from madoguchi.portal.tests.test_demo import _load

    Department.unscoped.create(municipality=kasama, code="shimin", name_ja="市民課")
    _load(kasama)
    kurashi = SectionPage.objects.get(slug="kurashi", locale__language_code="ja")
    assert kurashi.department is not None
    workflow = workflow_of(kurashi)
    assert workflow is not None
    assert workflow.name == "市民課の承認（笠間市）"
