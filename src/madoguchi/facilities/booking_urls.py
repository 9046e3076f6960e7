"""URLs of the booking part (see urls.py): booking a slot first-come, the resident's
bookings, paying, the QR code, cancelling and changing."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import bookings as views

urlpatterns: list[URLPattern] = [
    path("book/<int:unit>/<str:day>/<int:slot>/", views.book, name="book"),
    path("my/bookings/", views.my_bookings, name="my_bookings"),
    path("my/bookings/<str:number>/", views.booking, name="booking"),
    path("my/bookings/<str:number>/pay/", views.booking_pay, name="booking_pay"),
    path("my/bookings/<str:number>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("my/bookings/<str:number>/change/", views.booking_change, name="booking_change"),
    path("my/bookings/<str:number>/qr.svg", views.booking_qr, name="booking_qr"),
]
