"""Check that a SQL rule string is exactly one safe boolean expression (used by `checks`).

Input: the rule text, the allowed function names (lower case) and the length/nesting limits.
Output: nothing when the rule is safe; otherwise `UnsafeRule` naming the token, its 0-based
position and a fix. Example: `amount > 0` passes; `amount > 0; DROP TABLE t` fails at ';'.

The tokenizer knows Spark SQL's literals (so `note != '--'` is data, not a comment) and the parser
accepts the expression grammar only: no statements, clauses, comments or unknown functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["FORBIDDEN_KEYWORDS", "UnsafeRule", "check_expression", "words"]


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text` (keeps long keyword tables readable)."""
    return frozenset(text.split())


# Words that start or shape a statement; a column so named must be backquoted. FROM is allowed
# only in `IS [NOT] DISTINCT FROM`.
FORBIDDEN_KEYWORDS = words(
    """DROP DELETE INSERT UPDATE MERGE UPSERT CREATE ALTER TRUNCATE RENAME GRANT REVOKE DENY SELECT
    UNION INTERSECT EXCEPT MINUS VALUES FROM WHERE GROUP HAVING ORDER LIMIT OFFSET JOIN INTO TABLE
    VIEW DATABASE SCHEMA WITH EXEC EXECUTE CALL SET RESET USE LOAD REFRESH CACHE UNCACHE CLEAR
    DESCRIBE SHOW EXPLAIN ANALYZE MSCK OPTIMIZE VACUUM RESTORE COPY ADD LIST REPAIR COMMIT ROLLBACK
    BEGIN TRANSACTION DECLARE PREPARE IMMEDIATE LATERAL OVER SHUTDOWN KILL"""
)
_KEYWORDS = words(
    """AND OR NOT IN IS NULL LIKE ILIKE RLIKE REGEXP BETWEEN CASE WHEN THEN ELSE END TRUE FALSE
    CAST TRY_CAST AS DISTINCT ESCAPE INTERVAL DIV"""
)
_TYPES = words(
    """STRING VARCHAR CHAR BOOLEAN TINYINT BYTE SMALLINT SHORT INT INTEGER BIGINT LONG FLOAT REAL
    DOUBLE DECIMAL DEC NUMERIC DATE TIMESTAMP TIMESTAMP_NTZ TIMESTAMP_LTZ BINARY"""
)
_TYPED_LITERALS = frozenset({"DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "X"})
_UNITS = frozenset(
    u + s for u in ("YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
                    "MICROSECOND") for s in ("", "S")
)
_BOOLEAN_FUNCTIONS = words(
    """isnull isnotnull isnan regexp_like regexp rlike like ilike startswith endswith contains
    array_contains arrays_overlap map_contains_key equal_null bool_and bool_or boolean"""
)
_COMPARISONS = frozenset({"=", "==", "!=", "<>", "<", "<=", ">", ">=", "<=>"})
_OPERATORS = ("<=>", "<>", "!=", "<=", ">=", "==", "||", "::", "=", "<", ">", "+", "-", "*", "/",
              "%", "&", "|", "^", "~", "!", "(", ")", ",", ".", "[", "]")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([A-Za-z]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_SUFFIXES = frozenset({"", "L", "S", "Y", "D", "F", "BD"})

BOOL, VALUE, UNKNOWN = "boolean", "value", "unknown"


class UnsafeRule(Exception):
    """Why a rule was refused, where, and what to write instead."""

    def __init__(self, message: str, token: str, position: int, suggestions: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.token = token
        self.position = position
        self.suggestions = tuple(suggestions)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, qword, string, number, op, end
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; comments, ';' and stray characters are refused on sight."""
    tokens: list[Token] = []
    # Spark substitutes ${var} everywhere in SQL text, string literals included, before parsing.
    if (at := text.find("${")) >= 0:
        raise UnsafeRule("'${' would trigger Spark's variable substitution", "${", at,
                         ["write the value itself instead of a ${...} reference"])
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith(("--", "/*", "*/"), i) or c == "#":
            raise UnsafeRule("comments are not allowed in a rule", text[i : i + (c != "#") + 1],
                             i, ["remove the comment; put notes in the step's description"])
        elif c == ";":
            raise UnsafeRule("';' would start a second statement; a rule is one expression",
                             c, i, ["remove the ';' and everything after it"])
        elif c in "'\"`":
            end = _scan_quoted(text, i)
            tokens.append(Token("qword" if c == "`" else "string", text[i:end], i))
            i = end
        elif (m := _NUMBER.match(text, i)) and (c.isdigit() or c == "."):
            if m.group(3).upper() not in _NUMBER_SUFFIXES:
                raise UnsafeRule(f"malformed number {m.group(0)!r}", m.group(0), i)
            tokens.append(Token("number", m.group(0), i))
            i = m.end()
        elif m := _WORD.match(text, i):
            tokens.append(Token("word", m.group(0), i))
            i = m.end()
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise UnsafeRule(f"unexpected character {c!r}", c, i,
                                 ["quote text as 'string' and odd column names as `name`"])
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _scan_quoted(text: str, start: int) -> int:
    """End index (exclusive) of the literal opened at `start`; doubled quotes and \\ escape."""
    quote, i = text[start], start + 1
    while i < len(text):
        if (text[i] == "\\" and quote != "`") or (text[i] == quote and text.startswith(quote * 2, i)):
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    kind = "quoted name" if quote == "`" else "string"
    raise UnsafeRule(f"unterminated {kind} starting here", quote, start,
                     [f"close it with a matching {quote}"])


class _Parser:
    """Recursive descent over the expression grammar; each method returns the kind it parsed."""

    def __init__(self, tokens: list[Token], functions: frozenset[str], max_depth: int) -> None:
        self.tokens, self.functions, self.max_depth = tokens, functions, max_depth
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def at(self, *words: str) -> bool:
        return self.tok.upper in words or (self.tok.kind == "op" and self.tok.text in words)

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.i += 1
            return True
        return False

    def expect(self, word: str, context: str) -> None:
        if not self.accept(word):
            self.fail(f"expected {word!r} {context}")

    def fail(self, message: str, suggestions: Sequence[str] = ()) -> None:
        tok = self.tok
        shown = tok.text or "end of rule"
        raise UnsafeRule(f"{message}, found {shown!r}", tok.text, tok.pos, suggestions)

    # -- grammar ---------------------------------------------------------------------------

    def expression(self) -> str:
        self.depth += 1
        if self.depth > self.max_depth:
            self.fail(f"the rule nests deeper than {self.max_depth} levels")
        kind = self.disjunction()
        self.depth -= 1
        return kind

    def disjunction(self) -> str:
        kind = self.conjunction()
        while self.accept("OR"):
            self.conjunction()
            kind = BOOL
        return kind

    def conjunction(self) -> str:
        kind = self.negation()
        while self.accept("AND"):
            self.negation()
            kind = BOOL
        return kind

    def negation(self) -> str:
        if self.accept("NOT", "!"):
            self.nested(self.negation)
            return BOOL
        return self.predicate()

    def nested(self, parse: Callable[[], str]) -> str:
        """Recurse through `parse` while counting depth (guards Python's recursion limit)."""
        self.depth += 1
        if self.depth > self.max_depth:
            self.fail(f"the rule nests deeper than {self.max_depth} levels")
        kind = parse()
        self.depth -= 1
        return kind

    def predicate(self) -> str:
        kind = self.binary(0)
        while True:
            if self.tok.kind == "op" and self.tok.text in _COMPARISONS:
                self.take()
                self.binary(0)
            elif self.accept("IS"):
                self.accept("NOT")
                if self.accept("DISTINCT"):
                    self.expect("FROM", "after IS DISTINCT")
                    self.binary(0)
                elif not self.accept("NULL", "TRUE", "FALSE"):
                    self.fail("expected NULL, TRUE, FALSE or DISTINCT FROM after IS")
            elif self.at("NOT", "IN", "BETWEEN", "LIKE", "ILIKE", "RLIKE", "REGEXP"):
                if self.accept("NOT") and not self.at("IN", "BETWEEN", "LIKE", "ILIKE", "RLIKE",
                                                      "REGEXP"):
                    self.fail("expected IN, BETWEEN or LIKE after NOT")
                self.special_predicate()
            else:
                return kind
            kind = BOOL

    def special_predicate(self) -> None:
        word = self.take().upper
        if word == "IN":
            self.expect("(", "after IN")
            self.arguments("IN list", allow_empty=False)
        elif word == "BETWEEN":
            self.binary(0)
            self.expect("AND", "in BETWEEN low AND high")
            self.binary(0)
        else:
            self.binary(0)
            if self.accept("ESCAPE") and self.take().kind != "string":
                self.i -= 1
                self.fail("expected a string after ESCAPE")

    # Binary operator levels, loosest first (Spark: | ^ & then + - || then * / % DIV).
    _LEVELS: tuple[frozenset[str], ...] = (
        frozenset({"|"}), frozenset({"^"}), frozenset({"&"}), frozenset({"+", "-", "||"}),
        frozenset({"*", "/", "%", "DIV"}),
    )

    def binary(self, level: int) -> str:
        if level == len(self._LEVELS):
            return self.unary()
        kind = self.binary(level + 1)
        while (self.tok.kind == "op" and self.tok.text in self._LEVELS[level]) or (
            self.tok.upper in self._LEVELS[level]
        ):
            self.take()
            self.binary(level + 1)
            kind = VALUE
        return kind

    def unary(self) -> str:
        if self.accept("-", "+", "~"):
            self.nested(self.unary)
            return VALUE
        return self.postfix()

    def postfix(self) -> str:
        kind = self.primary()
        while True:
            if self.accept("["):
                self.expression()
                self.expect("]", "to close '['")
                kind = UNKNOWN
            elif self.accept("."):
                if self.take().kind not in ("word", "qword"):
                    self.i -= 1
                    self.fail("expected a field name after '.'")
                if self.tok.text == "(":
                    self.i -= 1
                    self.fail("qualified (catalog or user-defined) functions are not allowed",
                              ["call a built-in function by its bare name"])
                kind = UNKNOWN
            elif self.accept("::"):
                kind = self.data_type()
            else:
                return kind

    def primary(self) -> str:
        tok = self.tok
        if tok.kind in ("number", "string"):
            self.take()
            while tok.kind == "string" and self.tok.kind == "string":
                self.take()  # Spark concatenates adjacent string literals
            return VALUE
        if self.accept("("):
            kind = self.expression()
            self.expect(")", "to close '('")
            return kind
        if tok.kind == "qword":
            self.take()
            return UNKNOWN
        if tok.kind != "word":
            self.fail("expected a value, column or function")
        return self.word()

    def word(self) -> str:
        tok = self.take()
        name = tok.upper
        if name in ("TRUE", "FALSE"):
            return BOOL
        if name == "NULL":
            return UNKNOWN
        if name == "CASE":
            return self.case()
        if name in ("CAST", "TRY_CAST"):
            self.check_function(tok)
            self.expect("(", f"after {name}")
            self.expression()
            self.expect("AS", f"in {name}(value AS type)")
            kind = self.data_type()
            self.expect(")", f"to close {name}(")
            return kind
        if name == "INTERVAL":
            return self.interval()
        if name in _TYPED_LITERALS and self.tok.kind == "string":
            self.take()
            return VALUE
        if name in ("LIKE", "ILIKE", "RLIKE", "REGEXP") and self.tok.text == "(":
            return self.call(tok)  # like(str, pattern) is also a function
        if name in _KEYWORDS:
            self.i -= 1
            self.fail("expected a value, column or function")
        if self.tok.text == "(":
            return self.call(tok)
        return UNKNOWN

    def call(self, tok: Token) -> str:
        self.check_function(tok)
        self.take()
        if self.tok.text == "*" and self.peek().text == ")":
            self.take()  # count(*)
            self.take()
        else:
            self.accept("DISTINCT")
            self.arguments(f"{tok.text}(...)", allow_empty=True)
        return BOOL if tok.text.lower() in _BOOLEAN_FUNCTIONS else UNKNOWN

    def check_function(self, tok: Token) -> None:
        if tok.text.lower() not in self.functions:
            raise UnsafeRule(
                f"function {tok.text}() is not in the allowed SQL functions", tok.text, tok.pos,
                ["use a built-in from SecurityConfig.allowed_sql_functions, or add this function "
                 "to that set if it is safe"],
            )

    def arguments(self, context: str, *, allow_empty: bool) -> None:
        if self.accept(")"):
            if not allow_empty:
                self.i -= 1
                self.fail(f"empty {context}")
            return
        self.expression()
        while self.accept(","):
            self.expression()
        self.expect(")", f"to close {context}")

    def case(self) -> str:
        if not self.at("WHEN"):
            self.expression()
        if not self.at("WHEN"):
            self.fail("expected WHEN in CASE")
        while self.accept("WHEN"):
            self.expression()
            self.expect("THEN", "after CASE ... WHEN condition")
            self.expression()
        if self.accept("ELSE"):
            self.expression()
        self.expect("END", "to close CASE")
        return UNKNOWN

    def data_type(self) -> str:
        tok = self.tok
        if tok.upper not in _TYPES:
            self.fail("expected a type name (int, bigint, double, string, date, decimal(p,s) ...)")
        self.take()
        if self.accept("("):
            while self.tok.kind == "number" or self.tok.text == ",":
                self.take()
            self.expect(")", f"to close {tok.text}(")
        return BOOL if tok.upper == "BOOLEAN" else VALUE

    def interval(self) -> str:
        self.accept("-")
        if self.tok.kind not in ("string", "number"):
            self.fail("expected a number or string after INTERVAL")
        self.take()
        while self.tok.upper in _UNITS:
            self.take()
            if self.tok.kind in ("string", "number"):
                self.take()
            elif self.tok.upper == "TO" and self.peek().upper in _UNITS:
                self.take()
                self.take()
        return VALUE


def _check_keywords(tokens: list[Token]) -> None:
    for prev, tok in zip([None, *tokens], tokens, strict=False):
        word = tok.upper
        if word not in FORBIDDEN_KEYWORDS:
            continue
        if word == "FROM" and prev is not None and prev.upper == "DISTINCT":
            continue
        raise UnsafeRule(
            f"SQL keyword {word} is not allowed in a rule (a rule is one boolean expression, "
            "not a statement or query)", tok.text, tok.pos,
            [f"if {tok.text!r} is a column, write it in backquotes: `{tok.text}`"],
        )


def check_expression(
    text: object, *, functions: frozenset[str], max_length: int, max_depth: int
) -> None:
    """Raise `UnsafeRule` unless `text` is one boolean SQL expression within the limits."""
    if not isinstance(text, str):
        raise UnsafeRule(f"a SQL rule must be a string, got {type(text).__name__}", "", 0)
    if len(text) > max_length:
        raise UnsafeRule(f"the rule is {len(text)} characters long, the limit is {max_length}",
                         text[max_length : max_length + 10], max_length,
                         ["split it into several rules on the column's list"])
    if not text.strip():
        raise UnsafeRule("the rule is empty", "", 0, ['write a condition such as "amount > 0"'])
    tokens = tokenize(text)
    _check_keywords(tokens)
    parser = _Parser(tokens, functions, max_depth)
    kind = parser.expression()
    if parser.tok.kind != "end":
        parser.fail("expected the end of the rule (a rule is exactly one expression)",
                    ["join conditions with AND / OR"])
    if kind == VALUE:
        raise UnsafeRule("the rule computes a value, not a condition", text.strip()[:40], 0,
                         [f"compare it, e.g. {text.strip()[:40]} > 0"])

