"""/facilities/: availability search across every municipality of the deployment."""

from __future__ import annotations

urlpatterns: list = []
