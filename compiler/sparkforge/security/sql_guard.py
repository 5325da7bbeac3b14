"""Check that a SQL rule string is exactly one safe boolean expression (used by `checks`).

Input: the rule text, the allowed function names (lower case) and the length/nesting limits.
Output: nothing when the rule is safe; otherwise `UnsafeRule` naming the token, its 0-based
position and a fix. Example: `amount > 0` passes; `amount > 0; DROP TABLE t` fails at ';'.

`sql_tokens` splits the text (literals are data, so `note != '--'` is fine) and refuses statement
keywords; the recursive-descent parser here accepts Spark's expression grammar only: no
statements, clauses, comments or unknown functions.
"""

from __future__ import annotations

from collections.abc import Callable

from sparkforge.security import sql_tokens as lex
from sparkforge.security.sql_tokens import (
    Token,
    TokenCursor,
    UnsafeRule,
    check_keywords,
    tokenize,
)

__all__ = ["check_expression"]

BOOL, VALUE, UNKNOWN = "boolean", "value", "unknown"


class _Parser(TokenCursor):
    """Recursive descent over the expression grammar; each method returns the kind it parsed."""

    def __init__(self, tokens: list[Token], functions: frozenset[str], max_depth: int) -> None:
        super().__init__(tokens)
        self.functions, self.max_depth = functions, max_depth
        self.depth = 0

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
            if self.tok.kind == "op" and self.tok.text in lex.COMPARISONS:
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
        if name in lex.TYPED_LITERALS and self.tok.kind == "string":
            self.take()
            return VALUE
        if name in ("LIKE", "ILIKE", "RLIKE", "REGEXP") and self.tok.text == "(":
            return self.call(tok)  # like(str, pattern) is also a function
        if name in lex.KEYWORDS:
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
        return BOOL if tok.text.lower() in lex.BOOLEAN_FUNCTIONS else UNKNOWN

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
        if tok.upper not in lex.TYPES:
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
        while self.tok.upper in lex.UNITS:
            self.take()
            if self.tok.kind in ("string", "number"):
                self.take()
            elif self.tok.upper == "TO" and self.peek().upper in lex.UNITS:
                self.take()
                self.take()
        return VALUE


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
    check_keywords(tokens)
    parser = _Parser(tokens, functions, max_depth)
    kind = parser.expression()
    if parser.tok.kind != "end":
        parser.fail("expected the end of the rule (a rule is exactly one expression)",
                    ["join conditions with AND / OR"])
    if kind == VALUE:
        raise UnsafeRule("the rule computes a value, not a condition", text.strip()[:40], 0,
                         [f"compare it, e.g. {text.strip()[:40]} > 0"])

