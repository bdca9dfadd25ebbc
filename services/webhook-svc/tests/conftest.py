"""webhook-svc test fixtures (the shared `infra`, `kafka_conn`, `mongo_db`, `qbo_sandbox`,
`connect_tenant` come from tests/support via the root conftest)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
