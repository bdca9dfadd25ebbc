"""Re-vendor the CRD schemas our custom resources are validated against (run by hand).

`python tests/deploy/schemas/vendor_crds.py MIRROR_ROOT` reads each CRD from a local git
checkout of its upstream repository (`MIRROR_ROOT/<owner>+<repo>/repo`, at HEAD), keeps only
the `openAPIV3Schema` of each served version, drops `description` texts (half the bytes, no
validation meaning) and writes one JSON file per group/kind/version into `crds/`. The
sources and commits are recorded in README.md beside this file: update it with the run.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = {
    "strimzi/strimzi-kafka-operator": [
        "packaging/install/cluster-operator/040-Crd-kafka.yaml",
        "packaging/install/cluster-operator/043-Crd-kafkatopic.yaml",
        "packaging/install/cluster-operator/044-Crd-kafkauser.yaml",
        "packaging/install/cluster-operator/045-Crd-kafkanodepool.yaml",
    ],
    "mongodb/mongodb-kubernetes-operator": [
        "config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml",
    ],
    "cert-manager/cert-manager": [
        "deploy/crds/cert-manager.io_clusterissuers.yaml",
        "deploy/crds/cert-manager.io_certificates.yaml",
    ],
    "prometheus-operator/prometheus-operator": [
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
        "example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml",
    ],
    "external-secrets/external-secrets": [
        "config/crds/bases/external-secrets.io_externalsecrets.yaml",
        "config/crds/bases/external-secrets.io_secretstores.yaml",
    ],
}


def strip_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def vendor(mirror_root: Path) -> list[str]:
    lines = []
    for repo, files in SOURCES.items():
        git = mirror_root / repo.replace("/", "+") / "repo"
        commit = subprocess.check_output(["git", "-C", str(git), "rev-parse", "HEAD"],
                                         text=True).strip()
        for path in files:
            text = subprocess.check_output(["git", "-C", str(git), "show", f"HEAD:{path}"],
                                           text=True)
            for crd in yaml.safe_load_all(text):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                spec = crd["spec"]
                for version in spec["versions"]:
                    if not version.get("served"):
                        continue
                    schema = strip_descriptions(version["schema"]["openAPIV3Schema"])
                    name = f"{spec['group']}_{spec['names']['kind']}_{version['name']}.json"
                    (HERE / "crds" / name).write_text(json.dumps(schema, sort_keys=True) + "\n")
                    lines.append(f"| `crds/{name}` | {repo} | `{path}` | `{commit}` |")
    return lines


if __name__ == "__main__":
    print("\n".join(vendor(Path(sys.argv[1]))))
