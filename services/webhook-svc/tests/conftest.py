"""webhook-svc test fixtures (the shared `infra`, `kafka_conn`, `mongo_db`, `qbo_sandbox`,
`connect_tenant` come from tests/support via the root conftest, which also puts this `tests`
directory first on the path while its modules are collected)."""
