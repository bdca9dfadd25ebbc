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

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from clientsynq.common.events import fields as ours
from marshmallow import Schema, fields, validate
from marshmallow.utils import missing

Loader = Callable[[Any], Any]
Dumper = Callable[[Any], Any]
Canon = Callable[[Any], tuple[Any, Any]]


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


def fast_canonical(schema_type: type[Schema]) -> Canon | None:
    """`canon(data)` → `(loaded, wire)` in one pass, for a producer's data (wire strings or
    the Python values `new_event` accepts): equal to loading the data's wire form and dumping
    what was loaded, or raises (any exception: take that slow path). None: not compiled."""
    return _canonical(schema_type)


@cache
def _compiled(schema_type: type[Schema]) -> tuple[Loader | None, Dumper | None]:
    schema = schema_type()
    try:
        return _schema_loader(schema), _schema_dumper(schema)
    except _Unsupported:
        return None, None


@cache
def _canonical(schema_type: type[Schema]) -> Canon | None:
    try:
        return _schema_canon(schema_type())
    except _Unsupported:
        return None


class _Unsupported(Exception):
    """A schema feature the compiler does not reproduce: leave the schema to marshmallow."""


_SCHEMA_OPTIONS = ("only", "exclude", "partial", "load_only", "dump_only")


def _schema_loader(schema: Schema) -> Loader:
    return _generated(schema, canon=False)


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
    return _schema_loader(_nested_schema(field))


def _nested_schema(field: fields.Nested) -> Schema:
    if field.many or field.only or field.exclude or field.unknown is not None:
        raise _Unsupported
    nested = field.nested
    if not (isinstance(nested, type) and issubclass(nested, Schema)):
        raise _Unsupported
    return nested()


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


# --- load and dump fused, for the producer (`new_event`) -----------------------------------
#
# Building an event used to write its Python values to wire strings, load those (parsing
# every date and amount), then dump what was loaded back to wire strings: three walks of the
# payload. The canonicaliser walks it once and returns both the loaded values (which the
# schema's hooks need) and the wire form; a date-time already in the form `format_time`
# writes is kept as given rather than formatted again.


def _schema_canon(schema: Schema) -> Canon:
    return _generated(schema, canon=True)


def _field_canon(field: fields.Field) -> Canon:
    canon_value = _value_canon(field)
    checks = tuple(field.validators)
    allow_none = field.allow_none

    def canon_field(value: Any) -> tuple[Any, Any]:
        if value is None:
            if allow_none:
                return None, None
            raise GiveUp
        loaded, wire = canon_value(value)
        for check in checks:
            if check(loaded) is False:
                raise GiveUp
        return loaded, wire

    return canon_field


def _same(load: Loader) -> Canon:
    def canon(value: Any) -> tuple[Any, Any]:
        loaded = load(value)
        return loaded, loaded
    return canon


def _value_canon(field: fields.Field) -> Canon:
    kind = type(field)
    if kind in (ours.NonEmptyString, fields.String, ours.StrictInteger, ours.StrictBoolean):
        return _same(_value_loader(field))  # the wire value is the loaded value
    if kind is ours.Money and field.max_places >= 2:  # type: ignore[attr-defined]
        return _money_canon(field)
    if kind in (ours.Money, ours.DecimalString, ours.IsoDate):
        deserialize, serialize = field._deserialize, field._serialize
        return lambda value: _reformat(deserialize(_wire_scalar(value), None, None), serialize)
    if kind is ours.UtcDateTime:
        return _utc_canon(field)
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        return _schema_canon(_nested_schema(field))
    if isinstance(field, fields.List) and kind is fields.List:
        return _list_canon(_field_canon(field.inner))
    raise _Unsupported


def _reformat(loaded: Any, serialize: Callable[..., Any]) -> tuple[Any, Any]:
    return loaded, serialize(loaded, None, None)


# An amount already as `format_money` writes it with two places: no leading zeros, exactly
# two decimals (so at most two significant places), within `parse_money`'s 18 digits.
_CENTS_RE = re.compile(r"-?(?:0|[1-9]\d{0,17})\.\d\d")


def _money_canon(field: fields.Field) -> Canon:
    """Amounts as our producers write them ("12.50") are kept as given: parsing them is all
    the check there is (`format_money` would write the same string back)."""
    deserialize, serialize = field._deserialize, field._serialize
    cents = _CENTS_RE.fullmatch

    def canon(value: Any) -> tuple[Any, Any]:
        if type(value) is str and cents(value):
            return Decimal(value), value
        return _reformat(deserialize(_wire_scalar(value), None, None), serialize)

    return canon


def _utc_canon(field: fields.Field) -> Canon:
    """An aware datetime needs no parsing: its wire form is `format_time`'s, which the field
    loads back as the same instant; a string is parsed, and kept if already in that form."""
    deserialize, serialize = field._deserialize, field._serialize

    def canon(value: Any) -> tuple[Any, Any]:
        if type(value) is datetime and value.tzinfo is not None:
            return value, ours.format_time(value)
        text = _wire_scalar(value)
        loaded = deserialize(text, None, None)
        return loaded, text if _written_as_we_write(text, loaded) else serialize(
            loaded, None, None)

    return canon


def _written_as_we_write(text: Any, loaded: datetime) -> bool:
    """True when `format_time(loaded)` would give `text` back: `YYYY-MM-DDTHH:MM:SSZ`, or
    with six fraction digits that are not all zero (isoformat omits a zero fraction)."""
    if type(text) is not str or text[-1:] != "Z" or text[10:11] != "T":
        return False
    size = len(text)
    return size == 20 or (size == 27 and loaded.microsecond != 0)


def _list_canon(inner: Canon) -> Canon:
    def canon(value: Any) -> tuple[Any, Any]:
        if type(value) is not list and type(value) is not tuple:
            raise GiveUp
        pairs = [inner(item) for item in value]
        return [loaded for loaded, _ in pairs], [wire for _, wire in pairs]
    return canon


def _wire_scalar(value: Any) -> Any:
    """What `envelope._to_wire` writes for a scalar a producer passed (the same rules)."""
    kind = type(value)
    if kind is str:
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is None else ours.format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise GiveUp  # anything else: the slow path says what is wrong with it


# --- one plain function per schema -----------------------------------------------------------
#
# A loop over (name, field-loader) pairs pays two Python calls and a tuple unpacking per
# field; for a 16-field snapshot that was most of the compiled load. So each schema's loader
# (and canonicaliser) is written out as straight-line source once, from the same field
# rules as above: a type test inline for text, integers and booleans, the field's own
# `_deserialize` (or the canonicaliser's helper) for amounts, dates and times, a sub-function
# for nested schemas and lists, then the field's validators and the schema's hooks.

_INLINE_TESTS = {
    ours.NonEmptyString: "type(v) is not str or not v",
    fields.String: "type(v) is not str",
    ours.StrictInteger: "type(v) is not int",
    ours.StrictBoolean: "type(v) is not bool",
}


def _generated(schema: Schema, *, canon: bool) -> Callable[[Any], Any]:
    _check_schema(schema)
    namespace: dict[str, Any] = {"GiveUp": GiveUp, "Mapping": Mapping,
                                 "names": frozenset(schema.load_fields)}
    lines = ["def run(data):",
             "    if type(data) is not dict and " + (
                 "not isinstance(data, Mapping):" if canon else "True:"),
             "        raise GiveUp",
             "    if not names.issuperset(data):",
             "        raise GiveUp",
             "    out = {}", "    wire = {}" if canon else "    pass"]
    for index, (name, field) in enumerate(schema.load_fields.items()):
        lines += _field_source(index, name, field, namespace, canon)
    for index, validator in enumerate(_schema_validators(schema)):
        namespace[f"hook{index}"] = validator
        lines.append(f"    hook{index}(out)")
    lines.append("    return (out, wire)" if canon else "    return out")
    exec(compile("\n".join(lines), f"<compiled {type(schema).__name__}>", "exec"),  # noqa: S102
         namespace)
    return namespace["run"]  # type: ignore[no-any-return]


def _field_source(index: int, name: str, field: fields.Field, namespace: dict[str, Any],
                  canon: bool) -> list[str]:
    key = repr(name)
    inline = _INLINE_TESTS.get(type(field))
    if inline is None:  # amounts, dates, times, nested, lists: their own function
        namespace[f"f{index}"] = _value_canon(field) if canon else _value_loader(field)
    checks = [f"c{index}_{n}" for n in range(len(field.validators))]
    namespace.update(zip(checks, field.validators, strict=True))
    lines = [f"    if {key} in data:", f"        v = data[{key}]", "        if v is None:"]
    lines.append(f"            out[{key}] = None" + (f"; wire[{key}] = None" if canon else "")
                 if field.allow_none else "            raise GiveUp")
    lines.append("        else:")
    if inline is not None:
        lines += [f"            if {inline}:", "                raise GiveUp", "            w = v"]
    elif canon:
        lines.append(f"            v, w = f{index}(v)")
    else:
        lines.append(f"            v = f{index}(v)")
    text_field = type(field) in (ours.NonEmptyString, fields.String)
    for check, validator in zip(checks, field.validators, strict=True):
        lines += [f"            if {_inline_check(check, validator, namespace, text_field)}:",
                  "                raise GiveUp"]
    lines.append(f"            out[{key}] = v" + (f"; wire[{key}] = w" if canon else ""))
    if field.required:
        lines += ["    else:", "        raise GiveUp"]
    elif field.load_default is not missing:
        namespace[f"d{index}"], namespace[f"dump{index}"] = field.load_default, _value_dumper(field)
        value = f"d{index}()" if callable(field.load_default) else f"d{index}"
        lines += ["    else:", f"        v = {value}", f"        out[{key}] = v"]
        if canon:
            lines.append(f"        wire[{key}] = None if v is None else dump{index}(v)")
    return lines


def _inline_check(name: str, validator: Any, namespace: dict[str, Any], text_field: bool) -> str:
    """The test that refuses `v`, as source. On a text field (`v` is a str by then) a
    `Pattern` or a `OneOf` of strings is written out: the validator's own length cap and
    pattern, or its choices; a method call per field was a fifth of a snapshot's check.
    Anything else calls the validator object (a raise or False: give up)."""
    if text_field and type(validator) is ours.Pattern:
        namespace[f"{name}_match"] = validator.pattern.fullmatch
        return f"len(v) > {int(validator.max_length)} or not {name}_match(v)"
    choices = getattr(validator, "choices", None)
    if (text_field and type(validator) is validate.OneOf and choices is not None
            and all(type(choice) is str for choice in choices)):
        namespace[f"{name}_choices"] = frozenset(choices)
        return f"v not in {name}_choices"
    return f"{name}(v) is False"
