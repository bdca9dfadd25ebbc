"""Each marshmallow schema compiled once into a plain-Python loader and dumper.

Marshmallow stays the definition of every event: the compiled functions are derived from a
schema's declared fields, validators and ``validates_schema`` hooks when the schema is first
used, and they call the fields' own ``_deserialize``/``_serialize`` and validator objects.
What they skip is marshmallow's per-field machinery (error stores, getters, hook lookup),
which costs more than the checks themselves on every event at both ends.

The loader accepts only what is plainly valid; anything else (a wrong type, an unknown or
missing field, a failing validator, a field kind it does not know) makes it give up, and the
caller asks marshmallow, which decides and words the reason. So the fast path may be
stricter than the schema, never looser, and returns exactly what ``Schema.load`` would; a
test holds the two together on a batch of valid and invalid events.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from clientsynq.common.events import fields as ours
from marshmallow import Schema, fields
from marshmallow.utils import missing

Loader = Callable[[Any], Any]
Dumper = Callable[[Any], Any]


class GiveUp(Exception):
    """The fast path does not decide this value: marshmallow will."""


def fast_loader(schema_type: type[Schema]) -> Loader | None:
    """`load(data)` that returns what `schema.load(data)` would, or raises (any exception
    means: ask marshmallow). None when the schema uses something this compiler does not
    know, in which case marshmallow does every load."""
    return _compiled(schema_type)[0]


def fast_dumper(schema_type: type[Schema]) -> Dumper | None:
    """`dump(data)` equal to `schema.dump(data)` for loaded data, or None (use marshmallow)."""
    return _compiled(schema_type)[1]


@cache
def _compiled(schema_type: type[Schema]) -> tuple[Loader | None, Dumper | None]:
    schema = schema_type()
    try:
        return _schema_loader(schema), _schema_dumper(schema)
    except _Unsupported:
        return None, None


class _Unsupported(Exception):
    """A schema feature the compiler does not reproduce: leave the schema to marshmallow."""


_SCHEMA_OPTIONS = ("only", "exclude", "partial", "load_only", "dump_only")


def _schema_loader(schema: Schema) -> Loader:
    _check_schema(schema)
    steps = [(name, field.required, field.load_default, _field_loader(field))
             for name, field in schema.load_fields.items()]
    names = frozenset(schema.load_fields)
    validators = _schema_validators(schema)

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict or not names.issuperset(data):
            raise GiveUp
        loaded: dict[str, Any] = {}
        for name, required, default, load_value in steps:
            if name in data:
                loaded[name] = load_value(data[name])
            elif required:
                raise GiveUp
            elif default is not missing:
                loaded[name] = default() if callable(default) else default
        for validator in validators:
            validator(loaded)  # raises ValidationError: marshmallow words it
        return loaded

    return load


def _check_schema(schema: Schema) -> None:
    if schema.unknown != "raise" or any(getattr(schema, o, None) for o in _SCHEMA_OPTIONS):
        raise _Unsupported
    if schema.many:
        raise _Unsupported
    for name, field in schema.fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise _Unsupported
        if field.load_only or field.dump_only:
            raise _Unsupported


def _schema_validators(schema: Schema) -> list[Callable[[dict[str, Any]], None]]:
    """Only plain `@validates_schema` hooks (no pre/post-load, no per-field `@validates`),
    called as marshmallow calls them after a load without field errors."""
    validators: list[Callable[[dict[str, Any]], None]] = []
    for tag, hooks in schema._hooks.items():
        for attr, many, options in hooks:
            if tag != "validates_schema" or many or options.get("pass_original"):
                raise _Unsupported
            validators.append(_hook_caller(getattr(schema, attr)))
    return validators


def _hook_caller(method: Callable[..., Any]) -> Callable[[dict[str, Any]], None]:
    def validate(data: dict[str, Any]) -> None:
        method(data, partial=None, many=False)
    return validate


def _field_loader(field: fields.Field) -> Loader:
    """The field's load, with marshmallow's None rule and its validators."""
    load = _value_loader(field)
    checks = tuple(field.validators)
    allow_none = field.allow_none

    def load_field(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise GiveUp
        loaded = load(value)
        for check in checks:
            if check(loaded) is False:
                raise GiveUp
        return loaded

    return load_field


def _value_loader(field: fields.Field) -> Loader:
    kind = type(field)
    if kind in (ours.NonEmptyString,):
        return _non_empty_string
    if kind is fields.String:
        return _string
    if kind is ours.StrictInteger:
        return _integer
    if kind is ours.StrictBoolean:
        return _boolean
    if kind in (ours.Money, ours.DecimalString, ours.UtcDateTime, ours.IsoDate):
        deserialize = field._deserialize
        return lambda value: deserialize(value, None, None)
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        return _nested_loader(field)
    if isinstance(field, fields.List) and kind is fields.List:
        inner = _field_loader(field.inner)
        return lambda value: [inner(item) for item in _a_list(value)]
    raise _Unsupported


def _nested_loader(field: fields.Nested) -> Loader:
    if field.many or field.only or field.exclude or field.unknown is not None:
        raise _Unsupported
    nested = field.nested
    if not (isinstance(nested, type) and issubclass(nested, Schema)):
        raise _Unsupported
    return _schema_loader(nested())


def _a_list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise GiveUp
    return value


def _string(value: Any) -> str:
    if type(value) is not str:
        raise GiveUp
    return value


def _non_empty_string(value: Any) -> str:
    if type(value) is not str or not value:
        raise GiveUp
    return value


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise GiveUp
    return value


def _boolean(value: Any) -> bool:
    if type(value) is not bool:
        raise GiveUp
    return value


def _schema_dumper(schema: Schema) -> Dumper:
    steps = [(name, _value_dumper(field)) for name, field in schema.dump_fields.items()]

    def dump(data: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, dump_value in steps:
            if name in data:
                value = data[name]
                out[name] = None if value is None else dump_value(value)
        return out

    return dump


def _value_dumper(field: fields.Field) -> Dumper:
    kind = type(field)
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        if not (isinstance(field.nested, type) and issubclass(field.nested, Schema)):
            raise _Unsupported
        return _schema_dumper(field.nested())
    if isinstance(field, fields.List) and kind is fields.List:
        inner = _value_dumper(field.inner)
        return lambda value: [None if item is None else inner(item) for item in value]
    if kind in (ours.NonEmptyString, fields.String):
        serialize_text = field._serialize
        return lambda value: value if type(value) is str else serialize_text(value, None, None)
    if kind in (ours.StrictInteger, ours.StrictBoolean):
        serialize_plain, same = field._serialize, (int if kind is ours.StrictInteger else bool)
        return lambda value: (value if type(value) is same
                              else serialize_plain(value, None, None))
    if kind in (ours.Money, ours.DecimalString, ours.UtcDateTime, ours.IsoDate):
        serialize = field._serialize
        return lambda value: serialize(value, None, None)
    raise _Unsupported
