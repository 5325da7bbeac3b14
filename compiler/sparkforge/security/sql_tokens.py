"""Split a SQL rule string into tokens, refusing what may never appear outside a literal.

Input: the rule text. Output: `Token`s (word, quoted word, string, number, operator, end), each with
its 0-based position; `UnsafeRule` for `${`, comments, `;`, unterminated quotes, stray characters
and malformed numbers, and (`check_keywords`) for statement keywords as bare words:

    tokenize("note != '--'")
    -> [Token(word, "note", 0), Token(op, "!=", 5), Token(string, "'--'", 8), Token(end, "", 12)]

Literals are scanned as Spark SQL does, so text inside them is data. The module also holds the
grammar's vocabulary (keywords, types, units) and `TokenCursor`, the parser's read head.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BOOLEAN_FUNCTIONS", "COMPARISONS", "FORBIDDEN_KEYWORDS", "KEYWORDS", "TYPED_LITERALS", "TYPES",
    "UNITS", "Token", "TokenCursor", "UnsafeRule", "check_keywords", "tokenize", "words",
]  # fmt: skip


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
# The words and operators of the expression grammar (used by the parser in `sql_guard`).
KEYWORDS = words(
    """AND OR NOT IN IS NULL LIKE ILIKE RLIKE REGEXP BETWEEN CASE WHEN THEN ELSE END TRUE FALSE
    CAST TRY_CAST AS DISTINCT ESCAPE INTERVAL DIV"""
)
TYPES = words(
    """STRING VARCHAR CHAR BOOLEAN TINYINT BYTE SMALLINT SHORT INT INTEGER BIGINT LONG FLOAT REAL
    DOUBLE DECIMAL DEC NUMERIC DATE TIMESTAMP TIMESTAMP_NTZ TIMESTAMP_LTZ BINARY"""
)
TYPED_LITERALS = frozenset({"DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "X"})
UNITS = frozenset(
    u + s for u in ("YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
                    "MICROSECOND") for s in ("", "S")
)
BOOLEAN_FUNCTIONS = words(
    """isnull isnotnull isnan regexp_like regexp rlike like ilike startswith endswith contains
    array_contains arrays_overlap map_contains_key equal_null bool_and bool_or boolean"""
)
COMPARISONS = frozenset({"=", "==", "!=", "<>", "<", "<=", ">", ">=", "<=>"})
_OPERATORS = ("<=>", "<>", "!=", "<=", ">=", "==", "||", "::", "=", "<", ">", "+", "-", "*", "/",
              "%", "&", "|", "^", "~", "!", "(", ")", ",", ".", "[", "]")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([A-Za-z]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_SUFFIXES = frozenset({"", "L", "S", "Y", "D", "F", "BD"})


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


def check_keywords(tokens: list[Token]) -> None:
    """Refuse statement keywords as bare words (`IS [NOT] DISTINCT FROM` is the one exception)."""
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


class TokenCursor:
    """A read head over tokens: look, take, accept or expect a word, fail at the current token."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

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

