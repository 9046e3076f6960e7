"""URLs of the registration part (see urls.py): 利用者登録 and 施設予約マイページ."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import registrations as views

urlpatterns: list[URLPattern] = [
    path("register/", views.register, name="register"),
    path("register/individual/", views.register_individual, name="register_individual"),
    path("register/group/", views.register_group, name="register_group"),
    path("my/", views.my, name="my"),
    path("my/registrations/<int:pk>/", views.registration, name="registration"),
]
