"""URLs of the website: search (mounted by portal/urls.py under /<slug>/search/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import search

urlpatterns: list[URLPattern] = [
    path("", search.results, name="search"),
]
