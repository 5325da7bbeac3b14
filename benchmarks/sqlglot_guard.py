"""The candidate measured by `benchmarks/sql_guard.py`: the SQL rule check on sqlglot's Spark dialect.

Input: a rule string, the allowed function names (lower case) and the limits. Output: None or a
`Problem`, like `sparkforge.security.check_sql_rule`. Not used by sparkforge (docs/security.md
explains why); kept so the measurement can be repeated.

The same pre-checks as the hand-written guard (type, length, empty, `${`, then on sqlglot's tokens:
comments, `;`, the forbidden keywords, unknown or qualified calls), then `sqlglot` parses the
tokens and the tree is walked against an allow-list of node types.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import sqlglot
from sparkforge.security.checks import Problem
from sparkforge.security.sql_tokens import FORBIDDEN_KEYWORDS
from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

__all__ = ["check_with_sqlglot"]

_SPARK = Spark()
logging.getLogger("sqlglot").setLevel(logging.ERROR)  # it warns on every fallback to a Command
_ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Var,
    exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ,
    exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike, exp.RegexpLike, exp.Escape,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.DPipe, exp.BitwiseAnd,
    exp.BitwiseOr, exp.BitwiseXor, exp.BitwiseNot, exp.Neg, exp.Case, exp.If, exp.Cast,
    exp.DataType, exp.DataTypeParam, exp.Interval, exp.Bracket, exp.Dot, exp.Distinct, exp.Star,
    exp.Func,
)  # fmt: skip
_TYPES = frozenset(getattr(exp.DataType.Type, t) for t in (
    "TEXT", "VARCHAR", "CHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE",
    "DECIMAL", "DATE", "TIMESTAMP", "TIMESTAMPNTZ", "TIMESTAMPLTZ", "BINARY"))
_VALUE_NODES = (exp.Literal, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.DPipe,
                exp.Neg, exp.Interval, exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor)
_NESTING = (exp.Paren, exp.Not, exp.Neg, exp.Func)
# Words followed by "(" that are syntax, not calls (`x IN (1, 2)`, `NOT (a OR b)`).
_SYNTAX = frozenset({"IN", "AND", "OR", "NOT", "IS", "BETWEEN", "WHEN", "THEN", "ELSE", "CASE",
                     "END", "AS", "DISTINCT", "INTERVAL", "ESCAPE"})


def check_with_sqlglot(
    text: object, *, functions: frozenset[str], max_length: int = 4096, max_depth: int = 64
) -> Problem | None:
    """None if `text` is one boolean expression within the limits, else the culprit."""
    if not isinstance(text, str):
        return Problem(f"a SQL rule must be a string, got {type(text).__name__}", (), "", 0)
    if len(text) > max_length:
        return Problem(f"the rule is {len(text)} characters long, the limit is {max_length}",
                       (), text[max_length : max_length + 10], max_length)
    if not text.strip():
        return Problem("the rule is empty", (), "", 0)
    if (at := text.find("${")) >= 0:
        return Problem("'${' would trigger Spark's variable substitution", (), "${", at)
    try:
        tokens = _SPARK.tokenize(text)
    except TokenError as err:
        return Problem(f"cannot tokenize the rule: {err}", (), "", 0)
    return _token_problem(text, tokens, functions) or _tree_problem(text, tokens, max_depth)


def _token_problem(text: str, tokens: Sequence[Token], functions: frozenset[str]) -> Problem | None:
    for i, tok in enumerate(tokens):
        if tok.comments:
            return _comment_problem(text, tok)
        if tok.token_type is TokenType.SEMICOLON:
            return Problem("';' would start a second statement", (), ";", tok.start)
        word = tok.text.upper() if tok.token_type not in _QUOTED else ""
        if word in FORBIDDEN_KEYWORDS and not _is_distinct_from(tokens, i):
            return Problem(f"SQL keyword {word} is not allowed in a rule", (), tok.text, tok.start)
        if _is_call(tokens, i) and tok.text.lower() not in functions:
            return Problem(f"function {tok.text}() is not in the allowed SQL functions", (),
                           tok.text, tok.start)
        if _is_call(tokens, i) and i > 0 and tokens[i - 1].token_type is TokenType.DOT:
            return Problem("qualified functions are not allowed", (), tok.text, tok.start)
    return None


_QUOTED = frozenset({TokenType.STRING, TokenType.IDENTIFIER, TokenType.NATIONAL_STRING})


def _is_call(tokens: Sequence[Token], i: int) -> bool:
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    tok = tokens[i]
    return following is not None and following.token_type is TokenType.L_PAREN and (
        tok.token_type not in _QUOTED and tok.text[:1].isalpha() and tok.text.upper() not in _SYNTAX
    )


def _is_distinct_from(tokens: Sequence[Token], i: int) -> bool:
    return tokens[i].text.upper() == "FROM" and i > 0 and tokens[i - 1].text.upper() == "DISTINCT"


def _comment_problem(text: str, tok: Token) -> Problem:
    starts = [p for p in (text.find(m, tok.end + 1) for m in ("--", "/*", "#")) if p >= 0]
    at = min(starts, default=tok.end + 1)
    return Problem("comments are not allowed in a rule", (), text[at : at + 2], at)


def _tree_problem(text: str, tokens: list[Token], max_depth: int) -> Problem | None:
    try:
        trees = sqlglot.Parser(dialect=_SPARK).parse(tokens, text)
    except (ParseError, RecursionError) as err:
        return _parse_problem(text, err)
    if len(trees) != 1 or trees[0] is None:
        return Problem("a rule is exactly one expression", (), "", 0)
    tree = trees[0]
    for node, depth in _walk(tree, 0):
        if not _allowed(node):
            return _node_problem(text, node, f"{type(node).__name__} is not allowed in a rule")
        if depth > max_depth:
            return _node_problem(text, node, f"the rule nests deeper than {max_depth} levels")
    root = tree.unnest() if isinstance(tree, exp.Paren) else tree
    if isinstance(root, _VALUE_NODES):
        return Problem("the rule computes a value, not a condition", (), text.strip()[:40], 0)
    return None


def _allowed(node: exp.Expression) -> bool:
    if isinstance(node, exp.DataType):
        return node.this in _TYPES
    if isinstance(node, exp.Dot):
        return node.find(exp.Func) is None
    return isinstance(node, _ALLOWED_NODES)


def _walk(node: exp.Expression, depth: int) -> Iterator[tuple[exp.Expression, int]]:
    depth += isinstance(node, _NESTING)
    yield node, depth
    for child in node.iter_expressions():
        yield from _walk(child, depth)


def _parse_problem(text: str, err: Exception) -> Problem:
    if isinstance(err, RecursionError):
        return Problem("the rule nests too deeply for the parser", (), "", 0)
    first = err.errors[0] if isinstance(err, ParseError) and err.errors else {}
    line, col = first.get("line", 1), first.get("col", 1)
    offset = sum(len(x) + 1 for x in text.split("\n")[: line - 1]) + max(col - 1, 0)
    token = str(first.get("highlight", ""))
    return Problem(f"{first.get('description', 'invalid rule')}", (), token,
                   min(max(offset - len(token) + 1, 0), len(text)))


def _node_problem(text: str, node: exp.Expression, message: str) -> Problem:
    """Point at the node's first token we know a position of (sqlglot keeps positions on
    identifiers and some functions only)."""
    starts = [n.meta["start"] for n in node.walk() if "start" in n.meta]
    at = min(starts, default=0)
    return Problem(message, (), text[at : at + 1], at)
