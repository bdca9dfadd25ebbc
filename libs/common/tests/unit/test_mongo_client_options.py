"""How every service's MongoDB client is made (no server needed: pymongo connects lazily)."""
from __future__ import annotations

from clientsynq.common.mongo import connect_mongo


def test_every_operation_has_an_end() -> None:
    """pymongo waits forever on a server that never answers unless told otherwise."""
    client = connect_mongo("mongodb://127.0.0.1:1/")
    try:
        assert client.options.pool_options.socket_timeout == 60
        assert client.options.pool_options.connect_timeout == 5
    finally:
        client.close()
