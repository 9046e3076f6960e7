"""Forms of the website's pages in the Wagtail editor.

Pages point at rows of their municipality (the owning department, a procedure of the
catalog). Those models are tenant models, so the editor's choices are limited to the
municipality whose tree the page is in — never another municipality's departments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Page

from madoguchi.core.models import Department, Municipality

from .validation import ReservedSlugFormMixin


def municipality_of(page: Page | None) -> Municipality | None:
    """The municipality whose home page is `page` or one of its ancestors."""
    from .models import MunicipalityHomePage

    if page is None or page.pk is None:
        return None
    specific = page.specific
    if isinstance(specific, MunicipalityHomePage):
        return specific.municipality
    home = Page.objects.ancestor_of(page).type(MunicipalityHomePage).order_by("-depth").first()
    return home.specific.municipality if home is not None else None  # type: ignore[attr-defined]


class PortalPageForm(ReservedSlugFormMixin, WagtailAdminPageForm):
    """The editor's form of every `PortalPage`: tenant choices for the page's municipality."""

    department = forms.ModelChoiceField(queryset=Department.unscoped.none(), required=False, label=_("担当部署"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        anchor = instance if instance.pk else self.parent_page
        self.municipality = municipality_of(anchor)
        field = self.fields.get("department")
        if field is not None:
            field.queryset = (  # type: ignore[attr-defined]
                Department.unscoped.filter(municipality=self.municipality, is_active=True)
                if self.municipality
                else Department.unscoped.none()
            )
            field.help_text = instance._meta.get_field("department").help_text


class ProcedurePageForm(PortalPageForm):
    """…and the procedure of the municipality's catalog that a page leads to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from madoguchi.procedures.models import Procedure

        field = self.fields.get("procedure")
        if field is not None:
            field.queryset = (  # type: ignore[attr-defined]
                Procedure.unscoped.filter(municipality=self.municipality).order_by("sort_order", "slug")
                if self.municipality
                else Procedure.unscoped.none()
            )


def _procedure_field(*, required: bool) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    from madoguchi.procedures.models import Procedure

    return forms.ModelChoiceField(queryset=Procedure.unscoped.none(), required=required, label=_("手続"))


class ServiceGuidePageForm(ProcedurePageForm):
    procedure = _procedure_field(required=False)


class ProcedureLinkPageForm(ProcedurePageForm):
    procedure = _procedure_field(required=True)
