"""URLs of the website: feedback (mounted by portal/urls.py under /<slug>/feedback/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import feedback

urlpatterns: list[URLPattern] = [
    path("<int:page_id>/", feedback.submit, name="feedback"),
]
