"""Invoice pages take this run's payment links from memory (issue 18): the store is asked
only for ids this run did not see, and only when it may know them."""
from __future__ import annotations

import json
from datetime import date

from clientsynq.common.events import encode_event
from clientsynq.sync.engine.pages import PageContext, publish_raw_page
from clientsynq.sync.engine.run_links import RunLinks, mentioned_ids


class RecordingProducer:
    """What `EventProducer.publish_many` would have sent, validated the same way."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def publish_many(self, envelopes: list[dict]) -> int:
        for envelope in envelopes:
            encode_event(envelope)
        self.sent.extend(envelopes)
        return len(envelopes)


class AskedStore:
    """A LinkReader that records each question."""

    def __init__(self, links: dict[str, dict]) -> None:
        self.links, self.asked = links, []

    def known(self, tenant_id, payment_ids):
        ids = sorted(payment_ids)
        self.asked.append(ids)
        return {pid: self.links[pid] for pid in ids if pid in self.links}


def _link(pid, invoice_id, amount, txn_date, updated="2026-01-01T00:00:00Z"):
    return {"payment_id": pid, "updated_at": updated, "txn_date": txn_date,
            "customer_id": "3", "customer_name": "Cool Cars",
            "applied_to": [{"invoice_id": invoice_id, "amount": amount}]}


def _invoice(iid, payments, balance="0"):
    return {"Id": iid, "SyncToken": "0", "DocNumber": f"D{iid}", "TxnDate": "2026-01-02",
            "DueDate": "2026-02-01", "CustomerRef": {"value": "3", "name": "Cool Cars"},
            "TotalAmt": "10.00", "Balance": balance, "Line": [],
            "LinkedTxn": [{"TxnId": pid, "TxnType": "Payment"} for pid in payments],
            "MetaData": {"CreateTime": "2026-01-02T10:00:00-08:00",
                         "LastUpdatedTime": "2026-01-03T10:00:00-08:00"}}


def _page(*invoices):
    return json.dumps({"QueryResponse": {"Invoice": list(invoices)}}).encode()


def _ctx(run_links, ask_store):
    return PageContext(tenant_id="t1", realm_id="r1", entity="Invoice", source="/test",
                       today=date(2026, 3, 1), use_links=True, run_links=run_links,
                       ask_store=ask_store)


def test_mentioned_ids_finds_every_txn_id_however_spaced_or_escaped():
    raw = b'{"LinkedTxn":[{"TxnId":"7","TxnType":"Payment"},{"TxnType":"Payment",' \
          b'"TxnId" : "8"}],"X":{"TxnId":"a\\"b"}}'
    assert mentioned_ids(raw) == {"7", "8", 'a"b'}


def test_run_links_keep_the_newest_version_of_each_payment():
    links = RunLinks()
    links.add([_link("7", "1", "5.00", "2026-01-05", updated="2026-01-06T00:00:00Z")])
    links.add([_link("7", "1", "4.00", "2026-01-04", updated="2026-01-05T00:00:00Z"),
               _link("8", "2", "1.00", "2026-01-04")])
    assert links.among({"7", "8", "9"})["7"]["applied_to"][0]["amount"] == "5.00"
    assert set(links.among({"8", "9"})) == {"8"} and len(links) == 2


def test_a_first_sync_takes_paid_dates_from_memory_and_never_asks_the_store():
    raw = _page(_invoice("1", ["7", "8"]), _invoice("2", []))
    memory = RunLinks()
    memory.add([_link("7", "1", "6.00", "2026-01-05"), _link("8", "1", "4.00", "2026-01-09"),
                _link("9", "5", "1.00", "2026-01-01")])
    store, producer = AskedStore({}), RecordingProducer()
    result = publish_raw_page(raw, _ctx(memory.among(mentioned_ids(raw)), False), producer,
                              store)
    assert result.published == 2 and store.asked == []
    first = producer.sent[0]["data"]["invoice"]
    assert first["paid_date"] == "2026-01-09"
    assert {p["payment_id"] for p in first["applied_payments"]} == {"7", "8"}


def test_the_store_is_asked_only_for_the_payments_this_run_did_not_read():
    raw = _page(_invoice("1", ["7", "8"]))
    memory = RunLinks()
    memory.add([_link("7", "1", "6.00", "2026-01-05")])
    store = AskedStore({"8": _link("8", "1", "4.00", "2025-01-09")})
    producer = RecordingProducer()
    publish_raw_page(raw, _ctx(memory.among(mentioned_ids(raw)), True), producer, store)
    assert store.asked == [["8"]]
    assert producer.sent[0]["data"]["invoice"]["paid_date"] == "2026-01-05"
