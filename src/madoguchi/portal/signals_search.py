"""The search index follows the page tree: publish writes a page's entry, unpublish
removes it (a deleted page's entry goes with it: the entry cascades), a move or a change
of view restriction re-indexes the branch."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

logger = logging.getLogger(__name__)


def _update(function: Any, *args: Any) -> None:
    # In a savepoint of the publish's own transaction (so the entry commits with the page),
    # and a failure to index never undoes an editor's publish: `portal_reindex` rebuilds.
    try:
        with transaction.atomic():
            function(*args)
    except Exception:
        logger.exception("search index update failed")


def on_published(sender: Any, instance: Page, **kwargs: Any) -> None:
    from .services.search import index_page

    _update(index_page, instance)


def on_unpublished(sender: Any, instance: Page, **kwargs: Any) -> None:
    from .services.search import remove_page

    _update(remove_page, instance)


def on_moved(sender: Any, instance: Page, **kwargs: Any) -> None:
    from .services.search import index_subtree

    _update(index_subtree, instance)


def on_restriction_changed(sender: Any, instance: PageViewRestriction, **kwargs: Any) -> None:
    from .services.search import index_subtree

    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _update(index_subtree, page)


def connect() -> None:
    page_published.connect(on_published, dispatch_uid="portal-search-published")
    page_unpublished.connect(on_unpublished, dispatch_uid="portal-search-unpublished")
    post_page_move.connect(on_moved, dispatch_uid="portal-search-moved")
    post_save.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="portal-search-restricted")
    post_delete.connect(on_restriction_changed, sender=PageViewRestriction, dispatch_uid="portal-search-unrestricted")
