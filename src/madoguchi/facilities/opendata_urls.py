"""URLs of the opendata part (see urls.py): 公共施設一覧 as CSV."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import opendata

urlpatterns: list[URLPattern] = [
    path(
        "opendata/public-facilities.csv",
        opendata.public_facilities_csv,
        name="opendata_public_facilities",
    ),
]
