"""The website's own addresses below /<slug>/ (search, feedback, open data); the pages
themselves are served by Wagtail. Pages may not take these names as slugs."""

from __future__ import annotations

from django.urls import include, path

from . import feedback_urls, opendata_urls, search_urls

app_name = "portal"

#: First path segments below a municipality's home page that the website's views own.
RESERVED_CHILD_SLUGS = ("search", "feedback", "opendata")

urlpatterns = [
    path("search/", include(search_urls)),
    path("feedback/", include(feedback_urls)),
    path("opendata/", include(opendata_urls)),
]
