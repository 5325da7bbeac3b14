"""Match the arguments of one builder call to its parameters, like Python's call binding.

Input: a `cst.Call`, the method's `Signature`, and a resolver for `*CONST` / `**CONST`. Output: a `Bound`
(parameter name -> argument expression, or an already known `Value`, plus the argument's span) and
the binding mistakes as diagnostics: unknown keyword (SF108), too many positional arguments (SF108),
a missing required argument (SF109), an argument given twice (SF110), `*args`/`**kwargs` whose
content the compiler cannot know (SF107).

    with_bronze_rules("orders", rules=R)  ->  Bound(args={"name": <"orders">, "rules": <R>})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.resolver import Resolver
from sparkforge.compiler.evaluate.values import Env, Value, problems
from sparkforge.compiler.read.signatures import Signature
from sparkforge.ir import Span
from sparkforge.suggest import did_you_mean

Argument = cst.BaseExpression | Value


@dataclass(frozen=True, slots=True)
class Bound:
    args: Mapping[str, Argument] = field(default_factory=dict)
    spans: Mapping[str, Span] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()


def bind_arguments(call: cst.Call, signature: Signature, what: str, resolver: Resolver, env: Env,
                   where: Span) -> Bound:  # fmt: skip
    """Bind `call`'s arguments; `what` names the method in messages ("with_bronze_rules()") and
    `where` is the call's span for a missing argument."""
    binder = _Binder(signature, what, env)
    for arg in call.args:
        binder.add(arg, resolver)
    binder.finish(where)
    return Bound(binder.args, binder.spans, tuple(binder.diagnostics))


class _Binder:
    def __init__(self, signature: Signature, what: str, env: Env) -> None:
        self.signature, self.what, self.env = signature, what, env
        self.args: dict[str, Argument] = {}
        self.spans: dict[str, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.positional = 0
        self.unknown = False

    def report(self, code: str, message: str, span: Span, help: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help))

    def add(self, arg: cst.Arg, resolver: Resolver) -> None:
        file = self.env.file
        if arg.star:
            self._expand(arg, resolver)
        elif arg.keyword is not None:
            self.keyword(arg.keyword.value, arg.value, file.span(arg.value), file.span(arg.keyword))
        else:
            self.position(arg.value, file.span(arg.value))

    def position(self, value: Argument, span: Span) -> None:
        params = self.signature.params
        if self.positional >= len(params):
            self.report("SF108", f"{self.what} takes at most {len(params)} positional "
                        f"arguments", span, "pass the extra values as keyword arguments")
            return
        self.positional += 1
        self._set(params[self.positional - 1], value, span, span)

    def keyword(self, name: str, value: Argument, span: Span, name_span: Span) -> None:
        if name not in self.signature.keywords:
            hint = did_you_mean(name, self.signature.keywords)
            self.report("SF108", f"{self.what} got an unknown argument {name!r}", name_span,
                        hint or f"it accepts: {', '.join(self.signature.keywords)}")
            self.unknown = True
            return
        self._set(name, value, span, name_span)

    def _set(self, name: str, value: Argument, span: Span, where: Span) -> None:
        if name in self.args:
            self.report("SF110", f"{self.what} got more than one value for {name!r}", where,
                        "remove one of them")
            return
        self.args[name] = value
        self.spans[name] = span

    def _expand(self, arg: cst.Arg, resolver: Resolver) -> None:
        """`*CONST` or `**CONST` whose content is statically known; anything else is SF107."""
        file = self.env.file
        span = file.span(arg, arg.value)
        shown = f"{arg.star}{file.code(arg.value)}"
        try:
            value = resolver.value(arg.value, self.env)
        except CompileError as err:
            self.unknown = True  # its arguments are unknown, not missing
            if err.diagnostic.code == "SF112":  # changed or assigned elsewhere: shown there
                self.diagnostics.extend(problems(err))
                return
            self.report("SF107", f"cannot expand `{shown}`: {err.diagnostic.message}", span,
                        "write each argument out as `name=value`")
            return
        if arg.star == "**" and isinstance(value.data, dict):
            for key, item in value.data.items():
                self.keyword(str(key), item, item.span, span)
        elif arg.star == "*" and isinstance(value.data, list | tuple):
            for item in value.data:
                self.position(item, item.span)
        else:
            self.report("SF107", f"cannot expand `{shown}`: it is {value.describe()}", span,
                        "write each argument out as `name=value`")

    def finish(self, where: Span) -> None:
        missing = [p for p in self.signature.params if p in self.signature.required
                   and p not in self.args]  # fmt: skip
        if missing and not self.unknown:  # a misspelt keyword is the better message
            names = ", ".join(repr(p) for p in missing)
            plural = "s" if len(missing) > 1 else ""
            self.report("SF109", f"{self.what} is missing the required argument{plural} {names}",
                        where, f"add {missing[0]}=...")
