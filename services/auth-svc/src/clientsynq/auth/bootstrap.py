"""The composition root of auth-svc: the only function that knows concrete classes."""
from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from clientsynq.auth.adapters.disconnect_checks import DisconnectChecks
from clientsynq.auth.adapters.indexes import ensure_auth_indexes
from clientsynq.auth.adapters.mailer import SmtpMailer
from clientsynq.auth.adapters.mongo_accounts import LoginThrottleStore, TenantStore, UserStore
from clientsynq.auth.adapters.mongo_connections import ConnectionStore
from clientsynq.auth.adapters.mongo_invitations import InvitationStore
from clientsynq.auth.adapters.mongo_keys_audit import ApiKeyStore, AuditLog
from clientsynq.auth.adapters.mongo_sessions import OAuthStateStore, RefreshTokenStore
from clientsynq.auth.adapters.password_resets import PasswordResetStore
from clientsynq.auth.adapters.passwords import Passwords
from clientsynq.auth.adapters.qbo_oauth import QboOAuthClient
from clientsynq.auth.adapters.signing_keys import SigningKeys, SigningKeysError, load_signing_keys
from clientsynq.auth.adapters.signup_requests import SignUpRequestStore
from clientsynq.auth.adapters.token_cipher import TokenCipher
from clientsynq.auth.adapters.token_journal import TokenJournal
from clientsynq.auth.config import Settings, allow_local_oauth_http
from clientsynq.auth.domain.mail import InlineImage
from clientsynq.auth.services.ports import (
    OPERATOR,
    ApiKeys,
    AuditEvents,
    Connections,
    DisconnectCheckBudget,
    Invitations,
    LoginThrottles,
    OAuthStates,
    PasswordResets,
    QboOAuth,
    RefreshTokens,
    SignUpRequests,
    Tenants,
    TokenJournals,
    Users,
)
from clientsynq.common.auth import JwtSigner, ServiceCredentialCheck, StaticKeySource, TokenVerifier
from clientsynq.common.clock import Clock, utc_now
from clientsynq.common.config import EXIT_CONFIG_ERROR
from clientsynq.common.crypto import KeyRing
from clientsynq.common.service import Platform, connect_platform
from pymongo.collection import Collection
from pymongo.database import Database


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, html: str | None = None,
             images: Sequence[InlineImage] = ()) -> None:
        """`html`: an alternative to the text (branded invitations); `images` it shows
        inline by `cid:`."""


@dataclass(frozen=True)
class Stores:
    tenants: Tenants
    users: Users
    throttle: LoginThrottles
    refresh_tokens: RefreshTokens
    oauth_states: OAuthStates
    connections: Connections
    invitations: Invitations
    api_keys: ApiKeys
    audit: AuditEvents
    leases: Collection[Any]
    token_journal: TokenJournals
    disconnect_checks: DisconnectCheckBudget
    password_resets: PasswordResets
    signup_requests: SignUpRequests


def mongo_stores(db: Database[Any]) -> Stores:
    return Stores(tenants=TenantStore(db), users=UserStore(db), throttle=LoginThrottleStore(db),
                  refresh_tokens=RefreshTokenStore(db), oauth_states=OAuthStateStore(db),
                  connections=ConnectionStore(db), invitations=InvitationStore(db),
                  api_keys=ApiKeyStore(db), audit=AuditLog(db), leases=db["leases"],
                  token_journal=TokenJournal(db), disconnect_checks=DisconnectChecks(db),
                  password_resets=PasswordResetStore(db),
                  signup_requests=SignUpRequestStore(db))


@dataclass(frozen=True)
class Deps:
    settings: Settings
    platform: Platform
    stores: Stores
    clock: Clock
    passwords: Passwords
    signing_keys: SigningKeys = field(repr=False)
    signer: JwtSigner
    verifier: TokenVerifier
    qbo: QboOAuth
    cipher: TokenCipher
    mailer: Mailer
    service_check: ServiceCredentialCheck
    instance_id: str


def build(settings: Settings, clock: Clock = utc_now, mailer: Mailer | None = None,
          create_indexes: bool = True) -> Deps:
    """Reads the signing keys (generating a dev key if configured) and creates indexes;
    Kafka and MongoDB clients stay lazy."""
    allow_local_oauth_http(settings.qbo)
    platform = connect_platform(settings.common)
    if create_indexes:
        ensure_auth_indexes(platform.db)
    keys = load_signing_keys(settings.sessions.signing_keys_dir,
                             settings.sessions.signing_active_kid,
                             settings.sessions.generate_signing_key)
    sessions = settings.sessions
    stores = mongo_stores(platform.db)
    return Deps(
        settings=settings, platform=platform, stores=stores, clock=clock,
        passwords=Passwords(settings.login.argon2_time_cost, settings.login.argon2_memory_kib),
        signing_keys=keys,
        signer=JwtSigner(keys.active_key, keys.active_kid, sessions.issuer, sessions.audience),
        verifier=TokenVerifier(StaticKeySource(keys.public_keys()), sessions.issuer,
                               sessions.audience, sessions=stores.refresh_tokens),
        qbo=QboOAuthClient(settings.qbo, settings.qbo_redirect_uri),
        cipher=TokenCipher(KeyRing.from_spec(settings.token_keys_spec,
                                             settings.token_active_key)),
        mailer=mailer or SmtpMailer(settings.mail),
        service_check=_service_check(settings),
        instance_id=uuid.uuid4().hex,
    )


def build_or_exit(settings: Settings) -> Deps:
    """For entrypoints: a missing signing key is a deployment error, said in one line."""
    try:
        return build(settings)
    except SigningKeysError as err:
        print(f"auth-svc cannot start: {err}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_CONFIG_ERROR) from None


def _service_check(settings: Settings) -> ServiceCredentialCheck:
    secrets = dict(settings.service_secrets)
    if settings.operator_secret:
        secrets[OPERATOR] = settings.operator_secret
    return ServiceCredentialCheck(secrets, previous=settings.previous_service_secrets)
