"""Bills (納付書) and receipts (領収証書) as PDF, under /<municipality>/payments/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
