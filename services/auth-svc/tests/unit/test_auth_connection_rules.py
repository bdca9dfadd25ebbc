"""When a QBO token is handed out, refreshed ahead of time, or left alone."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clientsynq.auth.domain.model import Connection, TokenSet

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def a_connection(**overrides) -> Connection:
    fields = {"tenant_id": "t1", "realm_id": "9130", "status": "connected",
              "company_name": "Acme", "connected_at": NOW - timedelta(days=3),
              "changed_at": NOW - timedelta(days=3), "last_refresh_at": NOW - timedelta(hours=2),
              "access_expires_at": NOW + timedelta(minutes=30),
              "refresh_expires_at": NOW + timedelta(days=99), "token_version": 3}
    return Connection(**{**fields, **overrides})


def test_a_token_with_less_than_five_minutes_left_is_not_fresh():
    assert a_connection().access_is_fresh(NOW, 300)
    assert not a_connection(access_expires_at=NOW + timedelta(minutes=4)).access_is_fresh(NOW, 300)
    assert a_connection(access_expires_at=NOW + timedelta(minutes=4)).access_is_usable(NOW)


def test_a_connection_quiet_for_a_day_is_due_for_refresh():
    assert not a_connection().needs_idle_refresh(NOW, 86400, 30 * 86400)
    quiet = a_connection(last_refresh_at=NOW - timedelta(days=1, seconds=1))
    assert quiet.needs_idle_refresh(NOW, 86400, 30 * 86400)


def test_near_the_end_of_the_refresh_token_it_is_refreshed_but_not_hammered():
    ending = a_connection(refresh_expires_at=NOW + timedelta(days=20))
    assert ending.needs_idle_refresh(NOW, 86400, 30 * 86400)
    just_done = a_connection(refresh_expires_at=NOW + timedelta(days=20),
                             last_refresh_at=NOW - timedelta(minutes=5))
    assert not just_done.needs_idle_refresh(NOW, 86400, 30 * 86400)


def test_disconnected_connections_are_never_refreshed():
    assert not a_connection(status="disconnected", last_refresh_at=None).needs_idle_refresh(
        NOW, 86400, 30 * 86400)


def test_token_lifetimes_become_instants():
    tokens = TokenSet.from_response({"access_token": "eyJ-access", "refresh_token": "AB11-refresh",
                                     "expires_in": 3600,
                                     "x_refresh_token_expires_in": 8726400}, NOW)
    assert tokens.access_expires_at == NOW + timedelta(hours=1)
    assert tokens.refresh_expires_at == NOW + timedelta(seconds=8726400)
    assert "eyJ-access" not in repr(tokens) and "AB11-refresh" not in repr(tokens)
