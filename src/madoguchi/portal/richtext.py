"""Rich text of the website's pages: links to documents say what they lead to.

A link to a document in a page's body (`document-link` feature) is rendered with the
file's type and size — 「申請書（PDF 120KB）」 — so that a resident knows before following
it that it is a PDF of some size (ウェブアクセシビリティ: JIS X 8341-3, 2.4.4 context of
links). A Wagtail link handler only writes the opening tag, so the handler puts the
information into a `data-file-info` attribute, and `with_file_info` — run on every rendered
rich text by portal's override of `wagtailcore/shared/richtext.html` — writes it as real
text at the end of the link: visible, read aloud as part of the link's name, printed and
copied with it (a CSS `::after` would be none of these reliably).
"""

from __future__ import annotations

import os
import re

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.documents.rich_text import DocumentLinkHandler

#: How a file's extension is named to residents (upper case, like on paper forms).
FILE_TYPE_NAMES = {
    "pdf": "PDF",
    "csv": "CSV",
    "docx": "Word",
    "xlsx": "Excel",
    "odt": "ODT",
    "ods": "ODS",
    "txt": "TXT",
}


def file_type_name(filename: str) -> str:
    """The file's type as residents know it: PDF, Word, Excel …"""
    extension = os.path.splitext(filename)[1].lstrip(".").lower()
    return FILE_TYPE_NAMES.get(extension, extension.upper())


def human_size(size: int | None) -> str:
    """1,234 bytes → "1.2KB"; the units Japanese sites use (KB/MB, 1,024 bytes each)."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size}B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB" if size >= 10 * 1024 else f"{size / 1024:.1f}KB"
    return f"{size / (1024 * 1024):.1f}MB"


def file_info(document: object) -> str:
    """「PDF 120KB」 for a document (its stored size; read from storage when not yet known)."""
    name = getattr(document, "filename", "") or ""
    size = getattr(document, "file_size", None)
    if size is None:
        try:
            size = document.get_file_size()  # type: ignore[attr-defined]
        except OSError:
            size = None
    kind = file_type_name(name)
    readable = human_size(size)
    if kind and readable:
        return f"{kind} {readable}"
    return kind or readable


class DocumentWithInfoLinkHandler(DocumentLinkHandler):
    """Wagtail's document link handler, with the file's type and size."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:  # type: ignore[type-arg]
        links = []
        for document in cls.get_many(attrs_list):
            if document is None:
                # A deleted document: a link to nowhere, as Wagtail renders it.
                links.append("<a>")
                continue
            info = file_info(document)
            links.append(format_html('<a href="{}" class="document-link" data-file-info="{}">', document.url, info))
        return links


#: A document link as the handler writes it, up to its end (links do not nest, so the
#: first `</a>` closes it); the link text may hold inline markup.
_DOCUMENT_LINK = re.compile(r'(<a\b[^>]*\bdata-file-info="([^"]*)"[^>]*>)(.*?)</a>', re.DOTALL)
INFO_CLASS = "document-link__info"


def with_file_info(html: str) -> SafeString:
    """Rendered rich text with each document link's type and size written inside the link,
    after its text: 「申請書<span>（PDF 120KB）</span>」 (in English "Form (PDF 120KB)").
    Running it twice adds nothing more."""
    japanese = (translation.get_language() or "ja").split("-")[0] == "ja"

    def add(match: re.Match[str]) -> str:
        opening, info, text = match.groups()
        if not info or INFO_CLASS in text:
            return match.group(0)
        # The attribute is escaped HTML already: it goes into the text as it is.
        label = f"（{info}）" if japanese else f" ({info})"
        return f'{opening}{text}<span class="{INFO_CLASS}">{label}</span></a>'

    return mark_safe(_DOCUMENT_LINK.sub(add, str(html)))  # noqa: S308 - only our own escaped attribute is added
