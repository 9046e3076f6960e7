"""URLs of the website's open data (mounted by portal/urls.py under /<slug>/opendata/):
each dataset as CSV and JSON by its file id (`/kasama/opendata/aed.csv`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import opendata

urlpatterns: list[URLPattern] = [
    path("", opendata.catalogue, name="opendata"),
    path("<slug:dataset>.csv", opendata.dataset_csv, name="opendata-csv"),
    path("<slug:dataset>.json", opendata.dataset_json, name="opendata-json"),
]
