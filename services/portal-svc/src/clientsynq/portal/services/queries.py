"""Query use cases: read models in, views with their derived values out.

`customer_scope` is for the client portal: a client (a principal with a customer id) sees
only that customer's records, and another customer's id answers "not found" exactly as an
unknown id does.
"""
from __future__ import annotations

from datetime import date

from clientsynq.portal.domain.errors import (
    CommandNotFound,
    CustomerNotFound,
    InvoiceNotFound,
    PaymentNotFound,
)
from clientsynq.portal.domain.model import CommandStatus, Customer, Payment, SyncState
from clientsynq.portal.domain.views import (
    ConnectionView,
    CustomerBalance,
    CustomerView,
    InvoiceDetail,
    InvoiceView,
    Page,
    SyncStatusView,
    balances_by_customer,
    invoice_status,
)
from clientsynq.portal.readmodels.ports import ReadModels
from clientsynq.portal.readmodels.queries import CustomerQuery, InvoiceQuery, PaymentQuery


def list_invoices(read: ReadModels, tenant_id: str, query: InvoiceQuery,
                  customer_scope: str | None = None,
                  today: date | None = None) -> Page[InvoiceView]:
    """`today`: the date the statuses are for, when the caller already fixed it (the API's
    page cache keys on it); the read models' today otherwise."""
    if customer_scope is not None:
        if query.customer_id not in (None, customer_scope):
            return Page(items=())
        query = InvoiceQuery(**{**query.__dict__, "customer_id": customer_scope})
    today = today or read.today()
    page = read.invoices.page(tenant_id, query, today)
    return Page(items=tuple(InvoiceView(inv, invoice_status(inv, today)) for inv in page.items),
                next_cursor=page.next_cursor)


def get_invoice(read: ReadModels, tenant_id: str, invoice_id: str,
                customer_scope: str | None = None) -> InvoiceDetail:
    """The invoice, its lines, and the live payments applied to it."""
    invoice = read.invoices.get(tenant_id, invoice_id)
    if invoice is None or (customer_scope is not None and invoice.customer_id != customer_scope):
        raise InvoiceNotFound(f"No invoice {invoice_id}.")
    payments: tuple[Payment, ...] = tuple(read.payments.for_invoice(tenant_id, invoice_id))
    return InvoiceDetail(invoice, invoice_status(invoice, read.today()), payments)


def list_customers(read: ReadModels, tenant_id: str,
                   query: CustomerQuery) -> Page[CustomerView]:
    page = read.customers.page(tenant_id, query)
    return Page(items=_customer_views(read, tenant_id, page.items), next_cursor=page.next_cursor)


def get_customer(read: ReadModels, tenant_id: str, customer_id: str,
                 customer_scope: str | None = None) -> CustomerView:
    customer = read.customers.get(tenant_id, customer_id)
    if customer is None or customer_scope not in (None, customer_id):
        raise CustomerNotFound(f"No customer {customer_id}.")
    return _customer_views(read, tenant_id, (customer,))[0]


def _customer_views(read: ReadModels, tenant_id: str,
                    customers: tuple[Customer, ...]) -> tuple[CustomerView, ...]:
    """Balances from the invoices held (never QBO's stored figure, which may lag them)."""
    ids = [c.id for c in customers]
    totals = balances_by_customer(read.invoices.receivables(tenant_id, ids), read.today())
    invitations = read.invitations.statuses(tenant_id, ids)
    views = []
    for customer in customers:
        total = totals.get(customer.id, CustomerBalance())
        views.append(CustomerView(
            customer=customer, balance=total.balance, open_invoices=total.open_invoices,
            overdue_invoices=total.overdue_invoices,
            invitation_status=invitations.get(customer.id, "not_invited")))
    return tuple(views)


def list_payments(read: ReadModels, tenant_id: str, query: PaymentQuery,
                  customer_scope: str | None = None) -> Page[Payment]:
    if customer_scope is not None:
        if query.customer_id not in (None, customer_scope):
            return Page(items=())
        query = PaymentQuery(**{**query.__dict__, "customer_id": customer_scope})
    return read.payments.page(tenant_id, query)


def get_payment(read: ReadModels, tenant_id: str, payment_id: str,
                customer_scope: str | None = None) -> Payment:
    payment = read.payments.get(tenant_id, payment_id)
    if payment is None or customer_scope not in (None, payment.customer_id):
        raise PaymentNotFound(f"No payment {payment_id}.")
    return payment


def get_connection(read: ReadModels, tenant_id: str) -> ConnectionView:
    return ConnectionView(tenant_id=tenant_id, state=read.connections.get(tenant_id))


def get_sync_status(read: ReadModels, tenant_id: str) -> SyncStatusView:
    """A "running" run older than the last end is one whose end we missed: not running."""
    state = read.sync.get(tenant_id)
    running = state.running
    ends = [run.finished_at for run in (state.last_completed,) if run is not None] + \
        [run.failed_at for run in (state.last_failure,) if run is not None]
    if running is not None and ends and max(ends) >= running.started_at:
        state = SyncState(tenant_id, None, state.last_completed, state.last_failure,
                          state.requested_at)
    return SyncStatusView(state=state, customers_synced=read.customers.count_active(tenant_id))


def get_command(read: ReadModels, tenant_id: str, command_id: str) -> CommandStatus:
    command = read.commands.get(tenant_id, command_id)
    if command is None:
        raise CommandNotFound(f"No command {command_id}.")
    return command
