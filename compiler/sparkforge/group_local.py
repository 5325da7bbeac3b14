"""Prove a gold transform group-local: its rows for a group depend only on that group's silver rows.

Input: a gold transform's source (`transform_facts.Source`). Output: `Groups`: the one silver it
reads, the group keys, or the reason it is not provable. The shape it accepts, written as one chain
or through local names:

    silvers["x"]  .filter / .where / .withColumn(s) / .select / .drop / .withColumnRenamed   (row-wise,
                  no aggregate or window, keys untouched)
                  .groupBy("k1", "k2")  .agg(...) | .count() | .sum(...) ...
                  .filter / .withColumn(s) / .select / .drop / .withColumnRenamed / .orderBy  (keys kept)

Then recomputing the groups whose keys appear in new silver rows, from the silver rows of those
groups, gives exactly the rows a full recompute gives for them; other groups keep theirs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sparkforge.transform_facts import Source, params, parse_function

ROW_WISE = frozenset({"filter", "where", "withColumn", "withColumns", "select", "drop", "withColumnRenamed", "alias"})
AFTER_ONLY = frozenset({"orderBy", "sort"})
GROUPED = frozenset({"agg", "count", "sum", "avg", "mean", "min", "max"})
AGGREGATES = frozenset({
    "sum", "count", "avg", "mean", "min", "max", "collect_list", "collect_set", "first", "last",
    "countDistinct", "count_distinct", "approx_count_distinct", "sum_distinct", "sumDistinct",
    "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "percentile_approx",
    "percentile", "median", "mode", "any_value", "bool_and", "bool_or", "every", "some", "max_by",
    "min_by", "count_if", "corr", "covar_pop", "covar_samp", "kurtosis", "skewness", "grouping",
    "first_value", "last_value", "product", "array_agg", "listagg", "string_agg", "histogram_numeric",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Groups:
    ok: bool
    reason: str = ""
    silver: str = ""
    keys: tuple[str, ...] = ()


class NotProvable(Exception):
    """Why a transform is not group-local, naming the line."""


def group_local(source: Source, bound: int = 0) -> Groups:
    """`bound`: how many leading parameters a `functools.partial` fills."""
    try:
        silver, keys = _Prover(source, bound).prove()
    except NotProvable as why:
        return Groups(False, str(why))
    return Groups(True, silver=silver, keys=keys)


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _column_name(node: ast.AST) -> str | None:
    """`"k"` or `F.col("k")` / `col("k")`: the column a plain reference names."""
    if (text := _string(node)) is not None:
        return text
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("col", "column"):
            return _string(node.args[0])
    return None


def _alias(node: ast.AST) -> ast.expr | None:
    """The name given by `<expr>.alias("n")`, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        return node.args[0] if node.func.attr in ("alias", "name") else None
    return None


class _Prover:
    def __init__(self, source: Source, bound: int) -> None:
        self.src = source
        node = parse_function(source)
        if node is None:
            raise NotProvable(f"its source at {source.where(ast.Pass())} cannot be read")
        names = params(node)[bound:]
        if len(names) < 2:
            raise NotProvable(f"it does not take (spark, silvers) at {source.where(node)}")
        self.silvers = names[1]
        self.node = node
        self.bound: dict[str, ast.expr] = {}

    def prove(self) -> tuple[str, tuple[str, ...]]:
        result = self._result()
        ops, silver = self._chain(result)
        uses = [n for n in ast.walk(self.node) if isinstance(n, ast.Name) and n.id == self.silvers]
        if len(uses) != 1:
            raise NotProvable(f"it reads {self.silvers} {len(uses)} times; group refresh needs one silver read once")
        at = next((i for i, (name, _) in enumerate(ops) if name in ("groupBy", "groupby")), None)
        if at is None or at + 1 >= len(ops) or ops[at + 1][0] not in GROUPED:
            raise NotProvable(f"it has no groupBy(...).agg(...) at {self.src.where(result)}")
        keys = self._keys(ops[at][1])
        for name, call in ops[:at]:
            self._row_wise(name, call, keys, before=True)
        for name, call in ops[at + 2 :]:
            self._row_wise(name, call, keys, before=False)
        return silver, keys

    def _result(self) -> ast.expr:
        if isinstance(self.node, ast.Lambda):
            return self.node.body
        body = [s for s in self.node.body if not (isinstance(s, ast.Expr) and _string(s.value) is not None)]
        for stmt in body[:-1]:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
                raise NotProvable(f"its statement at {self.src.where(stmt)} is not `name = expression`")
            self.bound[stmt.targets[0].id] = stmt.value
        last = body[-1] if body else None
        if not isinstance(last, ast.Return) or last.value is None:
            raise NotProvable(f"it does not end in `return <chain>` at {self.src.where(self.node)}")
        return last.value

    def _chain(self, expr: ast.expr) -> tuple[list[tuple[str, ast.Call]], str]:
        ops: list[tuple[str, ast.Call]] = []
        while True:
            if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
                ops.append((expr.func.attr, expr))
                expr = expr.func.value
            elif isinstance(expr, ast.Name) and expr.id in self.bound:
                expr = self.bound.pop(expr.id)
            elif isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name) and expr.value.id == self.silvers:
                silver = _string(expr.slice)
                if silver is None:
                    break
                return ops[::-1], silver
            else:
                break
        raise NotProvable(f"it does not start from {self.silvers}[\"name\"] at {self.src.where(expr)}")

    def _keys(self, call: ast.Call) -> tuple[str, ...]:
        args = list(call.args)
        if len(args) == 1 and isinstance(args[0], ast.List | ast.Tuple):
            args = list(args[0].elts)
        keys = tuple(_column_name(a) for a in args)
        if not keys or call.keywords or any(k is None for k in keys):
            raise NotProvable(f"its groupBy at {self.src.where(call)} does not name its key columns literally")
        return tuple(k for k in keys if k is not None)

    def _row_wise(self, name: str, call: ast.Call, keys: tuple[str, ...], *, before: bool) -> None:
        where = self.src.where(call)
        if name not in ROW_WISE and (before or name not in AFTER_ONLY):
            raise NotProvable(f"it calls .{name}() at {where}, which is not a row-wise operation")
        if name in ("filter", "where"):
            for arg in call.args:
                self._expression(arg, where)
        elif name == "withColumn":
            self._defines(call.args[0] if call.args else None, keys, where)
            for arg in call.args[1:]:
                self._expression(arg, where)
        elif name == "withColumns":
            self._with_columns(call, keys, where)
        elif name == "select":
            self._select(call, keys, where, keep_keys=not before)
        elif name in ("drop", "withColumnRenamed"):
            for arg in call.args:
                if _string(arg) is None or _string(arg) in keys:
                    raise NotProvable(f".{name}() at {where} touches the group keys {list(keys)}")

    def _defines(self, target: ast.AST | None, keys: tuple[str, ...], where: str) -> None:
        column = _string(target) if target is not None else None
        if column is None or column in keys:
            raise NotProvable(f"it writes the group key {column or '(computed name)'} at {where}")

    def _with_columns(self, call: ast.Call, keys: tuple[str, ...], where: str) -> None:
        arg = call.args[0] if len(call.args) == 1 else None
        if not isinstance(arg, ast.Dict):
            raise NotProvable(f"its withColumns at {where} is not a dict literal")
        for key, value in zip(arg.keys, arg.values, strict=True):
            self._defines(key, keys, where)
            self._expression(value, where)

    def _select(self, call: ast.Call, keys: tuple[str, ...], where: str, *, keep_keys: bool) -> None:
        args = list(call.args)
        if len(args) == 1 and isinstance(args[0], ast.List | ast.Tuple):
            args = list(args[0].elts)
        passed = {n for a in args if (n := _column_name(a)) is not None}
        for arg in args:
            if _column_name(arg) is not None:
                continue
            alias = _alias(arg)
            self._defines(alias, keys, where)
            self._expression(arg, where)
        if keep_keys and "*" not in passed and not set(keys) <= passed:
            raise NotProvable(f"its select at {where} drops a group key of {list(keys)}")

    def _expression(self, node: ast.AST, where: str) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.bound:
                self._expression(self.bound[sub.id], where)
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "over":
                raise NotProvable(f"it uses a window function (.over) at {where}")
            if name in AGGREGATES:
                raise NotProvable(f"it aggregates with {ast.unparse(func)}() outside groupBy at {where}")
            if name in ("expr", "selectExpr"):
                raise NotProvable(f"it uses a SQL string expression at {where}, which the compiler does not read")
