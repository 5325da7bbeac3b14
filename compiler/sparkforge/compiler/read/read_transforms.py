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
import sys

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.lookup import lookup, sibling_candidates
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.scopes import Binding, Kind
from sparkforge.compiler.evaluate.values import Code, Env, Symbol, Value, problems
from sparkforge.compiler.read.unit import CodeRef, StepCode, Unit
from sparkforge.ir import Layer, Step, Transform

SIGNATURES = {Layer.SILVER: ("spark", "bronze_df", "prior_silvers"), Layer.GOLD: ("spark", "silvers")}
_LIBRARIES = ("pyspark.", "sparkforge.", "sparkforge_runtime.")  # never a user transform
_JOB_PACKAGES = ("pyspark", "delta")  # what a job may import besides the standard library
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
        value = self._value(arg, code, step)
        if value is None:
            return step, None
        if value.data not in (Code.FUNCTION, Code.LAMBDA) or _is_async(value.node):
            self._not_a_function(step, value, code)
            return step, None
        node = value.node
        assert isinstance(node, cst.FunctionDef | cst.Lambda)
        self._check_params(step, value, node)
        self._check_decorators(step, value, node)
        name = node.name.value if isinstance(node, cst.FunctionDef) else "<lambda>"
        where = node.name if isinstance(node, cst.FunctionDef) else node
        transform = Transform(name=name, source=value.file.code(node), span=value.file.span(where))
        return dataclasses.replace(step, transform=transform), CodeRef(value.file, node, value.local)

    def _value(self, arg: cst.BaseExpression | Value, code: StepCode, step: Step) -> Value | None:
        if isinstance(arg, Value):
            return arg
        if isinstance(arg, cst.Call):  # transform=make_clean(): what it returns is made at run time
            self.diagnostics.append(Diagnostic(
                "SF301", "transform is the result of a call; the job needs the function's own code",
                code.spans["transform"], _PASS_FUNCTION))  # fmt: skip
            return None
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

    def _check_params(self, step: Step, value: Value, node: cst.FunctionDef | cst.Lambda) -> None:
        expected = SIGNATURES[step.layer]
        params = node.params
        positional = (*params.posonly_params, *params.params)
        required = [p for p in positional if p.default is None]
        extra_required = [p for p in params.kwonly_params if p.default is None]
        fits = len(required) <= len(expected) and (
            len(positional) >= len(expected) or isinstance(params.star_arg, cst.Param)
        )
        if fits and not extra_required:
            return
        shown = ", ".join(expected)
        where: cst.CSTNode
        if isinstance(node, cst.FunctionDef):
            what, where, fix = f"{node.name.value!r}", node.name, f"def {node.name.value}({shown}):"
        else:
            what, where, fix = "(a lambda)", node, f"lambda {shown}: ..."
        self.diagnostics.append(Diagnostic(
            "SF303", f"{step.layer.value} step {step.name!r}: the transform {what} takes "
            f"{len(positional) + len(extra_required)} parameter(s), but {step.layer.value} "
            f"transforms are called as transform({shown})", value.file.span(where),
            f"write it as `{fix}`"))  # fmt: skip


def _root_name(node: cst.BaseExpression) -> cst.Name | None:
    """`mylib.logged(level=1)` -> `mylib`."""
    while isinstance(node, cst.Call | cst.Attribute):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node if isinstance(node, cst.Name) else None


def _is_async(node: cst.CSTNode) -> bool:
    """Transforms are called synchronously: an `async def` would return a coroutine."""
    return isinstance(node, cst.FunctionDef) and node.asynchronous is not None
