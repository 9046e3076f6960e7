"""/facilities/: availability search across every municipality of the deployment."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import availability

urlpatterns: list[URLPattern] = [
    path("", availability.search_all, name="facilities-search-all"),
]
