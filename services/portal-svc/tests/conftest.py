"""portal-svc tests: helpers sit next to this file.

`fakes.py` is imported as `portal_fakes` so it can never be confused with another
service's module of the same name when the whole repository is tested in one session.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent

if "portal_fakes" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("portal_fakes", HERE / "fakes.py")
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["portal_fakes"] = _module
    _spec.loader.exec_module(_module)
