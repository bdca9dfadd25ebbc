"""Parser for Intuit's query language: SELECT * | COUNT(*) FROM Entity [WHERE a AND b]
[ORDERBY p [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS n].

Keywords are case-insensitive, entity names are not. Anything else is rejected with the
QueryParserError fault QBO sends, never an exception escaping to the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import query_parse_error

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000
OPERATORS = ("=", "<", ">", "<=", ">=", "IN", "LIKE")

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:\\.|[^'\\])*')
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
  | (?P<word>[A-Za-z_][\w.]*)
)""", re.VERBOSE)


@dataclass(frozen=True)
class Condition:
    """One `Prop Op Value` (values has several items only for IN)."""

    prop: str
    op: str
    values: tuple[str | float | bool, ...]


@dataclass(frozen=True)
class Query:
    """A parsed statement."""

    entity: str
    is_count: bool
    conditions: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]
    start_position: int
    max_results: int
    requested_max_results: int = 0  # as written, before the cap (0: not given)


@dataclass
class _Token:
    kind: str
    text: str
    column: int


def tokenize(statement: str) -> list[_Token]:
    """Split a statement into tokens, failing at the first character nothing matches."""
    tokens: list[_Token] = []
    position = 0
    text = statement.rstrip().rstrip(";")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + 1
            raise query_parse_error(f'Encountered " "{text[position:position + 1]}" "" at '
                                    f"line 1, column {column}.")
        kind = match.lastgroup or "word"
        tokens.append(_Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, statement: str) -> None:
        self.tokens = tokenize(statement)
        self.index = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() == word

    def take(self, expected: str) -> _Token:
        token = self.peek()
        if token is None:
            raise query_parse_error(f'Encountered "<EOF>" at line 1. Was expecting: {expected}')
        self.index += 1
        return token

    def expect_keyword(self, word: str) -> None:
        token = self.take(word)
        if token.kind != "word" or token.text.upper() != word:
            self.fail(token, word)

    def expect_punct(self, char: str) -> None:
        token = self.take(f'"{char}"')
        if token.text != char:
            self.fail(token, f'"{char}"')

    @staticmethod
    def fail(token: _Token, expected: str) -> None:
        raise query_parse_error(f'Encountered " <{token.kind.upper()}> "{token.text} "" at '
                                f"line 1, column {token.column}.\nWas expecting:\n    {expected}")


def parse_query(statement: str) -> Query:
    """Parse one statement; raise QboFault 4000 on anything QBO would not parse."""
    if not statement or not statement.strip():
        raise query_parse_error("Encountered \"<EOF>\" at line 1, column 1.")
    parser = _Parser(statement)
    parser.expect_keyword("SELECT")
    is_count = _select_list(parser)
    parser.expect_keyword("FROM")
    entity = parser.take("<IDENTIFIER>")
    if entity.kind != "word":
        parser.fail(entity, "<IDENTIFIER>")
    conditions = _where(parser) if parser.is_keyword("WHERE") else ()
    order = _order_by(parser) if _at_order_by(parser) else ()
    start = _number_clause(parser, "STARTPOSITION", 1)
    max_results = _number_clause(parser, "MAXRESULTS", DEFAULT_MAX_RESULTS)
    if parser.peek() is not None:
        parser.fail(parser.peek(), "<EOF>")  # type: ignore[arg-type]
    return Query(entity.text, is_count, conditions, order, max(start, 1),
                 min(max(max_results, 1), MAX_RESULTS_LIMIT), max_results)


def _select_list(parser: _Parser) -> bool:
    """`*`, `COUNT(*)` or a property list (QBO ignores projections and returns everything)."""
    if parser.is_keyword("COUNT"):
        parser.take("COUNT")
        parser.expect_punct("(")
        parser.expect_punct("*")
        parser.expect_punct(")")
        return True
    token = parser.take('"*"')
    if token.text == "*":
        nxt = parser.peek()
        if nxt is None or nxt.text != ",":
            return False
        parser.take(",")  # python-quickbooks' Item.all(): "SELECT *, Sku FROM Item"
        token = parser.take("<IDENTIFIER>")
    while True:
        if token.kind != "word":
            parser.fail(token, '"*" or <IDENTIFIER>')
        nxt = parser.peek()
        if nxt is None or nxt.text != ",":
            return False
        parser.take(",")
        token = parser.take("<IDENTIFIER>")


def _where(parser: _Parser) -> tuple[Condition, ...]:
    parser.take("WHERE")
    conditions = [_condition(parser)]
    while parser.is_keyword("AND"):
        parser.take("AND")
        conditions.append(_condition(parser))
    if parser.is_keyword("OR"):
        parser.fail(parser.peek(), "ORDERBY, STARTPOSITION, MAXRESULTS or <EOF> "  # type: ignore[arg-type]
                    "(OR is not supported)")
    return tuple(conditions)


def _condition(parser: _Parser) -> Condition:
    prop = parser.take("<IDENTIFIER>")
    if prop.kind != "word":
        parser.fail(prop, "<IDENTIFIER>")
    op_token = parser.take("an operator")
    op = op_token.text.upper()
    if op not in OPERATORS:
        parser.fail(op_token, " | ".join(OPERATORS))
    if op == "IN":
        parser.expect_punct("(")
        values = [_value(parser)]
        while parser.peek() is not None and parser.peek().text == ",":  # type: ignore[union-attr]
            parser.take(",")
            values.append(_value(parser))
        parser.expect_punct(")")
        return Condition(prop.text, op, tuple(values))
    return Condition(prop.text, op, (_value(parser),))


def _value(parser: _Parser) -> str | float | bool:
    token = parser.take("a value")
    if token.kind == "string":
        return re.sub(r"\\(.)", r"\1", token.text[1:-1])
    if token.kind == "number":
        return float(token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    if token.kind == "word":
        return token.text
    parser.fail(token, "<STRING> | <NUMBER> | true | false")
    raise AssertionError  # unreachable: fail always raises


def _at_order_by(parser: _Parser) -> bool:
    """QBO's ORDERBY, or ORDER BY as python-quickbooks' `all(order_by=...)` writes it."""
    if parser.is_keyword("ORDERBY"):
        return True
    following = parser.tokens[parser.index + 1] if parser.index + 1 < len(parser.tokens) \
        else None
    return parser.is_keyword("ORDER") and following is not None and \
        following.text.upper() == "BY"


def _order_by(parser: _Parser) -> tuple[tuple[str, bool], ...]:
    if parser.take("ORDERBY").text.upper() == "ORDER":
        parser.take("BY")
    order = []
    while True:
        prop = parser.take("<IDENTIFIER>")
        if prop.kind != "word":
            parser.fail(prop, "<IDENTIFIER>")
        descending = False
        if parser.is_keyword("DESC") or parser.is_keyword("ASC"):
            descending = parser.take("DESC").text.upper() == "DESC"
        order.append((prop.text, descending))
        nxt = parser.peek()
        if nxt is None or nxt.text != ",":
            return tuple(order)
        parser.take(",")


def _number_clause(parser: _Parser, keyword: str, default: int) -> int:
    if not parser.is_keyword(keyword):
        return default
    parser.take(keyword)
    token = parser.take("<INTEGER>")
    if token.kind != "number" or "." in token.text:
        parser.fail(token, "<INTEGER>")
    return int(token.text)
