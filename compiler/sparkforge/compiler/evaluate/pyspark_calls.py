"""What the static evaluator knows of pyspark and the builder: Column functions, SQL text inside
them, and the builder's rule helpers.

Input: a call whose callee is a pyspark function or a rule helper. Output: checks (SF405 for SQL text
or functions a rule may not use, SF406 for a Column rule that is not self-contained) and the
helper's rules, run on the statically known column names.

    F.expr("java_method('x', 'y') IS NOT NULL")      ->  SF405 at the string
    PipelineBuilder.not_null_rules(["id", "ts"])     ->  Value({"id": [...], "ts": [...]})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import libcst as cst

from sparkforge import rule_helpers
from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.values import CompileErrors, Env, Symbol, Value, fail, problems
from sparkforge.exceptions import SparkForgeError
from sparkforge.security.checks import check_sql_rule
from sparkforge.suggest import did_you_mean

COLUMN_HELP = (
    "a Column rule may use the pyspark.sql.functions module, literals and module constants only, "
    "so that the compiled job is self-contained"
)
_PYSPARK = ("pyspark.sql.functions.", "pyspark.sql.types.")
_HELPER_OWNERS = ("sparkforge.PipelineBuilder.", "sparkforge.builder.PipelineBuilder.",
                  "sparkforge.rule_helpers.")  # fmt: skip
def as_column_error(error: CompileError) -> CompileError:
    """The same problems, reported as problems of a Column rule (SF406)."""
    return CompileErrors(tuple(_as_column(d) for d in problems(error)))


def _as_column(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.code in ("SF405", "SF406"):  # already about the rule
        return diagnostic
    message = f"a Column rule must be self-contained: {diagnostic.message}"
    return dataclasses.replace(diagnostic, code="SF406", message=message, help=COLUMN_HELP)


def is_pyspark(data: object) -> bool:
    return isinstance(data, Symbol) and (
        data.name == "pyspark.sql.functions" or data.name.startswith(_PYSPARK)
    )


# Functions that take SQL text, and functions that reach outside Spark SQL's built-ins: a Column
# rule gets the checks a SQL rule string gets (SPEC section 9), or `F.expr` would bypass them.
_SQL_TEXT = frozenset({"pyspark.sql.functions.expr"})
_UNSAFE = frozenset({"reflect", "java_method", "try_reflect", "call_function", "call_udf", "udf",
                     "pandas_udf", "udtf"})  # fmt: skip


def check_sql_function(callee: Value, node: cst.Call, args: Sequence[Value], env: Env) -> None:
    """SF405 for `F.expr("...")` whose text the security layer rejects, or an unsafe function."""
    if not isinstance(callee.data, Symbol):
        return
    name = callee.data.name
    short = name.rpartition(".")[2]
    if name.startswith("pyspark.sql.functions.") and short in _UNSAFE:
        fail(env.file, node.func, "SF405", f"a Column rule may not call `{env.file.code(node.func)}`: "
             f"{short}() reaches outside Spark SQL's built-in functions, which SQL rules may not "
             "use either", "write the test with built-in functions (F.col, F.when, ...)")
    if name not in _SQL_TEXT or not args or not isinstance(args[0].data, str):
        return
    problem = check_sql_rule(args[0].data)
    if problem is not None:
        fail(env.file, args[0].node, "SF405", f"unsafe SQL in `{env.file.code(node.func)}(...)`: "
             f"{problem.describe()}", "; ".join(problem.suggestions) or None)


def rule_helper(data: object) -> str | None:
    """`PipelineBuilder.not_null_rules` (any import path) -> "not_null_rules"."""
    if not isinstance(data, Symbol):
        return None
    return next((data.name[len(p) :] for p in _HELPER_OWNERS if data.name.startswith(p)), None)


def expand_helper(resolver: Evaluator, node: cst.Call, helper: str, env: Env) -> Value:
    """Run the builder's own rule helper on the statically known column names."""
    if helper not in rule_helpers.__all__:
        hint = did_you_mean(helper, rule_helpers.__all__)
        fail(env.file, node.func, "SF407", f"PipelineBuilder has no rule helper {helper!r}",
             hint or f"rule helpers: {', '.join(rule_helpers.__all__)}")
    if len(node.args) != 1 or node.args[0].star:
        fail(env.file, node, "SF407", f"{helper}() takes one list of column names",
             f'e.g. PipelineBuilder.{helper}(["id", "amount"])')
    columns = resolver.value(node.args[0].value, env)
    try:
        result = getattr(rule_helpers, helper)(columns.plain())
    except (SparkForgeError, TypeError) as err:
        fail(env.file, node.args[0].value, "SF402", f"{helper}(): {err}")
    # Each generated rule points at the column name it came from.
    places: dict[str, cst.CSTNode] = {v.data: v.node for v in _items(columns)}
    if isinstance(result, dict):
        items = {
            c: Value([Value(i, places.get(c, node), env.file) for i in v], places.get(c, node), env.file)
            for c, v in result.items()
        }
        return Value(items, node, env.file, env.local)
    return Value([Value(c, places.get(c, node), env.file) for c in result], node, env.file, env.local)


def _items(value: Value) -> list[Value]:
    return [v for v in value.data if isinstance(v.data, str)] if isinstance(value.data, list | tuple) else []
