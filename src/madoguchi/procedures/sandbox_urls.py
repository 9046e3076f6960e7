"""/signing-sandbox/: the demo signing app (a JPKI client played by madoguchi)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "signing_sandbox"

urlpatterns: list[URLPattern] = []
