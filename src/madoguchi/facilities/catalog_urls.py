"""URLs of the catalog part (see urls.py): the facility list, the availability search, a
facility's page and its calendar. They come last in the namespace, because a facility's
address starts with its slug."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import availability, catalog

urlpatterns: list[URLPattern] = [
    path("", catalog.index, name="index"),
    path("search/", availability.search, name="search"),
    path("<slug:facility_slug>/", catalog.detail, name="detail"),
    path("<slug:facility_slug>/calendar/", availability.facility_calendar, name="calendar"),
    path("<slug:facility_slug>/calendar/month/", availability.facility_month, name="calendar_month"),
]
