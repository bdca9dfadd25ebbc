"""Offline schema validation: Kubernetes' own kinds against kubernetes-validate's strict
JSON schemas, custom resources against the vendored CRD schemas (schemas/README.md).

Strict means unknown fields are errors, as `kubectl apply --validate=strict` would say; a
CRD schema is made strict the same way (an object that lists its properties accepts no
others unless it says x-kubernetes-preserve-unknown-fields), since the API server would
otherwise drop a misspelt field without a word.
"""
from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

KUBERNETES_VERSION = "1.34.0"
CRDS = Path(__file__).resolve().parent / "schemas" / "crds"
_K8S_DIR = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"


def _package_json(name: str) -> Any:
    ref = resources.files("kubernetes_validate").joinpath(f"{_K8S_DIR}/{name}")
    return json.loads(ref.read_text())


@cache
def _k8s_validator(kind: str, api_version: str) -> jsonschema.protocols.Validator | None:
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = _package_json(f"{kind.lower()}-{group_version}.json")
    except FileNotFoundError:
        return None
    registry: Registry = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(_definitions()) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@cache
def _definitions() -> Any:
    return _package_json("_definitions.json")


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


@cache
def _crd_validator(kind: str, api_version: str) -> jsonschema.protocols.Validator | None:
    group, _, version = api_version.rpartition("/")
    path = CRDS / f"{group}_{kind}_{version}.json"
    if not path.is_file():
        return None
    schema = _strict(json.loads(path.read_text()))
    # metadata is the API server's (ObjectMeta), not the CRD's: any object here.
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return jsonschema.Draft7Validator(schema)


def problems(doc: dict[str, Any]) -> list[str]:
    """Every schema error of one resource; a kind without a schema is itself an error."""
    kind, api_version = doc.get("kind", "?"), doc.get("apiVersion", "?")
    name = f"{kind}/{doc.get('metadata', {}).get('name', '?')}"
    validator = _crd_validator(kind, api_version) or _k8s_validator(kind, api_version)
    if validator is None:
        return [f"{name}: no schema for {api_version} {kind}"]
    return [f"{name}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(doc)]
