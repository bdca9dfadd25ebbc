"""Record dataclasses ↔ MongoDB documents, driven by the type hints.

Money stays exact: Decimals are stored as strings (FerretDB 1.x has no Decimal128), dates
as ISO strings (they compare correctly as strings), datetimes as BSON dates.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Hashable
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
    hints = _hints(cast(Hashable, cls))
    values = {name: _load(hint, doc[name]) for name, hint in hints.items() if name in doc}
    return cls(**values)


@cache
def _hints(cls: Any) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in typing.get_type_hints(cls).items() if k in names}


def _load(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _load(inner[0], value)
    if origin is tuple:
        return tuple(_load(typing.get_args(hint)[0], item) for item in value)
    if hint is Decimal:
        return Decimal(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_doc(hint, value)
    if origin is dict:
        return dict(value)
    return value
