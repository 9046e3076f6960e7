"""/sitemap.xml (mounted at the deployment's root by madoguchi/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .sitemap import sitemap

urlpatterns: list[URLPattern] = [path("", sitemap, name="sitemap")]
