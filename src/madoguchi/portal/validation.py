"""Slugs that a page directly below a municipality's home page may not take.

`/<slug>/search/`, `/<slug>/feedback/` and `/<slug>/opendata/` are the website's own views
(`portal.urls.RESERVED_CHILD_SLUGS`) and `/<slug>/procedures/`, `/payments/`,
`/facilities/` are other modules' pages (`madoguchi.urls.municipality_patterns`). Those
URLs are resolved before Wagtail's, so a page with such a slug would never be shown: the
editor is told so instead.

Two pieces, because Wagtail validates a new page before it is in the tree (the model does
not yet know its parent then):

- `ReservedSlugMixin` — a `clean()` for the page model (PortalPage);
- `ReservedSlugFormMixin` — for the page's editor form (PortalPageForm): hands the
  parent the page is being created under to the model's `clean()`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

#: Other modules' first path segments below /<municipality slug>/.
MODULE_PREFIXES = ("procedures", "payments", "facilities")


def reserved_slugs() -> frozenset[str]:
    # Imported here: the page models use this module, and the URL modules import views.
    from .urls import RESERVED_CHILD_SLUGS

    return frozenset(RESERVED_CHILD_SLUGS) | frozenset(MODULE_PREFIXES)


def is_home_page(page: Page | None) -> bool:
    from .models import MunicipalityHomePage

    if page is None:
        return False
    return page.specific_class is MunicipalityHomePage or isinstance(page, MunicipalityHomePage)


def check_slug(slug: str, parent: Page | None) -> None:
    """Raise a ValidationError on `slug` when the page would sit directly below a home page
    under a reserved name."""
    if not slug or not is_home_page(parent):
        return
    if slug.lower() in reserved_slugs():
        raise ValidationError(
            {
                "slug": _(
                    "「%(slug)s」はこの団体のホームページで使われているアドレスです。別のスラッグにしてください。"
                )
                % {"slug": slug}
            }
        )


class ReservedSlugMixin:
    """For PortalPage: `clean()` refuses a reserved slug directly below the home page."""

    #: Set by ReservedSlugFormMixin while a page is created (it has no parent yet).
    _intended_parent: Page | None = None

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        parent = self._intended_parent
        if parent is None and getattr(self, "path", None):
            parent = self.get_parent()  # type: ignore[attr-defined]
        check_slug(getattr(self, "slug", ""), parent)


class ReservedSlugFormMixin:
    """For PortalPageForm (a WagtailAdminPageForm): the model's check knows the parent of
    a page being created."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = getattr(self, "parent_page", None)
        instance = getattr(self, "instance", None)
        if instance is not None and parent is not None and not getattr(instance, "path", None):
            instance._intended_parent = parent
