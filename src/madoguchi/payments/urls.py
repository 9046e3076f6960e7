"""/<municipality>/payments/: one namespace for the residents' pages and the documents."""

from __future__ import annotations

from . import document_urls, resident_urls

app_name = "payments"

urlpatterns = [*resident_urls.urlpatterns, *document_urls.urlpatterns]
