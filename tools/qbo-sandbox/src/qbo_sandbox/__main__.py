"""python -m qbo_sandbox serve ... (same as the qbo-sandbox console script)."""

from .cli import main

raise SystemExit(main())
