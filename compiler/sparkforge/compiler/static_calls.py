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

import contextlib
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import libcst as cst

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.values import (
    STATIC_HELP,
    CompileErrors,
    Env,
    Frame,
    Value,
    fail,
    problems,
)

if TYPE_CHECKING:
    from sparkforge.compiler.static_values import Resolver

STEP_BUDGET = 20_000  # statements, calls and loop turns per top-level evaluation
MAX_DEPTH = 40  # nested calls of project functions
NO_CALL_HELP = (
    "the compiler evaluates the functions of this project's files, pyspark Column functions and "
    "simple builtins (dict, list, sorted, range, ...); compute the value from literals and constants"
)


class Budget:
    """What one evaluation may still spend; shared by the calls it makes. Each call, builtin or
    comprehension reached from a builder argument (depth 0) starts a fresh budget."""

    __slots__ = ("depth", "left")

    def __init__(self) -> None:
        self.left = STEP_BUDGET
        self.depth = 0

    @contextlib.contextmanager
    def entered(self, env: Env, node: cst.CSTNode) -> Iterator[None]:
        if self.depth == 0:
            self.left = STEP_BUDGET
        if self.depth >= MAX_DEPTH:
            fail(env.file, node, "SF111", f"calls nested more than {MAX_DEPTH} deep (recursion?)",
                 STATIC_HELP)
        self.depth += 1
        try:
            self.spend(env, node)
            yield
        except (TypeError, ValueError, LookupError, AttributeError, ArithmeticError) as err:
            # Python would raise here too (sorted([1, "a"]), d.get() ...): say so, never crash
            fail(env.file, node, "SF111", f"evaluating this raises {type(err).__name__}: {err}",
                 "the interpreted builder would fail the same way; fix the call")
        finally:
            self.depth -= 1

    def spend(self, env: Env, node: cst.CSTNode) -> None:
        self.left -= 1
        if self.left < 0:
            fail(env.file, node, "SF111", f"evaluating this takes more than {STEP_BUDGET} steps; "
                 "the compiler stops there (a loop or recursion too long to read statically)",
                 "compute the value with less work, or write it out as a literal")


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


# -- project functions ----------------------------------------------------------------------------


def call_function(resolver: Resolver, node: cst.Call, callee: Value, env: Env) -> Value:
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


def _run_function(resolver: Resolver, func: cst.FunctionDef | cst.Lambda, env: Env) -> Value:
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
    except _Return as done:
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


def _bind_parameters(resolver: Resolver, node: cst.Call, params: cst.Parameters, frame: Frame,
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


def arguments(resolver: Resolver, node: cst.Call, env: Env) -> tuple[list[Value], dict[str, Value]]:
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


def run_block(resolver: Resolver, statements: Sequence[cst.CSTNode], env: Env) -> None:
    for statement in statements:
        resolver.budget.spend(env, statement)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                run_small(resolver, small, env)
        elif isinstance(statement, cst.If):
            _if(resolver, statement, env)
        elif isinstance(statement, cst.For):
            _for(resolver, statement, env)
        else:
            _unsupported(env, statement)


def _unsupported(env: Env, node: cst.CSTNode) -> NoReturn:
    kind = type(node).__name__.lower().replace("functiondef", "nested def").replace("classdef", "class")
    fail(env.file, node, "SF111", f"the compiler does not evaluate a `{kind}` statement in a "
         "function it runs: it follows assignments, if, for, return and comprehensions", STATIC_HELP)


def run_small(resolver: Resolver, small: cst.BaseSmallStatement, env: Env) -> None:
    if isinstance(small, cst.Return):
        value = resolver.value(small.value, env) if small.value else env.value(None, small)
        raise _Return(value)
    if isinstance(small, cst.Assign):
        value = resolver.value(small.value, env)
        for target in small.targets:
            assign(resolver, target.target, value, env)
    elif isinstance(small, cst.AnnAssign):
        if small.value is not None:
            assign(resolver, small.target, resolver.value(small.value, env), env)
    elif isinstance(small, cst.AugAssign):
        _augmented(resolver, small, env)
    elif isinstance(small, cst.Expr):
        if not isinstance(small.value, cst.SimpleString | cst.ConcatenatedString | cst.Ellipsis):
            resolver.value(small.value, env)  # a docstring does nothing; a call may change a container
    elif isinstance(small, cst.Break):
        raise Break
    elif isinstance(small, cst.Continue):
        raise Continue
    elif not isinstance(small, cst.Pass):
        _unsupported(env, small)


def assign(resolver: Resolver, target: cst.BaseExpression, value: Value, env: Env) -> None:
    """Bind `target` (a name, a tuple/list of targets, or an item of a container the function
    built) in the current frame."""
    assert env.frame is not None
    if isinstance(target, cst.Name):
        env.frame.names[target.value] = value
    elif isinstance(target, cst.Tuple | cst.List):
        unpack(env, target, value, lambda t, v: assign(resolver, t, v, env))
    elif isinstance(target, cst.Subscript):
        container = resolver.value(target.value, env)
        check_owned(resolver, container, env, target)
        key = resolver.value(_index(env, target), env).plain()
        if isinstance(container.data, dict) or (isinstance(container.data, list) and isinstance(key, int)):
            container.data[key] = value
        else:
            fail(env.file, target, "SF111", f"cannot assign an item of {container.describe()}", None)
    else:
        fail(env.file, target, "SF111", "the compiler only assigns names, tuples of names and "
             "items of containers", STATIC_HELP)


def unpack(env: Env, target: cst.Tuple | cst.List, value: Value,
           bind: Callable[[cst.BaseExpression, Value], None]) -> None:  # fmt: skip
    """`a, (b, c) = ...`: each target element gets its item (a starred one the rest, as a list)."""
    items = list(iterate(value, env, target))
    elements = list(target.elements)
    starred = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
    if not starred and len(items) != len(elements):
        fail(env.file, target, "SF111", f"cannot unpack {len(items)} values into {len(elements)} names", None)
    if starred:
        at = starred[0]
        tail = len(elements) - at - 1
        rest = items[at: len(items) - tail]
        items = [*items[:at], env.value(rest, target), *items[len(items) - tail:]]
    for element, item in zip(elements, items, strict=True):
        bind(element.value, item)


def _augmented(resolver: Resolver, small: cst.AugAssign, env: Env) -> None:
    if not isinstance(small.target, cst.Name):
        fail(env.file, small, "SF111", "the compiler only follows `+=` on a local name", STATIC_HELP)
    current = resolver.value(small.target, env)
    operand = resolver.value(small.value, env)
    op = _AUGMENTED.get(type(small.operator))
    try:
        result = op(current.plain(), operand.plain()) if op else None
    except (TypeError, ArithmeticError) as err:
        fail(env.file, small, "SF111", f"cannot compute `{env.file.code(small)}`: {err}", None)
    if op is None:
        fail(env.file, small, "SF111", "the compiler follows `+=`, `-=`, `*=` and `|=` only", None)
    assert env.frame is not None
    env.frame.names[small.target.value] = wrap(result, env, small)


_AUGMENTED: dict[type[cst.CSTNode], Callable[[Any, Any], Any]] = {
    cst.AddAssign: operator.add, cst.SubtractAssign: operator.sub,
    cst.MultiplyAssign: operator.mul, cst.BitOrAssign: operator.or_,
}  # fmt: skip


def _if(resolver: Resolver, node: cst.If, env: Env) -> None:
    if truth(resolver.value(node.test, env), env, node.test):
        run_block(resolver, node.body.body, env)
    elif isinstance(node.orelse, cst.If):
        _if(resolver, node.orelse, env)
    elif isinstance(node.orelse, cst.Else):
        run_block(resolver, node.orelse.body.body, env)


def _for(resolver: Resolver, node: cst.For, env: Env) -> None:
    if node.orelse is not None or node.asynchronous is not None:
        _unsupported(env, node)
    for item in iterate(resolver.value(node.iter, env), env, node.iter):
        resolver.budget.spend(env, node)
        assign(resolver, node.target, item, env)
        try:
            run_block(resolver, node.body.body, env)
        except Break:
            break
        except Continue:
            continue


def truth(value: Value, env: Env, node: cst.CSTNode) -> bool:
    if value.is_column:
        fail(env.file, node, "SF406", "a PySpark Column has no truth value (Python would raise)",
             "combine Column tests with & and |, or use F.when(...)")
    return bool(value.plain())


def iterate(value: Value, env: Env, node: cst.CSTNode) -> Iterator[Value]:
    data = value.data
    if isinstance(data, list | tuple):
        return iter(data)
    if isinstance(data, dict):
        return (env.value(k, node) for k in data)
    if isinstance(data, str):
        return (env.value(c, node) for c in data)
    fail(env.file, node, "SF111", f"the compiler cannot iterate over {value.describe()}", STATIC_HELP)


def _index(env: Env, node: cst.Subscript) -> cst.BaseExpression:
    element = node.slice[0].slice if len(node.slice) == 1 else None
    if not isinstance(element, cst.Index):
        fail(env.file, node, "SF111", "the compiler reads one index or key at a time", None)
    return element.value


def check_owned(resolver: Resolver, container: Value, env: Env, node: cst.CSTNode) -> None:
    """A function may change the containers an evaluation built, not a constant of the module
    (that change would be invisible to the compiler's other reads of it, as it is not to Python's)."""
    if not resolver.is_shared(container):
        return
    fail(env.file, node, "SF111", f"this changes `{env.file.code(getattr(node, 'value', node))}`, a "
         "constant of the module; the compiler reads constants as they are assigned",
         "build a new value instead: {**BASE, key: value}, [*ITEMS, item]")


def wrap(result: Any, env: Env, node: cst.CSTNode) -> Value:
    """A plain Python result as a Value (containers of Values all the way down)."""
    if isinstance(result, list | tuple):
        items = [wrap(item, env, node) for item in result]
        return env.value(items if isinstance(result, list) else tuple(items), node)
    if isinstance(result, dict):
        return env.value({k: wrap(v, env, node) for k, v in result.items()}, node)
    return env.value(result, node)


def not_callable(env: Env, node: cst.Call, shown: str, why: str) -> NoReturn:
    fail(env.file, node, "SF111", f"the compiler does not call `{shown}`: {why}", NO_CALL_HELP)
