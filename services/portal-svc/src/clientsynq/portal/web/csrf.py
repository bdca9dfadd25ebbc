"""Cross-site request forgery: a cookie-authenticated POST must come from our own pages.

Browsers send `Origin` on every POST; a form on another site posting here carries that
site's origin, so comparing it with the host the request was addressed to (the gateway
forwards `Host`) refuses the forgery. A POST without `Origin` is refused too: every browser
the portal supports sends it.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from clientsynq.common.problems import Forbidden
from flask import request

F = TypeVar("F", bound=Callable[..., Any])


class CrossSiteRequest(Forbidden):
    slug, title = "cross-site-request", "Cross-site request refused"


def same_origin(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        origin = request.headers.get("Origin")
        if not origin or urlsplit(origin).netloc != request.host:
            raise CrossSiteRequest("This action must be submitted from a ClientSynq page.")
        return view(*args, **kwargs)
    return cast(F, wrapper)
