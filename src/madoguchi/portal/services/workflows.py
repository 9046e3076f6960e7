"""Approval of the website's pages per department (Wagtail workflows).

Each department of a municipality has its own approval workflow: one Wagtail
`GroupApprovalTask` whose group is the department's approvers (its staff holding the
決裁者 or 所属長 role), assigned to every section page (カテゴリ) the department owns. A
page below such a section is submitted to that workflow (Wagtail uses the nearest
ancestor's workflow), is reviewed by those approvers only, and is published — or, with a
go-live time, scheduled — when they approve.

The approvers' group follows their roles and department, the way the website editors'
group follows `portal.edit_website` (`portal.services.sync_website_access`): a staff member
moved to another department or losing the role stops being an approver at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission as DjangoPermission
from django.db import transaction
from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask

from madoguchi.accounts import permissions
from madoguchi.accounts.models import Role, StaffProfile
from madoguchi.core.models import Department, Municipality

from ..models import MunicipalityHomePage, SectionPage

#: The roles that approve the pages of their own department.
APPROVER_ROLES = frozenset({Role.APPROVER.value, Role.DEPARTMENT_HEAD.value})


APPROVER_GROUP_SUFFIX = " ページ承認"


def approver_group_name(department: Department) -> str:
    """By codes, so that renaming a department keeps its group."""
    return f"{department.municipality.code} {department.code}{APPROVER_GROUP_SUFFIX}"


def _workflow_name(department: Department) -> str:
    # Editors read it on the submit button: 「福祉課の承認（笠間市）に提出する」.
    return f"{department.name_ja}の承認（{department.municipality.name_ja}）"


@transaction.atomic
def ensure_department_workflow(department: Department) -> Workflow:
    """The department's approvers' group, its approval task and its workflow (created once,
    found again through the group — names follow the department's). Safe to run any
    number of times."""
    group, _created = Group.objects.get_or_create(name=approver_group_name(department))
    name = _workflow_name(department)
    task = GroupApprovalTask.objects.filter(groups=group).order_by("pk").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=name)
        task.groups.set([group])
    elif task.name != name:
        task.name = name
        task.save(update_fields=["name"])
    workflow = Workflow.objects.filter(workflow_tasks__task=task).order_by("pk").first()
    if workflow is None:
        workflow = Workflow.objects.create(name=name, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    elif workflow.name != name or not workflow.active:
        workflow.name = name
        workflow.active = True
        workflow.save(update_fields=["name", "active"])
    return workflow


def section_pages(municipality: Municipality) -> Iterable[SectionPage]:
    """Every section page of the municipality's tree, in every language."""
    homes = MunicipalityHomePage.objects.filter(municipality=municipality)
    for home in homes:
        yield from SectionPage.objects.descendant_of(home).select_related("department")


def _publish_permission() -> DjangoPermission:
    return DjangoPermission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")


def assign_section_workflow(section: SectionPage) -> Workflow | None:
    """Point the section at its department's workflow, and let the department's approvers
    publish below it (Wagtail publishes an approved page as the approver, and checks that
    they may). A section without a department falls back to whatever its ancestors use
    (its own assignment and approvers are removed)."""
    department = section.department
    GroupPagePermission.objects.filter(page=section, group__name__endswith=APPROVER_GROUP_SUFFIX).exclude(
        group__name=approver_group_name(department) if department is not None else ""
    ).delete()
    if department is None or not department.is_active:
        WorkflowPage.objects.filter(page=section).delete()
        return None
    workflow = ensure_department_workflow(department)
    WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    group = Group.objects.get(name=approver_group_name(department))
    GroupPagePermission.objects.get_or_create(group=group, page=section, permission=_publish_permission())
    return workflow


@transaction.atomic
def sync_department_workflows(municipality: Municipality) -> dict[int, Workflow]:
    """Every active department's workflow, and every section page assigned to its
    department's workflow; returns the workflows by department id."""
    workflows = {
        department.pk: ensure_department_workflow(department)
        for department in Department.unscoped.filter(municipality=municipality, is_active=True)
    }
    for section in section_pages(municipality):
        assign_section_workflow(section)
    return workflows


@transaction.atomic
def follow_department(department: Department) -> Workflow | None:
    """After a department was created or changed: an active department has its workflow
    (named after it, so a new name shows on the submit button), and every section page it
    owns follows — a deactivated department's sections lose its workflow."""
    workflow = ensure_department_workflow(department) if department.is_active else None
    for section in SectionPage.objects.filter(department=department).select_related("department"):
        assign_section_workflow(section)
    return workflow


def is_approver(profile: StaffProfile) -> bool:
    user = profile.user
    user.__dict__.pop("_madoguchi_roles", None)
    return bool(user.is_active and permissions.roles_of(user, profile.municipality) & APPROVER_ROLES)


@transaction.atomic
def sync_approver(profile: StaffProfile) -> None:
    """The staff member is in exactly their own department's approvers' group when they
    hold an approving role and the account is active; in no other department's."""
    user = profile.user
    prefix = f"{profile.municipality.code} "
    current = user.groups.filter(name__startswith=prefix, name__endswith=APPROVER_GROUP_SUFFIX)
    keep: Group | None = None
    if is_approver(profile) and profile.department.is_active:
        ensure_department_workflow(profile.department)
        keep = Group.objects.get(name=approver_group_name(profile.department))
        user.groups.add(keep)
    for group in current:
        if keep is None or group.pk != keep.pk:
            user.groups.remove(group)


def follow_staff_roles(sender: Any, profile: StaffProfile, **kwargs: Any) -> None:
    """Receiver of `accounts.signals.staff_changed`."""
    sync_approver(profile)


def follow_page_department(page: Page) -> None:
    """After an editor saved a page: a section page's workflow follows its department
    (in every language: translations share the department, a synchronised field)."""
    specific = page.specific
    if isinstance(specific, SectionPage):
        for section in SectionPage.objects.filter(translation_key=specific.translation_key):
            assign_section_workflow(section)
