"""URLs of the signatures part under /<municipality>/procedures/ (see urls.py)."""

from __future__ import annotations

from django.urls import path

from . import signing_views

urlpatterns = [
    path("applications/<uuid:public_id>/sign/", signing_views.sign, name="sign"),
]
