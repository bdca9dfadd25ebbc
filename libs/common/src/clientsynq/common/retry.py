"""Named, bounded retry policies with jitter: the only retry loops in the code base.

Each returns a `tenacity.Retrying`; call it with the function and its arguments. When
every attempt failed it raises `tenacity.RetryError` (the last exception inside), so the
caller decides what "gave up" means (dead-letter, outbox keeps the entry, sync fails).
"""
from __future__ import annotations

from kafka.errors import KafkaError
from pymongo.errors import AutoReconnect, NetworkTimeout, NotPrimaryError, OperationFailure
from tenacity import (
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)


def kafka_publish_policy(attempts: int = 5) -> Retrying:
    """A broker restart or leader election takes seconds; beyond ~30 s something is down."""
    return Retrying(retry=retry_if_exception_type((KafkaError, OSError)),
                    stop=stop_after_attempt(attempts) | stop_after_delay(30),
                    wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.5))


def handler_policy(attempts: int = 3) -> Retrying:
    """Handlers are retried on anything but a declared permanent failure."""
    from clientsynq.common.kafka.consumer import HandlerFailed

    return Retrying(retry=retry_if_exception(lambda e: not isinstance(e, HandlerFailed)),
                    stop=stop_after_attempt(attempts),
                    wait=wait_exponential_jitter(multiplier=0.1, max=2, jitter=0.2))


def mongo_policy(attempts: int = 5) -> Retrying:
    """A replica-set step-down makes writes fail for a few seconds; retry through it."""
    return Retrying(retry=retry_if_exception_type((AutoReconnect, NetworkTimeout,
                                                   NotPrimaryError)),
                    stop=stop_after_attempt(attempts) | stop_after_delay(30),
                    wait=wait_exponential_jitter(multiplier=0.2, max=5, jitter=0.5))


def mongo_write_policy(attempts: int = 5) -> Retrying:
    """A single-document write that must land: also through FerretDB's "database is locked"
    (SQLITE_BUSY, InternalError code 1) when many writers contend for its SQLite file."""
    def transient(err: BaseException) -> bool:
        return isinstance(err, (AutoReconnect, NetworkTimeout, NotPrimaryError)) or (
            isinstance(err, OperationFailure) and err.code == 1)
    return Retrying(retry=retry_if_exception(transient),
                    stop=stop_after_attempt(attempts) | stop_after_delay(30),
                    wait=wait_exponential_jitter(multiplier=0.05, max=2, jitter=0.1),
                    reraise=True)


def http_policy(retry_on: type[BaseException] | tuple[type[BaseException], ...],
                attempts: int = 5, initial: float = 0.5, maximum: float = 30) -> Retrying:
    """For remote APIs (QuickBooks, webhooks out): the caller says which errors are transient."""
    return Retrying(retry=retry_if_exception_type(retry_on), stop=stop_after_attempt(attempts),
                    wait=wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial),
                    reraise=False)
