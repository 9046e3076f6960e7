"""Residents' payment pages under /<municipality>/payments/ (My payments, paying online)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
