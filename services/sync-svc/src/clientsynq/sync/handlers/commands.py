"""Pro write-back: `invoice.create.requested` and `payment.record.requested`.

A command settles exactly once, as `command.succeeded` or `command.failed`. A POST that may
have reached QBO (a timeout, a reset connection, a 5xx) has an *unknown* outcome, never a
failed one: it is resolved by sending the same request with the same `requestid` (QBO
answers with the original object, or creates it if the first never arrived), at once and
then by the resolver with backoff. Only QBO's own refusal, or a command that was never
sent (plan, no connection), is `command.failed`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clientsynq.common.events import (
    INVOICE_CREATE_REQUESTED,
    Event,
    EventValidationError,
    encode_event,
    load_event,
)
from clientsynq.sync.domain import commands as bodies
from clientsynq.sync.domain import events
from clientsynq.sync.domain.command_status import IN_PROGRESS
from clientsynq.sync.domain.errors import QboRefused, SyncFailure, TenantNotKnown
from clientsynq.sync.domain.model import WRITE_PLANS
from clientsynq.sync.handlers.follow_ups import created_envelopes
from clientsynq.sync.handlers.ports import Company, HandlerDeps

log = logging.getLogger(__name__)
Envelope = dict[str, Any]


@dataclass(frozen=True)
class Write:
    entity: str
    body: Callable[[dict[str, Any]], dict[str, Any]]


WRITES = {INVOICE_CREATE_REQUESTED: Write("Invoice", bodies.invoice_body),
          "payment.record.requested": Write("Payment", bodies.payment_body)}


def on_write_requested(event: Event, deps: HandlerDeps) -> None:
    entry = deps.ledger.begin(event.tenant_id, event.data["command_id"], event.type,
                              event.to_envelope(), deps.now())
    if entry is None:
        log.info("sync.command_duplicate", extra={"command_id": event.data["command_id"]})
        return
    carry_out(event, entry, deps)


def resolve_open_commands(deps: HandlerDeps) -> int:
    """The resolver's round: every open command whose retry time has come.

    One query across tenants by retry time (paged), then one tenant read by `_id` per
    tenant met: a round costs what is open, not one query per connected tenant (that was
    41 MongoDB commands per finished run in the 1,000-business scale model, every replica
    every round). A tenant not connected keeps its commands open until it is, as before."""
    resolved = 0
    connected: dict[str, bool] = {}
    for entry in deps.ledger.due_across(deps.now()):
        tenant_id = str(entry["tenant_id"])
        if tenant_id not in connected:
            tenant = deps.base.tenants.get(tenant_id)
            connected[tenant_id] = tenant is not None and tenant.is_connected
        if not connected[tenant_id]:
            continue
        try:
            event = load_event(entry["command"])
        except EventValidationError:
            log.error("sync.command_unreadable", extra={"command_id": entry["_id"]})
            continue
        if event.tenant_id != tenant_id:  # a command is only ever carried out for its tenant
            log.error("sync.command_tenant_mismatch", extra={"command_id": entry["_id"]})
            continue
        carry_out(event, entry, deps)
        resolved += 1
    return resolved


def carry_out(event: Event, entry: dict[str, Any], deps: HandlerDeps) -> None:
    tenant_id, command_id = event.tenant_id, event.data["command_id"]
    never_sent = entry["status"] == IN_PROGRESS and int(entry.get("attempts", 0)) == 0
    try:
        plan = deps.base.tokens.tenant(tenant_id).plan  # asked now: a downgrade is at once
        conn = deps.qbo.for_tenant(tenant_id)
    except (SyncFailure, TenantNotKnown) as err:
        if never_sent:
            _refuse(event, deps, f"QuickBooks could not be reached ({err}).",
                    getattr(err, "error_class", "disconnected"))
        else:
            deps.ledger.unknown(tenant_id, command_id, str(err), deps.now())
        return
    if never_sent and plan not in WRITE_PLANS:
        _refuse(event, deps, f"The {plan} plan cannot write to QuickBooks; creating "
                "invoices and recording payments needs Pro.", "plan_does_not_allow")
        return
    _post(event, conn, deps, first=never_sent)


def _post(event: Event, conn: Company, deps: HandlerDeps, first: bool) -> None:
    tenant_id, command_id = event.tenant_id, event.data["command_id"]
    write = WRITES[event.type]
    body = write.body(event.data)
    deps.ledger.attempt(tenant_id, command_id, deps.now())
    try:
        if first:
            try:
                created = conn.create(write.entity, body, request_id=command_id, attempts=1)
                _settle(event, conn, deps, created, "response")
                return
            except SyncFailure as err:  # sent, maybe applied: replay the same requestid
                deps.ledger.unknown(tenant_id, command_id, str(err), deps.now())
                deps.ledger.attempt(tenant_id, command_id, deps.now())
                log.warning("sync.command_outcome_unknown",
                            extra={"command_id": command_id, "reason": err.error_class})
        created = conn.create(write.entity, body, request_id=command_id)
        _settle(event, conn, deps, created, "replay")
    except QboRefused as err:
        _refuse(event, deps, f"{err.message}: {err.detail}" if err.detail else err.message,
                err.code)
    except SyncFailure as err:
        deps.ledger.unknown(tenant_id, command_id, str(err), deps.now())
        log.warning("sync.command_unresolved", extra={"command_id": command_id,
                                                      "reason": err.error_class})


def _settle(event: Event, conn: Company, deps: HandlerDeps, created: dict[str, Any],
            resolved_by: str) -> None:
    command_id = event.data["command_id"]
    envelopes = created_envelopes(event, conn, deps, created)
    envelopes.append(events.command_succeeded(
        tenant_id=event.tenant_id, realm_id=conn.realm_id, source=deps.settings.source,
        command_id=command_id, command_type=event.type, entity=WRITES[event.type].entity,
        qbo_id=str(created["Id"]), doc_number=created.get("DocNumber"),
        resolved_by=resolved_by, at=deps.now()))
    for envelope in envelopes:
        encode_event(envelope)  # a bad snapshot must fail here, not poison the outbox
    deps.ledger.succeed(event.tenant_id, command_id, str(created["Id"]), resolved_by,
                        envelopes, deps.now())
    log.info("sync.command_done", extra={"command_id": command_id, "qbo_id": created["Id"],
                                         "resolved_by": resolved_by})


def _refuse(event: Event, deps: HandlerDeps, reason: str, code: str | None) -> None:
    envelope = events.command_failed(
        tenant_id=event.tenant_id, realm_id=event.realm_id, source=deps.settings.source,
        command_id=event.data["command_id"], command_type=event.type, reason=reason,
        code=code, failed_at=deps.now())
    deps.ledger.fail(event.tenant_id, event.data["command_id"], reason, code, [envelope],
                     deps.now())
    log.info("sync.command_refused", extra={"command_id": event.data["command_id"],
                                            "code": code})
