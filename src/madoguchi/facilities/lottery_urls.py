"""URLs of the lottery part (see urls.py): the public rounds and results, entering, and
the resident's entries."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import lotteries

urlpatterns: list[URLPattern] = [
    path("lotteries/", lotteries.lotteries, name="lotteries"),
    path("lotteries/<int:pk>/", lotteries.lottery, name="lottery"),
    path("lotteries/<int:pk>/results.csv", lotteries.lottery_results_csv, name="lottery_results_csv"),
    path("lotteries/<int:pk>/enter/", lotteries.lottery_enter, name="lottery_enter"),
    path("my/entries/", lotteries.my_entries, name="my_entries"),
    path("my/entries/<str:number>/confirm/", lotteries.entry_confirm, name="entry_confirm"),
    path("my/entries/<str:number>/decline/", lotteries.entry_decline, name="entry_decline"),
    path("my/entries/<str:number>/withdraw/", lotteries.entry_withdraw, name="entry_withdraw"),
]
