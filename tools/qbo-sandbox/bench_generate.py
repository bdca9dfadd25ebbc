"""Print how long the generator and a full query paging run take (not a test: it only prints).

    python tools/qbo-sandbox/bench_generate.py [--invoices 100000] [--page-through]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import requests

from qbo_sandbox.generator import GenerateSpec, generate_company
from qbo_sandbox.testing import running_sandbox


def bench_generator(invoices: int) -> None:
    """Generate a company with `invoices` invoices and print the time taken."""
    started = time.perf_counter()
    data = generate_company(GenerateSpec(seed=1, customers=invoices // 10, invoices=invoices,
                                         payments=invoices * 6 // 10, as_of=date(2026, 1, 1)))
    elapsed = time.perf_counter() - started
    print(f"generator: {len(data['Invoice']):,} invoices, {len(data['Payment']):,} payments, "
          f"{len(data['Customer']):,} customers in {elapsed:.2f} s")


def bench_paging() -> None:
    """Page through 50k invoices, 10k customers and 20k payments, 1000 rows a request."""
    with running_sandbox(requests_per_minute=100_000, concurrent_requests=100,
                         requests_per_second=100_000) as sb:
        app = sb.control.register_app(redirect_uris=["http://127.0.0.1:9/cb"])
        realm = sb.control.create_company(customers=10_000, invoices=50_000, payments=20_000,
                                          seed=3)["realm_id"]
        token = sb.control.connect(app["client_id"], realm)["access_token"]
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}",
                                "Accept": "application/json"})
        url = f"{sb.base_url}/v3/company/{realm}/query"
        total_rows, started = 0, time.perf_counter()
        for entity in ("Customer", "Invoice", "Payment"):
            where = " WHERE Active IN (true, false)" if entity == "Customer" else ""
            start = 1
            while True:
                statement = (f"SELECT * FROM {entity}{where} ORDERBY MetaData.LastUpdatedTime "
                             f"STARTPOSITION {start} MAXRESULTS 1000")
                body = session.get(url, params={"query": statement}, timeout=60).json()
                rows = body["QueryResponse"].get(entity, [])
                if not rows:
                    break
                total_rows += len(rows)
                start += len(rows)
        elapsed = time.perf_counter() - started
        print(f"paging: {total_rows:,} rows in {elapsed:.2f} s = "
              f"{total_rows / elapsed:,.0f} rows/s")


def main() -> None:
    """Parse options and run the chosen benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--page-through", action="store_true",
                        help="also page 80k rows through a running sandbox")
    args = parser.parse_args()
    bench_generator(args.invoices)
    if args.page_through:
        bench_paging()


if __name__ == "__main__":
    main()
