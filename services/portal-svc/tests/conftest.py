"""portal-svc tests: helpers sit next to this file (`portal_fakes.py`, the harnesses), found
by name on pyproject's pythonpath; shared fixtures come from tests/support via the root
conftest."""
