"""Calls the static evaluator runs itself: functions of the project, a few builtins, str/list/dict methods.

Input: a call node whose callee the evaluator knows (a `def` or lambda of the pipeline file or a module
beside it, a `Builtin`, a `Method` of a known value) and the `Env` of the call. Output: the call's
`Value`, computed by interpreting the function body over statically known values: assignments
(tuple unpacking included), `if`, `for` over known sequences, `return`, comprehensions, walrus, and
in-place changes of containers the function built itself (builtins and methods: `static_builtins`;
comprehensions: `static_frames`). Nothing else runs: no I/O, no imports outside the project and
pyspark, and at most `STEP_BUDGET` statements and calls per evaluation; anything outside that is
SF111 at the node it could not evaluate, naming the call and why.

    def key_rules(*cols): return {c: ["not_null"] for c in cols}
    key_rules("id", "ts")                            ->  Value({"id": [...], "ts": [...]})
    def valid_email(c): return c.rlike("^[^@]+@")   ->  valid_email(F.col("email")) stays a Column
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.evaluator import Evaluator, Return
from sparkforge.compiler.evaluate.statements import iterate, run_block
from sparkforge.compiler.evaluate.values import (
    CompileErrors,
    Env,
    Frame,
    Value,
    fail,
    problems,
)

NO_CALL_HELP = (
    "the compiler evaluates the functions of this project's files, pyspark Column functions and "
    "simple builtins (dict, list, sorted, range, ...); compute the value from literals and constants"
)



# -- project functions ----------------------------------------------------------------------------


def call_function(resolver: Evaluator, node: cst.Call, callee: Value, env: Env) -> Value:
    """Run a `def` or lambda of the project on the call's arguments."""
    func = callee.node
    assert isinstance(func, cst.FunctionDef | cst.Lambda)
    budget = resolver.budget
    if isinstance(func, cst.FunctionDef) and (func.asynchronous or func.decorators):
        fail(env.file, node, "SF111", f"the compiler does not run `{func.name.value}`: it is "
             f"{'async' if func.asynchronous else 'decorated'}", NO_CALL_HELP)
    frame = Frame(func)
    body_env = Env(callee.file, callee.local, frame)
    outermost = budget.depth == 0
    try:
        with budget.entered(env, node):
            _bind_parameters(resolver, node, func.params, frame, env, body_env)
            result = _run_function(resolver, func, body_env)
    except CompileError as err:
        raise _called_from(err, node, env, func) if outermost else err from None
    if result.is_column:
        return env.column(node)  # kept as the call; the function is copied into the job
    return result


def _run_function(resolver: Evaluator, func: cst.FunctionDef | cst.Lambda, env: Env) -> Value:
    if isinstance(func, cst.Lambda):
        return resolver.value(func.body, env)
    body = func.body
    statements: Sequence[cst.CSTNode]
    if isinstance(body, cst.SimpleStatementSuite):  # def f(x): return x
        statements = [cst.SimpleStatementLine(body=body.body)]
    else:
        statements = body.body
    try:
        run_block(resolver, statements, env)
    except Return as done:
        return done.value
    return env.value(None, func)


def _called_from(err: CompileError, node: cst.Call, env: Env, func: cst.CSTNode) -> CompileError:
    """Name the call that led to a problem found inside a function body."""
    name = func.name.value if isinstance(func, cst.FunctionDef) else "<lambda>"
    line = env.file.span(node).line
    suffix = f" (evaluating `{name}(...)`, called at {env.file.name}:{line})"
    found = tuple(
        d if d.span.file == env.file.name and d.span.line == line
        else Diagnostic(d.code, d.message + suffix, d.span, d.help, d.severity)
        for d in problems(err)
    )  # fmt: skip
    return CompileErrors(found)


def _bind_parameters(resolver: Evaluator, node: cst.Call, params: cst.Parameters, frame: Frame,
                     env: Env, body_env: Env) -> None:  # fmt: skip
    positional, keywords = arguments(resolver, node, env)
    names = [*params.posonly_params, *params.params]
    star = params.star_arg if isinstance(params.star_arg, cst.Param) else None
    for param, value in zip(names, positional, strict=False):
        frame.names[param.name.value] = value
    extra = positional[len(names):]
    if extra and star is None:
        fail(env.file, node, "SF111", f"too many arguments: the function takes {len(names)}", None)
    if star is not None:
        frame.names[star.name.value] = env.value(tuple(extra), node)
    for param in (*names, *params.kwonly_params):
        name = param.name.value
        if name in keywords:
            if name in frame.names:
                fail(env.file, node, "SF111", f"argument {name!r} given twice", None)
            frame.names[name] = keywords.pop(name)
        elif name not in frame.names:
            if param.default is None:
                fail(env.file, node, "SF111", f"missing argument {name!r}", None)
            frame.names[name] = resolver.value(param.default, Env(body_env.file, body_env.local))
    if isinstance(params.star_kwarg, cst.Param):
        frame.names[params.star_kwarg.name.value] = env.value(dict(keywords), node)
    elif keywords:
        fail(env.file, node, "SF111", f"unexpected argument {next(iter(keywords))!r}", None)


def arguments(resolver: Evaluator, node: cst.Call, env: Env) -> tuple[list[Value], dict[str, Value]]:
    positional: list[Value] = []
    keywords: dict[str, Value] = {}
    for arg in node.args:
        value = resolver.value(arg.value, env)
        if arg.star == "*":
            positional.extend(iterate(value, env, arg.value))
        elif arg.star == "**":
            if not isinstance(value.data, dict):
                fail(env.file, arg.value, "SF111", f"`**` needs a dict, got {value.describe()}", None)
            keywords.update({str(k): v for k, v in value.data.items()})
        elif arg.keyword is not None:
            keywords[arg.keyword.value] = value
        else:
            positional.append(value)
    return positional, keywords


# -- statements -----------------------------------------------------------------------------------


def not_callable(env: Env, node: cst.Call, shown: str, why: str) -> NoReturn:
    fail(env.file, node, "SF111", f"the compiler does not call `{shown}`: {why}", NO_CALL_HELP)
