"""Evaluate builder arguments from source, the way Python would, without running anything.

Input: an expression node, the file it is in and the builder function's block (if any). Output: a
`Value`: literals, names of module (or builder-function) constants, f-strings of constants, string
concatenation, lists/tuples/dicts of those, `{**A, **B}` and `A | B` unions, the rule helpers,
`WriteMode.MERGE`, functions, lambdas and PySpark Column expressions (kept as code). Anything else
raises `CompileError` (SF111/SF112) at the node that cannot be known before the pipeline runs.

    f"{PREFIX}_orders"   with   PREFIX = "shop"   ->   Value("shop_orders")
    load_rules()                                   ->   CompileError SF111 at `load_rules()`
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import libcst as cst

from sparkforge.compiler import static_ops, static_rule_call
from sparkforge.compiler.bindings import Binding, Kind, sibling_candidates
from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.sources import SourceFile
from sparkforge.compiler.values import (
    STATIC_HELP,
    Code,
    Env,
    ModuleRef,
    Symbol,
    Value,
    fail,
    gather,
)
from sparkforge.ir import WriteMode

_LITERAL_NAMES: dict[str, Any] = {"True": True, "False": False, "None": None}
_WRITE_MODES = ("sparkforge.WriteMode.", "sparkforge.models.WriteMode.", "sparkforge.ir.WriteMode.")


class Resolver:
    """Evaluates expressions of the pipeline file and the modules beside it; caches constants."""

    def __init__(self, files: Sequence[SourceFile]) -> None:
        self.files = {f.module: f for f in files}
        self._done: dict[cst.CSTNode, Value | CompileError] = {}
        self._active: set[cst.CSTNode] = set()

    def value(self, node: cst.CSTNode, env: Env) -> Value:
        handler = _HANDLERS.get(type(node))
        if handler is None:
            fail(env.file, node, "SF111", "the compiler cannot evaluate this expression", STATIC_HELP)
        return handler(self, node, env)

    def column_part(self, node: cst.CSTNode, env: Env) -> Value:
        """A piece of a Column expression: an error here is about the rule (SF406)."""
        try:
            return self.value(node, env)
        except CompileError as err:
            raise static_ops.as_column_error(err) from None

    # -- names ---------------------------------------------------------------------------------

    def name(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Name)
        if node.value in _LITERAL_NAMES:
            return Value(_LITERAL_NAMES[node.value], node, env.file, env.local)
        for block in env.blocks:
            found = block.get(node.value)
            if found:
                scope = env if block is env.local else Env(env.file)
                return self._bound(found, node.value, node, scope)
        self._undefined(node, env)

    def _undefined(self, node: cst.Name, env: Env) -> NoReturn:
        if hasattr(builtins, node.value):
            fail(env.file, node, "SF111", f"{node.value!r} is a Python builtin; the compiler does "
                 "not call functions while reading the pipeline", STATIC_HELP)
        star = any(block.get("*") for block in env.blocks)
        where = "a `from ... import *`, which the compiler cannot follow" if star else env.file.name
        fail(env.file, node, "SF111", f"name {node.value!r} is not defined in {where}",
             "define it as a constant in this file, or import it by name")

    def _bound(self, found: tuple[Binding, ...], name: str, use: cst.CSTNode, env: Env) -> Value:
        if len(found) > 1 and all(b.kind is Kind.IMPORT and b.origin == found[0].origin for b in found):
            found = found[:1]  # the same import written twice
        if len(found) > 1:
            lines = ", ".join(str(env.file.span(b.node).line) for b in found)
            fail(env.file, use, "SF112", f"{name!r} is assigned {len(found)} times (lines "
                 f"{lines}); the compiler cannot tell which value is meant",
                 "assign it once, at the top level of the module")
        binding = found[0]
        if binding.kind is Kind.ASSIGN:
            return self._constant(binding, env)
        if binding.kind is Kind.IMPORT:
            return self._imported(binding, use, env)
        if binding.kind in (Kind.DEF, Kind.CLASS):
            code = Code.FUNCTION if binding.kind is Kind.DEF else Code.CLASS
            return Value(code, binding.node, env.file, env.local)
        self._unknowable(binding, use, env)

    def _unknowable(self, binding: Binding, use: cst.CSTNode, env: Env) -> NoReturn:
        line = env.file.span(binding.node).line
        if binding.kind is Kind.PARAM:
            fail(env.file, use, "SF111", f"{binding.name!r} is a parameter of the function that "
                 "builds the pipeline; its value is only known when that function is called",
                 "use a literal or a module-level constant instead")
        if binding.kind is Kind.NESTED:
            fail(env.file, use, "SF112", f"{binding.name!r} is assigned inside a `{binding.where}` "
                 f"statement (line {line}), so its value depends on how the code runs",
                 "assign it once, unconditionally, at the top level of the module")
        fail(env.file, use, "SF112", f"{binding.name!r} is set by an augmented or unpacking "
             f"assignment (line {line}); the compiler only follows `NAME = value`",
             "assign the final value with one `NAME = value` statement")

    def _constant(self, binding: Binding, env: Env) -> Value:
        key = binding.node
        done = self._done.get(key)
        if isinstance(done, CompileError):
            raise done
        if done is not None:
            return done
        if key in self._active:
            fail(env.file, key, "SF111", f"{binding.name!r} is defined in terms of itself", STATIC_HELP)
        self._active.add(key)
        try:
            assert binding.value is not None
            result: Value | CompileError = self.value(binding.value, env)
        except CompileError as err:
            result = err
        finally:
            self._active.discard(key)
        self._done[key] = result
        if isinstance(result, CompileError):
            raise result
        return result

    def _imported(self, binding: Binding, use: cst.CSTNode, env: Env) -> Value:
        for module, attr in sibling_candidates(binding):
            sibling = self.files.get(module)
            if sibling is None:
                continue
            if attr is None:
                return Value(ModuleRef(module), use, env.file, env.local)
            return self.member(sibling, attr, binding.node, env)
        if binding.attr == "*":
            fail(env.file, use, "SF111", f"{binding.name!r} comes from a `*` import", STATIC_HELP)
        return Value(Symbol(binding.origin), use, env.file, env.local)

    def member(self, module: SourceFile, name: str, use: cst.CSTNode, env: Env) -> Value:
        """`name` defined at the top level of a module beside the pipeline (SF308 if it is not)."""
        found = module.block.get(name)
        if not found:
            fail(env.file, use, "SF308", f"module {module.module!r} ({module.name}) has no "
                 f"top-level name {name!r}", static_ops.did_you_mean(name, module.block.names))
        return self._bound(found, name, found[-1].node, Env(module))

    # -- attributes, calls, subscripts -----------------------------------------------------------

    def attribute(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Attribute)
        base = self.value(node.value, env)
        attr = node.attr.value
        if isinstance(base.data, Symbol):
            qualified = f"{base.data.name}.{attr}"
            mode = _write_mode(qualified)
            data: Any = mode if mode is not None else Symbol(qualified)
            return Value(data, node, env.file, env.local)
        if isinstance(base.data, ModuleRef):
            return self.member(self.files[base.data.module], attr, node, env)
        if base.is_column:
            return Value(Code.COLUMN, node, env.file, env.local)
        fail(env.file, node, "SF111", f"the compiler cannot read attribute {attr!r} of "
             f"{base.describe()}", STATIC_HELP)

    def call(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Call)
        callee = self.value(node.func, env)
        if callee.is_column or static_ops.is_pyspark(callee.data):
            errors: list[CompileError] = []
            for arg in node.args:
                try:
                    self.column_part(arg.value, env)
                except CompileError as err:
                    errors.append(err)
            gather(errors)
            return Value(Code.COLUMN, node, env.file, env.local)
        if static_rule_call.is_rule_function(callee.data):
            return static_rule_call.read_rule_call(self.value, node, env)
        helper = static_ops.rule_helper(callee.data)
        if helper is not None:
            return static_ops.expand_helper(self, node, helper, env)
        shown = env.file.code(node.func)
        if self._has_column_argument(node, env):
            fail(env.file, node, "SF406", f"a Column rule must be self-contained: it calls "
                 f"`{shown}`, which is not a pyspark.sql.functions function", static_ops.COLUMN_HELP)
        fail(env.file, node, "SF111", f"the compiler does not run `{shown}(...)`: its result is "
             "only known when the pipeline runs", STATIC_HELP)

    def _has_column_argument(self, node: cst.Call, env: Env) -> bool:
        for arg in node.args:
            try:
                if self.value(arg.value, env).is_column:
                    return True
            except CompileError:
                continue
        return False

    def subscript(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Subscript)
        base = self.value(node.value, env)
        if base.is_column:
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    self.column_part(element.slice.value, env)
            return Value(Code.COLUMN, node, env.file, env.local)
        return static_ops.index(self, node, base, env)


def _write_mode(qualified: str) -> WriteMode | None:
    for prefix in _WRITE_MODES:
        if qualified.startswith(prefix):
            member = qualified[len(prefix) :]
            return WriteMode[member] if member in WriteMode.__members__ else None
    return None


Handler = Callable[[Resolver, Any, Env], Value]
_HANDLERS: dict[type[cst.CSTNode], Handler] = {
    cst.Name: Resolver.name,
    cst.Attribute: Resolver.attribute,
    cst.Call: Resolver.call,
    cst.Subscript: Resolver.subscript,
    **static_ops.HANDLERS,
}
