"""The pages' write actions (Sync Now, Pay) as portal's command use cases see them.

A person submits a plain form; what the use case refuses (Basic plan, not connected, amount
above the balance) is shown on the page it came from, in plain words, and changes nothing.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from clientsynq.common.auth import Principal
from clientsynq.common.problems import ClientSynqError
from clientsynq.portal.domain.model import CommandStatus
from clientsynq.portal.services import commands
from clientsynq.portal.web.session import deps

CENT = Decimal("0.01")


class InvalidAmount(ClientSynqError):
    slug, title, status = "invalid-amount", "Invalid amount", 422


def actor(who: Principal) -> commands.Actor:
    return commands.Actor(tenant_id=who.tenant_id, plan=who.plan, subject=who.subject,
                          customer_id=who.customer_id if who.is_client else None)


def command_deps() -> commands.CommandDeps:
    return deps().api.commands  # type: ignore[no-any-return]


def parse_amount(raw: str) -> Decimal:
    """Money typed by a person: "1,250.5" is 1250.50; more than cents, zero or less is refused."""
    try:
        amount = Decimal(raw.replace(",", "").strip())
    except InvalidOperation:
        raise InvalidAmount("Enter the amount as a number, for example 120.50.") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidAmount("The amount must be more than 0.")
    if amount != amount.quantize(CENT):
        raise InvalidAmount("The amount cannot have more than two decimals (cents).")
    return amount.quantize(CENT)


def pay_invoice(who: Principal, invoice_id: str, raw_amount: str) -> CommandStatus:
    """One payment for one invoice of the client's own customer; the balance check is the
    use case's (with the read model's current balance)."""
    amount = str(parse_amount(raw_amount))
    body = {"customer_id": who.customer_id, "amount": amount,
            "applied_to": [{"invoice_id": invoice_id, "amount": amount}],
            "txn_date": deps().read.today().isoformat()}
    return commands.request_payment(command_deps(), actor(who), body)


def request_sync(who: Principal) -> None:
    commands.request_sync(command_deps(), actor(who))
