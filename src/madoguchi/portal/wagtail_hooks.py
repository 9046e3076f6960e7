"""The website in the staff console: document links with type and size, department
approval workflows that follow the pages' departments and the staff's roles."""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.models import Page

from . import admin_widgets
from . import localize as localize  # registers the translators' permission
from .richtext import DocumentWithInfoLinkHandler
from .services import workflows

# The chooser widgets of the page editor start without an inline script (CSP).
admin_widgets.install()


@hooks.register("register_rich_text_features", order=100)
def document_links_with_file_info(features: Any) -> None:
    """After wagtail.documents' own registration (order 0): ours replaces its handler."""
    features.register_link_type(DocumentWithInfoLinkHandler)


@hooks.register("after_create_page")
def section_workflow_after_create(request: Any, page: Page) -> None:
    workflows.follow_page_department(page)


@hooks.register("after_publish_page")
def section_workflow_after_publish(request: Any, page: Page) -> None:
    workflows.follow_page_department(page)
