"""The WSGI application gunicorn serves during the benchmark.

Requests go to Django with the deployment's whole middleware stack, except those under
`/_nomw/`, which a second Django handler serves with no middleware at all (same URLs,
same views, prefix removed): the bare view measured both ways shows what the middleware
costs, and the home page against it what a page costs on top.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup(set_prefix=False)

from django.core.handlers.exception import convert_exception_to_response  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

NO_MIDDLEWARE_PREFIX = "/_nomw"


class NoMiddlewareHandler(WSGIHandler):
    """Django's request handling (URL resolution, the view, its transaction) without any
    middleware."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


full_stack = WSGIHandler()
no_middleware = NoMiddlewareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path: str = environ.get("PATH_INFO", "")
    if path.startswith(NO_MIDDLEWARE_PREFIX + "/"):
        environ["PATH_INFO"] = path[len(NO_MIDDLEWARE_PREFIX) :]
        return no_middleware(environ, start_response)
    return full_stack(environ, start_response)
