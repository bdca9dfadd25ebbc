"""Record dataclasses ↔ MongoDB documents, driven by the type hints.

Money stays exact: Decimals are stored as strings (FerretDB 1.x has no Decimal128), dates
as ISO strings (they compare correctly as strings), datetimes as BSON dates.
"""
from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Hashable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, cast

T = TypeVar("T")


def to_doc(record: Any) -> dict[str, Any]:
    return {f.name: _dump(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _dump(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_doc(value)
    if isinstance(value, (tuple, list)):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    return value


def from_doc(cls: type[T], doc: typing.Mapping[str, Any]) -> T:
    values = {}
    for name, load in _loaders(cast(Hashable, cls)):
        if name in doc:
            value = doc[name]
            values[name] = value if value is None or load is None else load(value)
    return cls(**values)


Loader = Callable[[Any], Any] | None  # None: the stored value as it is


@cache
def _loaders(cls: Any) -> tuple[tuple[str, Loader], ...]:
    """Each field's conversion, worked out once per class from its type hints (a list page
    loads thousands of records: inspecting the hints per value was most of its Python time)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return tuple((name, _loader(hint)) for name, hint in typing.get_type_hints(cls).items()
                 if name in names)


def _loader(hint: Any) -> Loader:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _loader(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    if origin is tuple:
        return _tuple_loader(_loader(typing.get_args(hint)[0]))
    if hint is Decimal:
        return Decimal
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return functools.partial(from_doc, hint)
    if origin is dict:
        return dict
    return None


def _tuple_loader(item: Loader) -> Callable[[Any], tuple[Any, ...]]:
    if item is None:
        return tuple
    return lambda values: tuple(None if v is None else item(v) for v in values)
