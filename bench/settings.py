"""The deployment's settings, with the benchmark's URLs (bench.urls) on top."""

from madoguchi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
