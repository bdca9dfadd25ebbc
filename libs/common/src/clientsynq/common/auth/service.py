"""Service-to-service credentials for internal endpoints (e.g. sync-svc asking auth-svc for
a QBO access token).

Each calling service has its own shared secret, so one leaked secret can be rotated alone
and the callee knows which service is calling. Comparisons are constant-time and visit every
configured secret, so timing reveals neither a secret nor which service names exist.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from clientsynq.common.problems import Forbidden, Unauthorized, problem_response
from flask import Flask, current_app, g, request

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "clientsynq.service_credentials"
MIN_SECRET_LENGTH = 16
_CHALLENGE = 'Service realm="clientsynq"'
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local")  # Kubernetes service DNS names


def plain_http_allowed(host: str) -> bool:
    """Loopback, or a Kubernetes service name: one label (``auth-svc``) or one ending in
    ``.svc``/``.svc.cluster.local``. Such names resolve only inside the cluster, where a
    NetworkPolicy decides who may talk to the callee (deploy/k8s); any other name could be
    on a network we do not control, so it needs https."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_HOSTS:
        return True
    if not host or ":" in host or host.replace(".", "").isdigit():
        return False  # an IP address off loopback: where it routes is not ours to know
    return "." not in host or host.endswith(CLUSTER_SUFFIXES)


def check_credential_urls(*urls: str) -> None:
    """Called at start by every service that sends its service credential: ``ValueError``
    for an ``http://`` URL that is neither loopback nor a cluster-internal service name."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme != "https" and not plain_http_allowed(parts.hostname or ""):
            raise ValueError(f"{url}: the service credential may travel over plain http "
                             "only on loopback or to a cluster-internal service name "
                             "(auth-svc, auth-svc.<ns>.svc): use https")


class ServiceCredentialCheck:
    """``previous`` holds secrets still accepted while a rotation rolls out: the callee takes
    both, the callers move to the new one at their own pace, then the old one is dropped,
    and no call is refused on the way."""

    def __init__(self, secrets: Mapping[str, str],
                 previous: Mapping[str, str] | None = None) -> None:
        for name, secret in [*secrets.items(), *(previous or {}).items()]:
            if not name or ":" in name or len(secret) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"service {name!r}: need a name without ':' and a secret of at least "
                    f"{MIN_SECRET_LENGTH} characters"
                )
        self._secrets: dict[str, tuple[bytes, ...]] = {
            name: (secret.encode("utf-8"),) for name, secret in secrets.items()}
        for name, secret in (previous or {}).items():
            if name in self._secrets:
                self._secrets[name] += (secret.encode("utf-8"),)

    @classmethod
    def from_spec(cls, spec: str) -> ServiceCredentialCheck:
        """``"sync-svc:<secret>,portal-svc:<secret>"``, as one environment variable holds it."""
        pairs = (item.strip().partition(":") for item in spec.split(",") if item.strip())
        return cls({name: secret for name, _, secret in pairs})

    def authenticate(self, authorization: str | None) -> str | None:
        """The calling service's name, or None.

        Accepts ``Service <name>:<secret>`` and ``Bearer <secret>``.
        """
        scheme, _, credential = (authorization or "").partition(" ")
        credential = credential.strip()
        if scheme.lower() == "service":
            name, _, secret = credential.partition(":")
            return name if self._matches(name, secret.encode("utf-8")) else None
        if scheme.lower() == "bearer" and credential:
            return self._match_any(credential.encode("utf-8"))
        return None

    def _matches(self, name: str, secret: bytes) -> bool:
        expected = self._secrets.get(name)
        # Compare against a dummy for unknown names so they cost the same time as known ones.
        same = False
        for candidate in expected or (b"\0" * MIN_SECRET_LENGTH,):  # no early exit
            same |= hmac.compare_digest(candidate, secret)
        return expected is not None and same

    def _match_any(self, secret: bytes) -> str | None:
        found = None
        for name, accepted in self._secrets.items():  # no early exit: constant work
            for expected in accepted:
                if hmac.compare_digest(expected, secret):
                    found = name
        return found


def install_service_check(app: Flask, check: ServiceCredentialCheck) -> None:
    """Called by ``create_app``; ``require_service`` finds the check here."""
    app.extensions[EXTENSION_KEY] = check


def require_service(*names: str) -> Callable[[F], F]:
    """Only the named services (any authenticated service if none named); sets
    ``g.service_name``."""
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check = current_app.extensions.get(EXTENSION_KEY)
            if not isinstance(check, ServiceCredentialCheck):
                raise RuntimeError("install_service_check(app, ...) was not called")
            service = check.authenticate(request.headers.get("Authorization"))
            if service is None:
                unknown = Unauthorized("A valid service credential is required.", _CHALLENGE)
                return problem_response(unknown, request.path)
            if names and service not in names:
                denied = Forbidden("This service may not call this endpoint.")
                return problem_response(denied, request.path)
            g.service_name = service
            return view(*args, **kwargs)
        return cast(F, wrapper)
    return decorate
