"""/signing-sandbox/: the demo signing app (a JPKI client played by madoguchi), outside
any municipality and any language prefix, as an outside application would be."""

from __future__ import annotations

from django.urls import path

from . import sandbox_views

app_name = "signing_sandbox"

urlpatterns = [
    path("", sandbox_views.start, name="start"),
]
