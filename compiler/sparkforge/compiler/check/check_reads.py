"""Frontend pass: the silver tables a transform reads must be declared; undeclared ones are added, with a warning.

Input: the transforms' code. Output: a silver transform that reads `prior_silvers["x"]` (or
`.get("x")`) without naming `x` in `depends_on`/`source_silvers` gets `x` added to `depends_on`; a
gold transform reading `silvers["x"]` outside its `source_silvers` gets `x` added there. Each
addition is a warning (SF304) at the read, saying what to declare. Reading a step that does not
exist, or is not a silver step, is an error (SF305). Keys must be literals or constants; reads with
computed keys are left to the run-time check.

    def enrich(spark, df, prior_silvers): return df.join(prior_silvers["customers"], "id")
    -> Step("enrich", depends_on=("customers",)) and warning SF304 at `prior_silvers["customers"]`
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

import libcst as cst
import libcst.matchers as m

from sparkforge.compiler.diagnostics import CompileError, Diagnostic, Severity
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.values import Env
from sparkforge.compiler.read.source_file import SourceFile
from sparkforge.compiler.read.unit import CodeRef, Unit
from sparkforge.ir import Layer, Span, Step
from sparkforge.suggest import did_you_mean

_ARGUMENT = {Layer.SILVER: 2, Layer.GOLD: 1}  # position of prior_silvers / silvers
Read = tuple[str, cst.CSTNode]


def check_reads(unit: Unit) -> Unit:
    pipeline = unit.pipeline
    if pipeline is None or not unit.transforms:
        return unit
    layers = {step.name: step.layer for step in pipeline.steps}
    checker = _ReadChecker(Resolver(unit.files), layers, unit.partial)
    steps = tuple(
        checker.step(step, ref) if ref is not None else step
        for step, ref in zip(pipeline.steps, unit.transforms, strict=True)
    )
    new = dataclasses.replace(pipeline, steps=steps)
    return dataclasses.replace(unit.report(*checker.diagnostics), pipeline=new)


class _ReadChecker:
    def __init__(self, resolver: Resolver, layers: Mapping[str, Layer], partial: bool) -> None:
        self.resolver, self.layers, self.partial = resolver, layers, partial
        self.diagnostics: list[Diagnostic] = []
        self._reads: dict[cst.CSTNode, tuple[Read, ...]] = {}  # one transform may serve many steps

    def step(self, step: Step, ref: CodeRef) -> Step:
        reads = self._reads_of(step, ref)
        field = "depends_on" if step.layer is Layer.SILVER else "source_silvers"
        declared = list(step.depends_on if step.layer is Layer.SILVER else step.source_silvers)
        known = set(declared) | set(step.source_silvers)
        for name, node in reads:
            span = ref.file.span(node)
            if not self._is_silver(step, name, span) or name in known:
                continue
            known.add(name)
            declared.append(name)
            self.diagnostics.append(_added(step, name, field, tuple(declared), span, ref.file.code(node)))
        if step.layer is Layer.SILVER:
            return dataclasses.replace(step, depends_on=tuple(declared))
        return dataclasses.replace(step, source_silvers=tuple(declared))

    def _is_silver(self, step: Step, name: str, span: Span) -> bool:
        layer = self.layers.get(name)
        if layer is Layer.SILVER:
            return True
        where = f"{step.layer.value} step {step.name!r}"
        if layer is None and not self.partial:
            silvers = [n for n, kind in self.layers.items() if kind is Layer.SILVER]
            self.diagnostics.append(Diagnostic(
                "SF305", f"{where}: the transform reads {name!r}, which is not a step of this "
                "pipeline", span, did_you_mean(name, silvers) or "only silver steps can be read"))  # fmt: skip
        elif layer is not None:
            self.diagnostics.append(Diagnostic(
                "SF305", f"{where}: the transform reads {name!r}, which is a {layer.value} step; "
                "transforms receive silver tables only", span,
                "read bronze data through the bronze_df argument (silver) or a silver step"))  # fmt: skip
        return False

    def _reads_of(self, step: Step, ref: CodeRef) -> tuple[Read, ...]:
        cached = self._reads.get(ref.node)
        if cached is None:
            cached = self._find(ref, _ARGUMENT[step.layer])
            self._reads[ref.node] = cached
        return cached

    def _find(self, ref: CodeRef, position: int) -> tuple[Read, ...]:
        node = ref.node
        assert isinstance(node, cst.FunctionDef | cst.Lambda)
        params = (*node.params.posonly_params, *node.params.params)
        if len(params) <= position:
            return ()
        reads: list[Read] = []
        for key, at in _reads_in(ref.file, node.body, params[position].name.value):
            try:
                value = self.resolver.value(key, Env(ref.file, ref.local)).plain()
            except CompileError:
                continue  # a computed key: the run-time check names it
            if isinstance(value, str):
                reads.append((value, at))
        return tuple(reads)


def _added(step: Step, name: str, field: str, declared: tuple[str, ...], span: Span, shown: str
           ) -> Diagnostic:  # fmt: skip
    return Diagnostic(
        "SF304",
        f"{step.layer.value} step {step.name!r} reads `{shown}` but does not declare {name!r}; "
        f"the compiler added it to {field}",
        span,
        f"declare it: {field}={list(declared)!r}",
        Severity.WARNING,
    )


def _reads_in(
    file: SourceFile, body: cst.CSTNode, param: str
) -> Iterator[tuple[cst.BaseExpression, cst.CSTNode]]:
    """`param["x"]` and `param.get("x", ...)` inside a transform body: (key node, read node).

    The file's index lists the subscripts and calls of the body, so its tree is not walked again."""
    subscript = m.Subscript(value=m.Name(param), slice=[m.SubscriptElement(m.Index())])
    get = m.Call(func=m.Attribute(value=m.Name(param), attr=m.Name("get")),
                 args=[m.Arg(keyword=None), m.ZeroOrMore()])  # fmt: skip
    for node in file.lookups_in(body):
        if isinstance(node, cst.Subscript):
            if _is_name(node.value, param) and m.matches(node, subscript):
                index = node.slice[0].slice
                assert isinstance(index, cst.Index)
                yield index.value, node
        elif _on_attribute(node.func, param) and m.matches(node, get):
            yield node.args[0].value, node


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    """Cheap pre-test before the matcher: most subscripts and calls are not on the param."""
    return type(node) is cst.Name and node.value == name


def _on_attribute(func: cst.BaseExpression, name: str) -> bool:
    return type(func) is cst.Attribute and _is_name(func.value, name)
