"""Term and PaymentMethod names between runs (engine.names, issue 17): a quiet incremental
run reuses the last run's names and learns their changes from its own CDC call, so it
costs no query for names and still never publishes a stale name."""
from __future__ import annotations

from datetime import timedelta

from clientsynq.sync.engine.names import NameBook
from sync_fakes import FakeClock, FakeRealm


def _realm() -> tuple[FakeClock, FakeRealm, NameBook]:
    clock = FakeClock()
    realm = FakeRealm(clock)
    realm.put("Term", "3", "Net 30")
    realm.put("PaymentMethod", "1", "Check")
    clock.advance(600)
    return clock, realm, NameBook(clock=clock.monotonic)


def _cdc(realm: FakeRealm, names, entity: str, since) -> dict:
    """What streams.run_cdc does with a run's names: ask, then apply before publishing."""
    body = realm.cdc(names.cdc_entities(entity), since.isoformat())
    names.apply(body, realm, capped=False)
    return body


def test_a_full_run_reads_the_names_and_the_next_incremental_run_reuses_them() -> None:
    clock, realm, book = _realm()
    assert book.for_run(realm, "Invoice", None).names == {"3": "Net 30"}
    clock.advance(300)
    since = clock.now() - timedelta(seconds=420)  # the cursor, less the overlap
    names = book.for_run(realm, "Invoice", since)
    assert names.names == {"3": "Net 30"}
    assert names.cdc_entities("Invoice") == ["Term", "Invoice"]
    _cdc(realm, names, "Invoice", since)
    assert realm.calls == ["query Term", "cdc Term,Invoice"]


def test_a_renamed_term_is_applied_before_the_run_publishes_and_kept_for_the_next() -> None:
    clock, realm, book = _realm()
    book.for_run(realm, "Invoice", None)
    clock.advance(60)
    realm.put("Term", "3", "Net 30 (renamed)")
    realm.put("Term", "4", "Due on receipt")
    clock.advance(60)
    since = clock.now() - timedelta(seconds=180)
    names = book.for_run(realm, "Invoice", since)
    assert names.names == {"3": "Net 30"}  # as last known, until the CDC answer
    _cdc(realm, names, "Invoice", since)
    assert names.names == {"3": "Net 30 (renamed)", "4": "Due on receipt"}
    clock.advance(300)
    later = book.for_run(realm, "Invoice", clock.now() - timedelta(seconds=330))
    assert later.names == {"3": "Net 30 (renamed)", "4": "Due on receipt"}
    assert realm.calls.count("query Term") == 1


def test_names_older_than_the_runs_window_are_read_again() -> None:
    """Another replica ran the realm meanwhile: changes between the names' time and the
    window's start would be in no answer, so this run reads the names."""
    clock, realm, book = _realm()
    book.for_run(realm, "Invoice", None)
    clock.advance(600)
    names = book.for_run(realm, "Invoice", clock.now() - timedelta(seconds=120))
    assert realm.calls == ["query Term", "query Term"]
    assert names.cdc_entities("Invoice") == ["Term", "Invoice"]


def test_a_capped_cdc_answer_reads_the_names_again() -> None:
    clock, realm, book = _realm()
    book.for_run(realm, "Invoice", None)
    clock.advance(60)
    realm.put("Term", "3", "Net 45")
    names = book.for_run(realm, "Invoice", clock.now() - timedelta(seconds=120))
    names.apply({"CDCResponse": [{"QueryResponse": [{}]}]}, realm, capped=True)
    assert names.names == {"3": "Net 45"}
    assert realm.calls == ["query Term", "query Term"]


def test_names_are_read_again_at_least_hourly() -> None:
    clock, realm, book = _realm()
    book.for_run(realm, "Payment", None)
    clock.advance(3601)
    book.for_run(realm, "Payment", clock.now() - timedelta(seconds=30))
    assert realm.calls == ["query PaymentMethod", "query PaymentMethod"]


def test_a_realm_that_refuses_payment_methods_syncs_without_their_names() -> None:
    clock, realm, book = _realm()
    realm.refuse.add("PaymentMethod")
    names = book.for_run(realm, "Payment", clock.now() - timedelta(seconds=30))
    assert names.names == {}
    assert names.cdc_entities("Payment") == ["Payment"]  # the CDC call is not put at risk


def test_names_are_kept_per_tenant_and_realm() -> None:
    clock, realm, book = _realm()
    book.for_run(realm, "Invoice", None)
    other = FakeRealm(clock, realm_id="9131", tenant_id="t-2")
    other.put("Term", "3", "Their own term")
    clock.advance(5)
    names = book.for_run(other, "Invoice", clock.now() - timedelta(seconds=120))
    assert names.names == {"3": "Their own term"}
    assert other.calls == ["query Term"]


def test_another_replica_starts_from_the_names_the_last_run_left_in_its_result() -> None:
    """The realm's runs land on whichever replica takes its lease: what the last run left
    (`stored`, in its result) is as good as this process's own, under the same rule."""
    from clientsynq.sync.engine.names import from_stored, stored

    clock, realm, book = _realm()
    book.for_run(realm, "Payment", None)
    clock.advance(60)
    realm.put("PaymentMethod", "1", "Cheque")
    since = clock.now() - timedelta(seconds=120)
    names = book.for_run(realm, "Payment", since)
    _cdc(realm, names, "Payment", since)
    left = stored({"Payment": names})
    other = NameBook(clock=clock.monotonic)
    clock.advance(300)
    later = other.for_run(realm, "Payment", clock.now() - timedelta(seconds=330),
                          shared=lambda: from_stored(left))
    assert later.names == {"1": "Cheque"}
    assert realm.calls == ["query PaymentMethod", "cdc PaymentMethod,Payment"]
    too_late = NameBook(clock=clock.monotonic).for_run(
        realm, "Payment", clock.now() + timedelta(seconds=5), shared=lambda: from_stored(left))
    assert too_late.names == {"1": "Cheque"}
    assert realm.calls[-1] == "query PaymentMethod"  # past what the result knew: read again
