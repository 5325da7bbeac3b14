"""Checks the static evaluator makes on the names it reads: the order and the changes Python would see.

Input: a name's bindings and the node that uses it (or a subscript whose base cannot be known).
Output: nothing, or `CompileError` at the place that explains the problem: a name used before its
definition (SF118), a constant changed in place after its assignment (SF112, at the change), a read
from a value made when the pipeline runs (at the read, naming the definition), a name bound nowhere
(SF111) or bound in a way whose value depends on how the code runs (SF111/SF112).

    BASE = {"id": ["not_null"]}; BASE["x"] = ["positive"]; ...rules=BASE
    -> SF112 at `BASE["x"]`: changed here, after its assignment (line 1)
"""

from __future__ import annotations

import builtins
from typing import NoReturn

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate import python_builtins as static_builtins
from sparkforge.compiler.evaluate.scopes import Binding, Kind
from sparkforge.compiler.evaluate.values import STATIC_HELP, Env, fail, problems


def read_from_unknown(node: cst.Subscript, err: CompileError, env: Env) -> CompileError:
    """`customers["customer_id"]` where `customers` is made when the pipeline runs (a DataFrame,
    a loaded config): report it here, where it is read, rather than only at that definition."""
    first = problems(err)[0]
    here = env.file.span(node)
    if first.span.file == here.file and here.line <= first.span.line <= here.end_line:
        return err
    key = node.slice[0].slice if len(node.slice) == 1 else None
    column = key.value if isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString) else None
    hint = f"; for a column of the step's rows write F.col({column.value})" if column else ""
    base = env.file.code(node.value)
    message = (f"`{env.file.code(node)}` reads from `{base}`, which is only known when the pipeline "
               f"runs (line {first.span.line}: {first.message}){hint}")
    return CompileError(Diagnostic(first.code, message, here, STATIC_HELP))


def check_unchanged(binding: Binding, use: cst.CSTNode, env: Env) -> None:
    """SF112 where a constant's value is changed in place (`BRONZE["rules"] = ...`) after its
    assignment and before `use` reads it: the compiler reads the assigned value only."""
    file = env.file
    changes = file.mutations(binding.name)
    if not changes:
        return
    scope, start = file.scope(binding.node), file.span(binding.node).line
    use_line = file.span(use).line if file.scope(use) is scope else None
    for node in changes:
        line = file.span(node).line
        if file.scope(node) is scope and start < line and (use_line is None or line < use_line):
            how = "passed to a call here that may change it" if _passed(node, binding.name) else "changed here"
            fail(file, node, "SF112", f"{binding.name!r} is {how}, after its assignment "
                 f"(line {start}); the compiler reads the value assigned there, so it would miss "
                 "this change", f"write the whole value where {binding.name!r} is assigned, e.g. "
                 f"{binding.name} = {{**BASE, \"key\": value}}")


def _passed(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and any(
        isinstance(a.value, cst.Name) and a.value.value == name for a in node.args
    )


def single_binding(found: tuple[Binding, ...], name: str, use: cst.CSTNode, env: Env) -> Binding:
    """The one binding of `name` (SF112 when it is assigned in several places)."""
    if len(found) > 1 and all(b.kind is Kind.IMPORT and b.origin == found[0].origin for b in found):
        found = found[:1]  # the same import written twice
    if len(found) > 1:
        lines = ", ".join(str(env.file.span(b.node).line) for b in found)
        fail(env.file, use, "SF112", f"{name!r} is assigned {len(found)} times (lines "
             f"{lines}); the compiler cannot tell which value is meant",
             "assign it once, at the top level of the module")
    return found[0]


def check_defined_before(found: tuple[Binding, ...], use: cst.Name, env: Env) -> None:
    """The innermost block runs its statements in order: a name used before its first binding
    raises NameError when the file runs (names of the module, used from inside the function that
    builds the pipeline, are looked up when that function is called, later)."""
    if any(b.kind is Kind.PARAM for b in found):
        return
    line = env.file.span(use).line
    if min(env.file.span(b.statement).line for b in found) <= line:
        return
    first = min(env.file.span(getattr(b.node, "name", b.node)).line for b in found)
    if first > line:
        fail(env.file, use, "SF118", f"{use.value!r} is used here, before it is defined (line "
             f"{first}); running the file raises NameError",
             f"move the definition of {use.value!r} above this line")


def fail_unknown_name(node: cst.Name, env: Env) -> NoReturn:
    """SF111 for a name bound nowhere the compiler can see (a builtin it does not run, a `*` import)."""
    if hasattr(builtins, node.value):
        fail(env.file, node, "SF111", static_builtins.unknown_builtin(node.value), STATIC_HELP)
    star = any(block.get("*") for block in env.blocks)
    where = "a `from ... import *`, which the compiler cannot follow" if star else env.file.name
    fail(env.file, node, "SF111", f"name {node.value!r} is not defined in {where}",
         "define it as a constant in this file, or import it by name")


def fail_unknowable(binding: Binding, use: cst.CSTNode, env: Env) -> NoReturn:
    """SF111/SF112 for a binding whose value depends on how the code runs: a parameter, an
    assignment inside a statement, an augmented or unpacking assignment."""
    line = env.file.span(binding.node).line
    if binding.kind is Kind.PARAM:
        fail(env.file, use, "SF111", f"{binding.name!r} is a parameter of the function that "
             "builds the pipeline; its value is only known when that function is called",
             f"use a literal or a module-level constant instead, or give it a default "
             f"({binding.name}=...): the job builds the pipeline with the defaults")
    if binding.kind is Kind.NESTED:
        fail(env.file, use, "SF112", f"{binding.name!r} is assigned inside a `{binding.where}` "
             f"statement (line {line}), so its value depends on how the code runs",
             "assign it once, unconditionally, at the top level of the module")
    fail(env.file, use, "SF112", f"{binding.name!r} is set by an augmented or unpacking "
         f"assignment (line {line}); the compiler only follows `NAME = value`",
         "assign the final value with one `NAME = value` statement")
