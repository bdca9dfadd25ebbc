"""sync-svc tests: the harness module sits next to this file (the root conftest puts this
`tests` directory first on the path while its modules are collected)."""
