"""One-stop life events under /<municipality>/procedures/ (see lifeevent_views)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import lifeevent_views

urlpatterns: list[URLPattern] = [
    path("life-events/", lifeevent_views.life_events, name="life_events"),
    path("life-events/cases/<uuid:public_id>/", lifeevent_views.life_event_case, name="life_event_case"),
    path("life-events/<slug:slug>/", lifeevent_views.life_event, name="life_event"),
]
