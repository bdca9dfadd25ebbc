"""Alerts have runbooks, and every ClientSynq metric they and the dashboard use exists."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "deploy" / "k8s" / "monitoring"
OPERATIONS = REPO / "docs" / "operations.md"
METRIC = re.compile(r"\b(clientsynq_[a-z_]+?)(?:_bucket|_count|_sum)?\b")
# Named by alerts and the dashboard, not exposed yet (see docs/operations.md, "Metrics").
NOT_YET_EXPOSED: set[str] = set()


def _defined_metrics() -> set[str]:
    names = set()
    for path in [*REPO.glob("services/*/src/**/*.py"), *REPO.glob("libs/common/src/**/*.py")]:
        names |= set(re.findall(r'"(clientsynq_[a-z_]+)"', path.read_text()))
    return names


def _rules(rendered: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rule_doc = next(d for d in rendered["prod"] if d["kind"] == "PrometheusRule")
    return [r for g in rule_doc["spec"]["groups"] for r in g["rules"]]


def _expressions(rendered: dict[str, list[dict[str, Any]]]) -> list[str]:
    dashboard = json.loads((MONITORING / "clientsynq-dashboard.json").read_text())
    return ([r["expr"] for r in _rules(rendered)]
            + [t["expr"] for p in dashboard["panels"] for t in p["targets"]])


def test_every_alert_has_a_runbook(rendered: dict[str, list[dict[str, Any]]]) -> None:
    headings = set(re.findall(r"^### (\S+)$", OPERATIONS.read_text(), re.MULTILINE))
    alerts = {r["alert"] for r in _rules(rendered)}
    assert alerts - headings == set()
    assert all(r["annotations"]["runbook_url"].endswith("#" + r["alert"].lower())
               for r in _rules(rendered))


def test_alerts_cover_what_the_operators_must_hear_about(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    text = " ".join(_expressions(rendered))
    for signal in ("kafka_consumergroup_lag", "clientsynq_kafka_dead_lettered_total",
                   ".dlq", "clientsynq_sync_last_success_age_seconds",
                   "clientsynq_auth_worker_round_errors_total",
                   "clientsynq_webhook_disabled_endpoints", 'status=~"5.."'):
        assert signal in text


def test_every_clientsynq_metric_used_is_defined(
        rendered: dict[str, list[dict[str, Any]]]) -> None:
    used = {m for expr in _expressions(rendered) for m in METRIC.findall(expr)}
    defined = _defined_metrics()
    assert used - defined - NOT_YET_EXPOSED == set()
    assert NOT_YET_EXPOSED.isdisjoint(defined), "exposed now: drop it from NOT_YET_EXPOSED"


def test_the_dashboard_is_grafana_json() -> None:
    dashboard = json.loads((MONITORING / "clientsynq-dashboard.json").read_text())
    assert dashboard["uid"] and dashboard["panels"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])


def test_every_expression_is_valid_promql(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for expr in _expressions(rendered):
        promql_parser.parse(expr)  # raises ValueError on a malformed query


def test_a_malformed_expression_is_refused() -> None:
    with pytest.raises(ValueError, match="parenthesis"):
        promql_parser.parse("sum by (group) (rate(clientsynq_kafka_consumed_total[5m])")
