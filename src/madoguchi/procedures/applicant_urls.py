"""The applicant's pages under /<municipality>/procedures/ (申請履歴): their submissions,
one submission, messages, withdrawing and answering a correction (see applicant_views)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import applicant_views

urlpatterns: list[URLPattern] = [
    path("my/", applicant_views.my_submissions, name="my_submissions"),
    path("my/<uuid:public_id>/", applicant_views.my_submission, name="my_submission"),
    path("my/<uuid:public_id>/message/", applicant_views.message, name="message"),
    path("my/<uuid:public_id>/withdraw/", applicant_views.withdraw, name="withdraw"),
    path("my/<uuid:public_id>/correct/", applicant_views.correct, name="correct"),
]
