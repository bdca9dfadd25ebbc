"""Dependencies point inward (STYLE.md, issue 9), read from the source so they cannot
quietly regress: every import statement counts, those under `TYPE_CHECKING` too (a type
named from an adapter is still a dependency on it)."""
from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import clientsynq.sync
import pytest

PACKAGE = "clientsynq.sync"
ROOT = Path(clientsynq.sync.__file__).parent
ADAPTERS, ENGINE, HANDLERS = f"{PACKAGE}.adapters", f"{PACKAGE}.engine", f"{PACKAGE}.handlers"
# The outer ring: entry points and the composition root, which know the concrete classes.
OUTER = (f"{PACKAGE}.bootstrap", f"{PACKAGE}.worker", f"{PACKAGE}.app", f"{PACKAGE}.api")
# What handlers may use of the engine: its public face and the ports it defines.
ENGINE_FOR_HANDLERS = {ENGINE, f"{ENGINE}.ports"}
# The domain is pure: no other layer of ours, no I/O library.
NOT_IN_DOMAIN = (ADAPTERS, ENGINE, HANDLERS, f"{PACKAGE}.api", f"{PACKAGE}.bootstrap",
                 f"{PACKAGE}.worker", f"{PACKAGE}.scheduler", f"{PACKAGE}.services",
                 "flask", "pymongo", "confluent_kafka", "kafka", "requests", "httpx")


def modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join((PACKAGE, *(parts[:-1] if parts[-1] == "__init__" else parts)))


def imported(path: Path) -> Iterator[str]:
    """The absolute name of every module `path` imports (relative imports resolved); for
    `from package import name`, also `package.name` when that is one of our modules."""
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(part for part in (base, node.module or "") if part)
            yield name
            yield from (f"{name}.{alias.name}" for alias in node.names
                        if is_our_module(f"{name}.{alias.name}"))


def is_our_module(name: str) -> bool:
    if not is_within(name, PACKAGE):
        return False
    relative = ROOT.joinpath(*name.split(".")[2:])
    return relative.with_suffix(".py").exists() or (relative / "__init__.py").exists()


def is_within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@functools.cache
def imports_of(path: Path) -> frozenset[str]:
    """Each module read once per session, however many rules ask."""
    return frozenset(imported(path))


def offending(layer: str, forbidden: tuple[str, ...] | str) -> dict[str, list[str]]:
    found = {module_name(path): sorted({name for name in imports_of(path)
                                        if is_within(name, forbidden)})
             for path in modules(layer)}
    return {module: names for module, names in found.items() if names}


def test_the_import_reader_sees_the_imports_the_rules_are_about():
    assert f"{PACKAGE}.domain.command_status" in set(imported(ROOT / "adapters" / "commands.py"))
    assert f"{ENGINE}.ports" in set(imported(ROOT / "handlers" / "ports.py"))
    assert f"{PACKAGE}.domain.events" in set(imported(ROOT / "handlers" / "commands.py"))
    assert f"{PACKAGE}.config" in set(imported(ROOT / "handlers" / "ports.py"))
    assert f"{PACKAGE}.bootstrap" in set(imported(ROOT / "worker.py"))


@pytest.mark.parametrize("layer", ["handlers", "engine", "domain"])
def test_no_inner_layer_imports_an_adapter(layer: str):
    assert offending(layer, ADAPTERS) == {}


@pytest.mark.parametrize("layer", ["handlers", "engine"])
def test_handlers_and_the_engine_name_no_entry_point_nor_the_composition_root(layer: str):
    assert offending(layer, OUTER) == {}  # they take ports (handlers.ports.HandlerDeps)


def test_no_adapter_imports_the_engine_or_a_handler():
    assert offending("adapters", (ENGINE, HANDLERS)) == {}


def test_handlers_use_only_the_engines_public_face_and_its_ports():
    internals = {module: [name for name in names if name not in ENGINE_FOR_HANDLERS]
                 for module, names in offending("handlers", ENGINE).items()}
    assert {module: names for module, names in internals.items() if names} == {}


def test_the_domain_imports_no_other_layer_and_no_io_library():
    assert offending("domain", NOT_IN_DOMAIN) == {}


@pytest.mark.parametrize("layer", ["handlers", "engine", "adapters", "domain"])
def test_the_interval_policy_comes_from_the_domain_not_the_scheduler(layer: str):
    """Intervals and slots are domain.schedule's; the scheduler (which reads the adapters)
    is a user of them, never a source of them (issue 9)."""
    assert offending(layer, (f"{PACKAGE}.scheduler",)) == {}
