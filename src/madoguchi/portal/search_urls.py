"""URLs of the website: search (mounted by portal/urls.py under /<slug>/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
