"""Frontend pass: read each silver and gold step's transform: a def or lambda, copied verbatim as source.

Input: the `transform` argument of every silver/gold step: a function of the pipeline file (module
level or in the builder function), a lambda, or a function imported from a module beside the file
(`from transforms import clean`, `from .transforms import clean`, `import transforms` +
`transforms.clean`). Output: `Step.transform = ir.Transform(name, source, span)` and `Unit.transforms`,
where the code lives. Diagnostics: not a function (SF301), imported from a module that is not beside
the pipeline (SF302), wrong number of parameters (SF303): silver transforms are called as
`transform(spark, bronze_df, prior_silvers)`, gold ones as `transform(spark, silvers)`.

    def clean(spark, bronze_df, prior_silvers): ...      ->  Transform("clean", source="def clean(...)...")
    transform=lambda spark, silvers: silvers["a"]       ->  Transform("<lambda>", source="lambda ...")
"""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.lookup import lookup, sibling_candidates
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.scopes import Binding, Kind
from sparkforge.compiler.evaluate.values import Code, Env, Symbol, Value, problems
from sparkforge.compiler.read.unit import CodeRef, StepCode, Unit
from sparkforge.ir import Layer, Span, Step, Transform

SIGNATURES = {Layer.SILVER: ("spark", "bronze_df", "prior_silvers"), Layer.GOLD: ("spark", "silvers")}
_LIBRARIES = ("pyspark.", "sparkforge.", "sparkforge_runtime.")  # never a user transform
_JOB_PACKAGES = ("pyspark", "delta")  # what a job may import besides the standard library
PartialArgs = tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]]  # what a functools.partial binds
_PASS_FUNCTION = "pass the function itself, defined with `def` in this file or in a module beside it"


def read_transforms(unit: Unit) -> Unit:
    main, builder, pipeline = unit.main, unit.builder, unit.pipeline
    if main is None or builder is None or pipeline is None:
        return unit
    reader = _TransformReader(Resolver(unit.files), Env(main, builder.local), main.name, unit.broken)
    pairs = [reader.step(step, code) for step, code in zip(pipeline.steps, unit.steps, strict=True)]
    steps = tuple(step for step, _ in pairs)
    return dataclasses.replace(
        unit.report(*reader.diagnostics),
        pipeline=dataclasses.replace(pipeline, steps=steps),
        transforms=tuple(ref for _, ref in pairs),
    )


class _TransformReader:
    def __init__(self, resolver: Resolver, env: Env, main_name: str, broken: tuple[str, ...]) -> None:
        self.resolver, self.env, self.main_name = resolver, env, main_name
        self.broken = broken  # modules that exist but failed to parse: their error says it all
        self.diagnostics: list[Diagnostic] = []

    def step(self, step: Step, code: StepCode) -> tuple[Step, CodeRef | None]:
        arg = code.args.get("transform")
        if step.layer is Layer.BRONZE or arg is None:
            return step, None
        bound: PartialArgs = ((), ())
        if isinstance(arg, cst.Call):  # functools.partial(dedupe, key="id"), or a call we refuse
            found = self._partial(arg, code)
            if found is None:
                return step, None
            arg, bound = found
        value = self._value(arg, code, step)
        if value is None:
            return step, None
        if value.data not in (Code.FUNCTION, Code.LAMBDA) or _is_async(value.node):
            self._not_a_function(step, value, code)
            return step, None
        node = value.node
        assert isinstance(node, cst.FunctionDef | cst.Lambda)
        problem = _params_problem(step, value, node, bound)
        if problem is not None:
            self.diagnostics.append(problem)
        self._check_decorators(step, value, node)
        name = node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>"
        where = node.name if isinstance(node, cst.FunctionDef) else node
        transform = Transform(name=name, source=value.file.code(node), span=value.file.span(where),
                              args=bound[0], kwargs=bound[1])  # fmt: skip
        return dataclasses.replace(step, transform=transform), CodeRef(value.file, node, value.local)

    def _partial(self, call: cst.Call, code: StepCode) -> tuple[cst.BaseExpression, PartialArgs] | None:
        """`functools.partial(fn, *literals, **literals)`: `fn` and the arguments it binds."""
        env = code.call.env(self.env.file, self.env.local)
        try:
            callee = self.resolver.value(call.func, env).data
        except CompileError:
            callee = None
        if callee != Symbol("functools.partial"):  # transform=make_clean(): made at run time
            self._report("SF301", "transform is the result of a call; the job needs the function's own code",
                         code.spans["transform"], _PASS_FUNCTION + ", or functools.partial(function, name=literal)")  # fmt: skip
            return None
        first, *rest = call.args or (None,)
        if first is None or first.keyword is not None or first.star:
            self._report("SF301", "functools.partial needs the transform function as its first argument",
                         code.spans["transform"], "write functools.partial(function, name=literal)")  # fmt: skip
            return None
        args: list[Any] = []
        kwargs: list[tuple[str, Any]] = []
        for arg in rest:
            try:
                value = self.resolver.value(arg.value, env)
            except CompileError as err:
                self.diagnostics.extend(problems(err))
                return None
            if arg.star or not _is_literal(value.plain()):
                shown = self.env.file.code(arg)
                self._report("SF301", f"functools.partial binds `{shown}`, which is not a literal value "
                             "the job can write out", self.env.file.span(arg),
                             "bind literals only (strings, numbers, booleans, None, and lists, "
                             "tuples or dicts of those)")  # fmt: skip
                return None
            if arg.keyword is None:
                args.append(value.plain())
            else:
                kwargs.append((arg.keyword.value, value.plain()))
        return first.value, (tuple(args), tuple(kwargs))

    def _report(self, code: str, message: str, span: Span, help: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help))

    def _value(self, arg: cst.BaseExpression | Value, code: StepCode, step: Step) -> Value | None:
        if isinstance(arg, Value):
            return arg
        try:
            return self.resolver.value(arg, code.call.env(self.env.file, self.env.local))
        except CompileError as err:
            first = problems(err)[0]
            if first.code == "SF111" and first.span.line != code.spans["transform"].line:
                # `cleaner.run` where `cleaner = Cleaner()`: say so here, not only at `Cleaner()`
                shown = self.env.file.code(arg)
                self.diagnostics.append(Diagnostic(
                    "SF301", f"{step.layer.value} step {step.name!r}: transform `{shown}` is not "
                    "a function the compiler can copy: "
                    f"{first.message} (line {first.span.line})", code.spans["transform"],
                    _PASS_FUNCTION + "; methods of objects made when the pipeline runs cannot be "
                    "copied into the job"))  # fmt: skip
            else:
                self.diagnostics.extend(problems(err))
            return None

    def _not_a_function(self, step: Step, value: Value, code: StepCode) -> None:
        where = f"{step.layer.value} step {step.name!r}"
        if isinstance(value.data, Symbol) and not value.data.name.startswith(_LIBRARIES):
            module, _, name = value.data.name.rpartition(".")
            if module.lstrip(".") in self.broken:
                return
            self.diagnostics.append(Diagnostic(
                "SF302", f"{where}: transform {name!r} is imported from {module!r}, which is not a "
                f"module beside {self.main_name}", value.span,
                "the job carries the transform's code: define it in the pipeline file or in a "
                "module next to it (e.g. transforms.py)"))  # fmt: skip
            return
        got = "an async function" if _is_async(value.node) else value.describe()
        span, help = value.span, _PASS_FUNCTION
        if isinstance(value.node, cst.ClassDef):  # point at the use: the class itself is fine
            got = f"the class {value.node.name.value!r}"
            span = code.spans["transform"]
            help = ("write a function `def name(spark, ...)` that does what the class does; the job "
                    "copies functions, not classes or their instances")
        self.diagnostics.append(Diagnostic(
            "SF301", f"{where}: transform must be a function or a lambda, got {got}", span, help))

    def _check_decorators(self, step: Step, value: Value, node: cst.FunctionDef | cst.Lambda) -> None:
        """A decorator runs when the job is imported: one from an installed package that is not
        beside the pipeline would make the job import it on the cluster (SF309)."""
        if not isinstance(node, cst.FunctionDef):
            return
        blocks = tuple(b for b in (value.local, value.file.block) if b is not None)
        for decorator in node.decorators:
            root = _root_name(decorator.decorator)
            found = lookup(root.value, blocks) if root is not None else ()
            binding = found[0] if len(found) == 1 else None
            if binding is None or binding.kind is not Kind.IMPORT or self._beside(binding):
                continue
            top = binding.origin.lstrip(".").split(".")[0]
            if top in sys.stdlib_module_names or top in _JOB_PACKAGES:
                continue
            self.diagnostics.append(Diagnostic(
                "SF309", f"{step.layer.value} step {step.name!r}: the transform "
                f"{node.name.value!r} is decorated with `{value.file.code(decorator.decorator)}` "
                f"from {binding.origin.rpartition('.')[0] or binding.origin!r}, a package that is "
                "not beside the pipeline; the job would import it on the cluster",
                value.file.span(decorator.decorator),
                "define the decorator in the pipeline file or a module beside it, or drop it"))  # fmt: skip

    def _beside(self, binding: Binding) -> bool:
        return any(module in self.resolver.files for module, _ in sibling_candidates(binding))


def _params_problem(step: Step, value: Value, node: cst.FunctionDef | cst.Lambda, bound: PartialArgs) -> Diagnostic | None:
    """SF303 when the transform cannot be called as its layer calls it (with what a
    `functools.partial` binds), else None."""
    expected = SIGNATURES[step.layer]
    params = node.params
    named = {name for name, _ in bound[1]}
    positional = (*params.posonly_params, *params.params)[len(bound[0]) :]
    left = [p.name.value for p in (*positional[len(expected) :], *params.kwonly_params)
            if p.default is None and p.name.value not in named]  # fmt: skip
    clash = [p.name.value for p in positional[: len(expected)] if p.name.value in named]
    fits = len(positional) >= len(expected) or isinstance(params.star_arg, cst.Param)
    if fits and not left and not clash:
        return None
    shown = ", ".join(expected)
    what = f"{node.name.value!r}" if isinstance(node, cst.FunctionDef) else "(a lambda)"
    where = node.name if isinstance(node, cst.FunctionDef) else node
    head = f"{step.layer.value} step {step.name!r}: the transform {what}"
    call = f"{step.layer.value} transforms are called as transform({shown})"
    if fits and bound != ((), ()):  # the call's arguments fit; what functools.partial binds does not
        message = (f"{head}: functools.partial binds {', '.join(clash)}, which the call passes itself"
                   if clash else f"{head} needs {', '.join(left)}, which nothing passes")
        help = (f"{call}: drop `{clash[0]}=` from the functools.partial" if clash else
                f"{call}: bind the others by name, functools.partial({value.file.code(where)}, {left[0]}=...)")
    else:
        kwonly = [p for p in params.kwonly_params if p.default is None and p.name.value not in named]
        after = f" after the {len(bound[0])} functools.partial binds" if bound[0] else ""
        message = f"{head} takes {len(positional) + len(kwonly)} parameter(s){after}, but {call}"
        fix = f"def {node.name.value}({shown}):" if isinstance(node, cst.FunctionDef) else f"lambda {shown}: ..."
        help = f"write it as `{fix}`" + (", binding the rest by name with functools.partial"
                                        if bound != ((), ()) else "")  # fmt: skip
    return Diagnostic("SF303", message, value.file.span(where), help)


def _root_name(node: cst.BaseExpression) -> cst.Name | None:
    """`mylib.logged(level=1)` -> `mylib`."""
    while isinstance(node, cst.Call | cst.Attribute):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node if isinstance(node, cst.Name) else None


def _is_literal(value: Any) -> bool:
    """Data a job can write as a literal: what a partial may bind."""
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, str | int | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_is_literal(item) for item in value)
    return isinstance(value, dict) and all(_is_literal(k) and _is_literal(v) for k, v in value.items())


def _is_async(node: cst.CSTNode) -> bool:
    """Transforms are called synchronously: an `async def` would return a coroutine."""
    return isinstance(node, cst.FunctionDef) and node.asynchronous is not None
