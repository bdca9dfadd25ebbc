"""Statement rules that depend on the sandbox's options (see the README's choices).

- MAXRESULTS above 1000: refused by default with QBO's QueryValidationError ("value 1500 is
  too large. Max allowed value is 1000", reported by quickbooks-ruby #24), or capped.
- ORDERBY Id: allowed by default (Intuit's entity reference lists Id as sortable); an
  Intuit email of Nov 2025 says it will stop being sortable, so it can be refused.
- minorversion below 75: treated as 75 by default (Intuit blog 2025-01-21), or refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .errors import QboFault, query_validation_error
from .options import SandboxOptions
from .query_exec import QUERYABLE
from .query_parser import MAX_RESULTS_LIMIT, Query, parse_query

MIN_MINOR_VERSION = 75


def parse_checked(statement: str, options: SandboxOptions) -> Query:
    """parse_query plus the option-dependent refusals.

    Entity names match without regard to case unless entity_name_case="sensitive":
    node-quickbooks sends `select * from customer`, Java SDK users write `FROM deposit`."""
    query = parse_query(statement)
    canonical = next((name for name in QUERYABLE if name.lower() == query.entity.lower()),
                     query.entity)
    if options.entity_name_case != "sensitive":
        query = replace(query, entity=canonical)
    requested = query.requested_max_results
    if options.max_results_over_limit == "refuse" and requested > MAX_RESULTS_LIMIT:
        raise query_validation_error(f"value {requested} is too large. Max allowed value is "
                                     f"{MAX_RESULTS_LIMIT}")
    if options.orderby_id == "refuse" and any(prop.lower() == "id" for prop, _ in query.order):
        raise query_validation_error("property 'Id' is not sortable")
    return query


def check_minor_version(args: Mapping[str, str], options: SandboxOptions) -> None:
    """Refuse a minorversion below 75 when the option asks; otherwise it is treated as 75."""
    raw = args.get("minorversion")
    if options.minorversion_below_minimum != "refuse" or raw is None:
        return
    if not raw.isdigit() or int(raw) < MIN_MINOR_VERSION:
        raise QboFault("2010", "Request has invalid or unsupported property",
                       f"minorversion {raw} is not supported; the minimum is "
                       f"{MIN_MINOR_VERSION}")
