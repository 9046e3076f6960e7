"""URLs of one part of procedures under /<municipality>/procedures/ (see urls.py)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
