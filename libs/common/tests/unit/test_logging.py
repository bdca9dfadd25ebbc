from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from clientsynq.common.logging import bind_event_id, bind_request_id, configure_logging

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("sync", "DEBUG", stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_the_standard_fields(output: io.StringIO) -> None:
    logging.getLogger("clientsynq.sync.handlers").info(
        "sync.page_saved", extra={"tenant_id": "t1", "entity": "Invoice", "page": 3})

    [entry] = lines(output)

    assert entry["event"] == "sync.page_saved" and entry["level"] == "INFO"
    assert entry["logger"] == "clientsynq.sync.handlers" and entry["service"] == "sync"
    assert entry["time"].endswith("Z") and "T" in entry["time"]
    assert (entry["tenant_id"], entry["entity"], entry["page"]) == ("t1", "Invoice", 3)


def test_request_and_event_ids_come_from_the_bound_context(output: io.StringIO) -> None:
    log = logging.getLogger("x")
    with bind_request_id("req-1"):
        log.info("inside.request")
        with bind_event_id("evt-9"):
            log.info("inside.event")
    log.info("outside")

    first, second, third = lines(output)

    assert first["request_id"] == "req-1" and "event_id" not in first
    assert second["request_id"] == "req-1" and second["event_id"] == "evt-9"
    assert "request_id" not in third and "event_id" not in third


def test_ids_may_also_come_from_extra(output: io.StringIO) -> None:
    logging.getLogger("x").info("e", extra={"event_id": "evt-1"})

    assert lines(output)[0]["event_id"] == "evt-1"


def test_a_token_passed_in_extra_never_reaches_the_output(output: io.StringIO) -> None:
    logging.getLogger("x").warning("auth.refresh_failed", extra={
        "access_token": JWT, "refresh_token": "AB11-refresh-value", "Authorization": "x",
        "client_secret": "cs-value", "code": "AB11oauthCodeValue0123456789", "password": "pw-value",
        "details": {"api_key": "ak-value", "note": f"header was Bearer {JWT}"},
        "realm_id": "9130350000000001",
    })

    text = output.getvalue()
    entry = lines(output)[0]

    for secret in (JWT, "AB11-refresh-value", "cs-value", "AB11oauthCodeValue0123456789",
                   "pw-value", "ak-value"):
        assert secret not in text
    assert entry["access_token"] == "[REDACTED]" and entry["Authorization"] == "[REDACTED]"
    assert entry["realm_id"] == "9130350000000001"


def test_tokens_in_messages_and_exceptions_are_redacted(output: io.StringIO) -> None:
    log = logging.getLogger("x")
    log.info("calling with Bearer %s", JWT)
    log.info("callback https://app/cb?code=secret-code-123&state=s1")
    try:
        raise ValueError(f"refresh failed for token {JWT}")
    except ValueError:
        log.exception("auth.refresh_crashed")

    text = output.getvalue()
    entries = lines(output)

    assert JWT not in text and "secret-code-123" not in text
    assert "state=s1" in entries[1]["event"]
    assert "ValueError" in entries[2]["exc_info"]


def test_configuring_twice_does_not_duplicate_lines(output: io.StringIO) -> None:
    second = io.StringIO()
    configure_logging("sync", "INFO", stream=second)

    logging.getLogger("x").info("once")

    assert len(lines(second)) == 1 and lines(output) == []


def test_level_filters_records(output: io.StringIO) -> None:
    configure_logging("sync", "WARNING", stream=output)

    logging.getLogger("x").info("hidden")
    logging.getLogger("x").warning("shown")

    assert [entry["event"] for entry in lines(output)] == ["shown"]


JWE = ("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..Rk5H0pq2GmW3Yx1bI0ZlUw."
       "aGVsbG8td29ybGQtdGhpcy1pcy1hbi1lbmNyeXB0ZWQtcGF5bG9hZA.bXktdGFn")
REFRESH = "AB11772637482xVHj1rZgOPLlT0xCJ8qwKHRmXq9EgxXwzBo2k"


def test_a_token_response_logged_as_text_shows_no_token(output: io.StringIO) -> None:
    """What requests-oauthlib writes at DEBUG: the JSON body and the token dict's repr."""
    log = logging.getLogger("x")
    body = (f'{{"token_type":"bearer","access_token":"{JWE}","expires_in":3600,'
            f'"refresh_token":"{REFRESH}","x_refresh_token_expires_in":8726400}}')
    log.debug("Response headers were %s and content %s.", {"a": "b"}, body)
    log.debug("Obtained token %s.", {"access_token": "opaque-access-1", "refresh_token":
                                      "opaque-refresh-1", "expires_in": 3600})
    log.debug("Prepared refresh token request body %s",
              "grant_type=refresh_token&refresh_token=opaque-refresh-2")

    text = output.getvalue()

    for secret in (JWE, "Rk5H0pq2GmW3Yx1bI0ZlUw", REFRESH, "opaque-access-1",
                   "opaque-refresh-1", "opaque-refresh-2"):
        assert secret not in text
    assert '"expires_in":3600' in lines(output)[0]["event"]


def test_jwe_shaped_tokens_anywhere_in_text_are_redacted(output: io.StringIO) -> None:
    logging.getLogger("x").warning("qbo said no to %s", JWE, extra={"note": f"token {JWE}"})

    assert "Rk5H0pq2GmW3Yx1bI0ZlUw" not in output.getvalue()
    assert "bXktdGFn" not in output.getvalue()


def test_harmless_codes_stay_visible(output: io.StringIO) -> None:
    logging.getLogger("x").warning("qbo.fault", extra={
        "code": "6000", "error": {"code": "invalid_grant"}, "detail": '{"code": "3200"}'})

    entry = lines(output)[0]

    assert entry["code"] == "6000" and entry["error"] == {"code": "invalid_grant"}
    assert entry["detail"] == '{"code": "3200"}'


@pytest.mark.parametrize("library", ["requests_oauthlib", "oauthlib", "urllib3"])
def test_token_logging_libraries_stay_quiet_at_debug(output: io.StringIO,
                                                     library: str) -> None:
    logging.getLogger(f"{library}.oauth2_session").debug("Obtained token %s", "t")

    assert lines(output) == []


def test_kafka_io_loop_timing_warnings_are_not_logged(output: io.StringIO) -> None:
    """kafka-python 3 warns of every IO step over 100 ms (often, on a busy machine): hidden;
    its errors and the rest of kafka's warnings still show."""
    logging.getLogger("kafka.net.selector").warning("Task ran for 0.131s (>0.100s threshold)")
    logging.getLogger("kafka.net.selector").error("selector failed")
    logging.getLogger("kafka.consumer.fetcher").warning("fetch failed")

    assert [entry["event"] for entry in lines(output)] == ["selector failed", "fetch failed"]
