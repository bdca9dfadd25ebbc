"""Rewrite deploy/k8s/base/generated/ (see deploy/k8s/generator/__init__.py)."""
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
runpy.run_module("generator", run_name="__main__")
