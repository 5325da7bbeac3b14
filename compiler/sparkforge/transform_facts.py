"""Judge a transform from its source: may a run skip it, and may gold refresh it group by group?

Input: a transform's source text, where it was written, and what its free names stand for
(`transform_names`). Output: `TransformFacts`: two `Verdict`s, each with the reason in words when
it fails (`calls F.current_timestamp() at pipeline.py:57`), and the group keys of a group-local gold.

A transform is *skippable* when its result depends only on its declared inputs: it never touches
`spark` (which could read any table), calls nothing non-deterministic in any spelling (`F.rand()`,
`rand()` imported from pyspark, `"rand()"` in a SQL string, `datetime.now()`), and calls no function
whose source the compiler cannot read (helpers copied with it pass the same test). Group-local gold
is checked by `group_local.py`.

    def f(spark, silvers): return silvers["a"].withColumn("t", F.current_timestamp())
    ->  TransformFacts(skippable=Verdict(False, "calls F.current_timestamp() at pipeline.py:3"), ...)
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from sparkforge.transform_names import Meaning, Names

NON_DETERMINISTIC = frozenset({
    "current_timestamp", "current_date", "current_time", "localtimestamp", "curdate", "now",
    "rand", "randn", "random", "randint", "randrange", "uuid", "uuid1", "uuid4", "shuffle",
    "monotonically_increasing_id", "spark_partition_id", "input_file_name", "input_file_block_start",
    "input_file_block_length", "sample", "sampleBy", "randomSplit", "today", "utcnow", "getrandbits",
})  # fmt: skip
# Reaching the session from a DataFrame is reaching every table.
SESSION_ATTRIBUTES = frozenset({"sparkSession", "sql_ctx", "sqlContext", "getActiveSession", "getOrCreate"})
UNSAFE_BUILTINS = frozenset({"eval", "exec", "open", "__import__", "input", "compile", "globals"})
PURE_MODULES = frozenset({"math", "decimal", "re", "functools", "operator", "itertools", "string", "typing"})
SQL_TAKERS = frozenset({"expr", "selectExpr", "filter", "where", "sql"})
_SQL_CALL = re.compile(
    r"\b(rand|randn|random|uuid|shuffle|now|curdate|monotonically_increasing_id|spark_partition_id|"
    r"input_file_name|current_timestamp|current_date|localtimestamp)\s*\(|"
    r"\b(current_timestamp|current_date|localtimestamp)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""  # why not, in words, naming the line
    code: str = ""  # a fingerprint of the code read (the transform and its helpers), not its layout


@dataclass(frozen=True, slots=True)
class Source:
    """A function's source text and where its first line was written."""

    text: str
    file: str
    line: int

    def where(self, node: ast.AST) -> str:
        return f"{os.path.basename(self.file) or '<source>'}:{self.line + getattr(node, 'lineno', 1) - 1}"


YES = Verdict(True)


def parse_function(source: Source) -> ast.FunctionDef | ast.Lambda | None:
    """The def or lambda `source` is."""
    text = textwrap.dedent(source.text).strip()
    for candidate in (text, f"(\n{text}\n)"):
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.Lambda):
                return node
    return None


def params(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    args = node.args
    return [a.arg for a in (*args.posonlyargs, *args.args)]


def local_names(node: ast.AST) -> set[str]:
    """Every name bound inside `node`: parameters of nested functions, assignments, loop targets."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            found.add(sub.id)
        elif isinstance(sub, ast.arg):
            found.add(sub.arg)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(sub.name)
    return found


def shown(node: ast.AST) -> str:
    """A call as a reader would name it: `F.current_timestamp()`."""
    if isinstance(node, ast.Call):
        return f"{ast.unparse(node.func)}()"
    return ast.unparse(node)


class _Judge:
    """Walks a transform (and the helpers it uses) until the first reason it cannot be skipped."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.seen: set[str] = set()
        self.code: list[str] = []  # the structure of every function read, for `fingerprint`

    def function(self, source: Source, *, session: str | None) -> Verdict:
        node = parse_function(source)
        if node is None:
            return Verdict(False, f"its source at {source.where(ast.Pass())} cannot be read")
        locals_ = local_names(node)
        self.code.append(ast.dump(node))
        for reason in self._problems(node, source, locals_, session):
            return Verdict(False, reason)
        return YES

    def _problems(self, root: ast.AST, src: Source, locals_: set[str], session: str | None) -> Iterator[str]:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if node.id == session:
                    yield f"uses spark at {src.where(node)}, so it may read tables it does not declare"
                elif node.id not in locals_:
                    yield from self._name(node, src)
            elif isinstance(node, ast.Attribute):
                yield from self._attribute(node, src, locals_)
            elif isinstance(node, ast.Call):
                yield from self._call(node, src)

    def _name(self, node: ast.Name, src: Source) -> Iterator[str]:
        meaning = self.names(node.id)
        if meaning.kind == "function" and meaning.name in NON_DETERMINISTIC:
            yield f"calls {node.id}() at {src.where(node)}, which is not deterministic"
        elif meaning.kind == "builtin" and node.id in UNSAFE_BUILTINS:
            yield f"calls {node.id}() at {src.where(node)}"
        elif meaning.kind == "helper":
            yield from self._helper(meaning, node, src)
        elif meaning.kind == "unknown":
            yield f"uses {node.id} at {src.where(node)}, whose source the compiler cannot read"
        elif meaning.kind == "module" and not _known_module(meaning.name):
            yield f"uses {meaning.name} at {src.where(node)}, which the compiler cannot see into"

    def _attribute(self, node: ast.Attribute, src: Source, locals_: set[str]) -> Iterator[str]:
        if node.attr in NON_DETERMINISTIC:
            yield f"calls {ast.unparse(node)}() at {src.where(node)}, which is not deterministic"
        elif node.attr in SESSION_ATTRIBUTES:
            yield f"reaches the session through {ast.unparse(node)} at {src.where(node)}"

    def _call(self, node: ast.Call, src: Source) -> Iterator[str]:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "unix_timestamp" and not node.args:
            yield f"calls {shown(node)} at {src.where(node)}, which reads the clock"
        if name in SQL_TAKERS:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _SQL_CALL.search(arg.value):
                    yield f"calls {shown(node)} at {src.where(node)} with SQL that is not deterministic"

    def _helper(self, meaning: Meaning, node: ast.Name, src: Source) -> Iterator[str]:
        if meaning.name in self.seen:
            return
        self.seen.add(meaning.name)
        helper = Source(meaning.source, meaning.file or src.file, meaning.line or 1)
        verdict = self.function(helper, session=None)
        if not verdict.ok:
            yield f"calls {node.id} at {src.where(node)}, which {verdict.reason}"


def _known_module(name: str) -> bool:
    return name.startswith("pyspark") or name.split(".")[0] in PURE_MODULES or name == "datetime"


def skippable(source: Source, names: Names, bound: int = 0) -> Verdict:
    """Whether a run may skip this transform when its inputs did not change; `bound`: how many
    leading parameters a `functools.partial` fills (the session is the one after them)."""
    node = parse_function(source)
    if node is None:
        return Verdict(False, f"its source at {source.where(ast.Pass())} cannot be read")
    first = params(node)[bound : bound + 1]
    judge = _Judge(names)
    verdict = judge.function(source, session=first[0] if first else None)
    code = hashlib.sha256("\n".join(judge.code).encode()).hexdigest()[:12]
    return Verdict(verdict.ok, verdict.reason, code)
