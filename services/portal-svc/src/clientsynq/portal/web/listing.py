"""What the list pages share: the status filters in plain words and the next-page link."""
from __future__ import annotations

from urllib.parse import urlencode

from clientsynq.portal.domain.views import InvoiceStatus
from clientsynq.portal.readmodels.queries import InvoiceQuery
from werkzeug.datastructures import MultiDict

STATUS_FILTERS: dict[str, tuple[InvoiceStatus, ...]] = {
    "all": (),
    "open": ("open", "overdue", "partially_paid"),
    "overdue": ("overdue",),
    "paid": ("paid",),
}
STATUS_CHOICES = (("all", "All invoices"), ("open", "Open (unpaid)"), ("overdue", "Overdue"),
                  ("paid", "Paid"))
STATUS_LABELS = {"open": "Open", "overdue": "Overdue", "partially_paid": "Partially paid",
                 "paid": "Paid", "voided": "Voided"}
INVITATION_LABELS = {"not_invited": "Not invited", "invited": "Invited", "accepted": "Accepted",
                     "expired": "Expired", "revoked": "Revoked"}
PAGE_SIZE = 25


def invoice_query(args: MultiDict[str, str], customer_id: str | None = None) -> InvoiceQuery:
    """Unknown filters fall back to "all": a hand-edited URL still shows a page."""
    search = (args.get("q") or "").strip()[:100] or None
    return InvoiceQuery(statuses=STATUS_FILTERS.get(args.get("status", "all"), ()),
                        customer_id=customer_id, search=search,
                        cursor=args.get("cursor") or None, limit=PAGE_SIZE)


def next_page_query(args: MultiDict[str, str], cursor: str | None) -> str:
    kept = {k: v for k, v in args.items() if k != "cursor" and v}
    return urlencode({**kept, "cursor": cursor}) if cursor else ""
