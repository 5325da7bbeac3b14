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

from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.evaluate import calls as static_calls
from sparkforge.compiler.evaluate import checks as static_checks
from sparkforge.compiler.evaluate import frames as static_frames
from sparkforge.compiler.evaluate import namespaces, pyspark_calls
from sparkforge.compiler.evaluate import operators as static_ops
from sparkforge.compiler.evaluate import python_builtins as static_builtins
from sparkforge.compiler.evaluate import rule_call as static_rule_call
from sparkforge.compiler.evaluate.evaluator import Budget
from sparkforge.compiler.evaluate.lookup import sibling_candidates, star_binding
from sparkforge.compiler.evaluate.scopes import Binding, Kind
from sparkforge.compiler.evaluate.statements import iterate
from sparkforge.compiler.evaluate.values import (
    STATIC_HELP,
    Builtin,
    Code,
    Env,
    Failed,
    Method,
    ModuleRef,
    Symbol,
    Value,
    fail,
    gather,
)
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.ir import WriteMode
from sparkforge.suggest import did_you_mean

_LITERAL_NAMES: dict[str, Any] = {"True": True, "False": False, "None": None}
_FUNCTIONS = (cst.FunctionDef, cst.Lambda)
_WRITE_MODES = ("sparkforge.WriteMode.", "sparkforge.models.WriteMode.", "sparkforge.ir.WriteMode.")


class Resolver:
    """Evaluates expressions of the pipeline file and the modules beside it; caches constants."""

    def __init__(self, files: Sequence[SourceFile]) -> None:
        self.files = {f.module: f for f in files}
        self._done: dict[cst.CSTNode, Value | CompileError] = {}
        self._active: set[cst.CSTNode] = set()
        self.budget = Budget()
        self._shared: set[int] = set()  # ids of the containers of cached constants (kept alive)

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
            raise pyspark_calls.as_column_error(err) from None

    # -- names ---------------------------------------------------------------------------------

    def name(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Name)
        if node.value in _LITERAL_NAMES:
            return Value(_LITERAL_NAMES[node.value], node, env.file, env.local)
        if env.frame is not None:
            local = env.frame.get(node.value)
            if local is not None and isinstance(local.data, Failed):
                raise local.data.error
            if local is not None:
                return local
        in_function = env.frame is not None and isinstance(env.frame.function().node, _FUNCTIONS)
        for block in env.blocks:
            found = block.get(node.value)
            if found:
                if block is env.blocks[0] and not in_function:  # a function looks names up when called
                    static_checks.check_defined_before(found, node, env)
                scope = env if block is env.local else Env(env.file)
                return self._bound(found, node.value, node, scope)
        return self._undefined(node, env)

    def _undefined(self, node: cst.Name, env: Env) -> Value:
        star = star_binding(node.value, env.blocks)
        if star is not None:  # `from pyspark.sql.functions import *` then `col(...)`
            return Value(Symbol(f"{star.module}.{node.value}"), node, env.file, env.local)
        safe = static_builtins.builtin(node.value)
        if safe is not None:
            return env.value(safe, node)
        static_checks.fail_unknown_name(node, env)

    def _bound(self, found: tuple[Binding, ...], name: str, use: cst.CSTNode, env: Env) -> Value:
        binding = static_checks.single_binding(found, name, use, env)
        if binding.kind is Kind.ASSIGN:
            static_checks.check_unchanged(binding, use, env)
            return self._constant(binding, env)
        if binding.kind is Kind.IMPORT:
            return self._imported(binding, use, env)
        if binding.kind in (Kind.DEF, Kind.CLASS):
            code = Code.FUNCTION if binding.kind is Kind.DEF else Code.CLASS
            return Value(code, binding.node, env.file, env.local)
        if binding.kind is Kind.PARAM and isinstance(binding.node, cst.Param) and binding.node.default:
            # `def build(spark, schema="shop")`: the job builds the pipeline as build(spark) does
            return self.value(binding.node.default, Env(env.file))
        static_checks.fail_unknowable(binding, use, env)

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
            result: Value | CompileError = self._item(self.value(binding.value, env), binding, env)
        except CompileError as err:
            result = err
        finally:
            self._active.discard(key)
        self._done[key] = result
        if isinstance(result, CompileError):
            raise result
        self._share(result)
        return result

    def _share(self, value: Value) -> None:
        """Remember the containers a constant holds: evaluated functions may not change them."""
        data = value.data
        if isinstance(data, tuple):
            for item in data:
                self._share(item)
        elif isinstance(data, list | dict) and id(data) not in self._shared:
            self._shared.add(id(data))
            for item in data.values() if isinstance(data, dict) else data:
                self._share(item)

    def is_shared(self, value: Value) -> bool:
        return id(value.data) in self._shared

    def _item(self, value: Value, binding: Binding, env: Env) -> Value:
        """`A, (B, C) = "a", ("b", "c")`: the item of the assigned value that `binding` names."""
        for index, width in binding.path:
            items = list(iterate(value, env, binding.node))
            if len(items) != width:
                fail(env.file, binding.node, "SF111", f"cannot unpack {len(items)} values into "
                     f"{width} names (Python raises ValueError)")
            value = items[index]
        return value

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
                 f"top-level name {name!r}", did_you_mean(name, module.block.names))
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
            return env.column(node)
        found = namespaces.class_attribute(self, base, node, env)  # `Settings.SCHEMA`, `Tables.RAW.value`
        if found is not None:
            return found
        bound = static_builtins.method(base, attr)
        if bound is not None:
            return env.value(bound, node)
        fail(env.file, node, "SF111", f"the compiler cannot read attribute {attr!r} of "
             f"{base.describe()}", STATIC_HELP)

    def call(self, node: cst.CSTNode, env: Env) -> Value:
        assert isinstance(node, cst.Call)
        callee = self.value(node.func, env)
        if callee.is_column or pyspark_calls.is_pyspark(callee.data):
            errors: list[CompileError] = []
            parts: list[Value] = []
            for arg in node.args:
                try:
                    parts.append(self.column_part(arg.value, env))
                except CompileError as err:
                    errors.append(err)
            gather(errors)
            pyspark_calls.check_sql_function(callee, node, parts, env)
            return env.column(node)
        if static_rule_call.is_rule_function(callee.data):
            return static_rule_call.read_rule_call(self.value, node, env)
        helper = pyspark_calls.rule_helper(callee.data)
        if helper is not None:
            return pyspark_calls.expand_helper(self, node, helper, env)
        if callee.data in (Code.FUNCTION, Code.LAMBDA):
            return static_calls.call_function(self, node, callee, env)
        if isinstance(callee.data, Builtin):
            return static_builtins.call_builtin(self, node, callee.data, env)
        if isinstance(callee.data, Method):
            return static_builtins.call_method(self, node, callee.data, env)
        shown = env.file.code(node.func)
        if isinstance(callee.data, Symbol):
            module = callee.data.name.rpartition(".")[0] or callee.data.name
            static_calls.not_callable(env, node, shown, f"it comes from {module!r}, which is not "
                                      "part of this project (the compiler imports nothing)")
        if callee.data is Code.CLASS:
            static_calls.not_callable(env, node, shown, "it is a class; the compiler does not "
                                      "create objects")
        if self._has_column_argument(node, env):
            fail(env.file, node, "SF406", f"a Column rule must be self-contained: it calls "
                 f"`{shown}`, which is not a pyspark.sql.functions function", pyspark_calls.COLUMN_HELP)
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
        try:
            base = self.value(node.value, env)
        except CompileError as err:
            raise static_checks.read_from_unknown(node, err, env) from None
        if base.is_column:
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    self.column_part(element.slice.value, env)
            return env.column(node)
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
    cst.ListComp: static_frames.comprehension,
    cst.SetComp: static_frames.comprehension,
    cst.DictComp: static_frames.comprehension,
    cst.GeneratorExp: static_frames.comprehension,
    cst.NamedExpr: static_frames.walrus,
    cst.IfExp: static_frames.conditional,
    **static_ops.HANDLERS,
}
