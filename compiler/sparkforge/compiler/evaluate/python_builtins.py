"""Builtins and methods the static evaluator runs itself: `dict(...)`, `sorted(...)`, `",".join(...)` ...

Input: a call of a `Builtin` (a safe builtin: dict, list, tuple, sorted, range, zip, str, len ...) or
of a `Method` of a known str, list or dict, and the call's `Env`. Output: the result as a `Value`.
Builtins that could read files, run code or depend on the machine (`open`, `input`, `eval`,
`getattr` ...) are never called: SF111 says so at the call.

    dict(zip(["a", "b"], [1, 2]))   ->  Value({"a": Value(1), "b": Value(2)})
    ", ".join(COLUMNS)               ->  Value("id, ts")
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import libcst as cst

from sparkforge.compiler.evaluate.calls import arguments
from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.statements import check_owned, iterate, wrap
from sparkforge.compiler.evaluate.values import Builtin, Env, Method, Value, fail

_SAFE_BUILTINS = frozenset({
    "dict", "list", "tuple", "set", "frozenset", "sorted", "reversed", "len", "range", "zip",
    "enumerate", "str", "int", "float", "bool", "min", "max", "sum", "abs", "round", "any", "all",
    "repr",
})  # fmt: skip
_MAX_RANGE = 10_000


def builtin(name: str) -> Builtin | None:
    return Builtin(name) if name in _SAFE_BUILTINS else None


def call_builtin(resolver: Evaluator, node: cst.Call, callee: Builtin, env: Env) -> Value:
    with resolver.budget.entered(env, node):
        return _builtin(resolver, node, callee, env)


def _builtin(resolver: Evaluator, node: cst.Call, callee: Builtin, env: Env) -> Value:
    positional, keywords = arguments(resolver, node, env)
    name = callee.name
    if name == "dict":
        merged: dict[Any, Value] = {}
        for source in positional:
            merged.update(_mapping(source, env, node))
        merged.update(keywords)
        return env.value(merged, node)
    if name == "enumerate" and "start" in keywords:
        positional = [*positional, keywords.pop("start")]
    if keywords and name not in ("sorted", "min", "max"):
        fail(env.file, node, "SF111", f"the compiler does not pass keywords to {name}()", None)
    if name in ("list", "tuple"):
        items = list(iterate(positional[0], env, node)) if positional else []
        return env.value(items if name == "list" else tuple(items), node)
    if name in ("zip", "enumerate"):
        return env.value(_pairs(name, positional, env, node), node)
    if name == "range":
        numbers = range(*(p.plain() for p in positional))
        if len(numbers) > _MAX_RANGE:
            fail(env.file, node, "SF111", f"range of {len(numbers)} numbers is more than the "
                 f"compiler evaluates ({_MAX_RANGE})", None)
        return env.value([env.value(n, node) for n in numbers], node)
    if name in ("sorted", "reversed"):
        items = list(iterate(positional[0], env, node))
        if name == "reversed":
            return env.value(items[::-1], node)
        reverse = bool(keywords.pop("reverse", env.value(False, node)).plain())
        if keywords:
            fail(env.file, node, "SF111", "the compiler sorts by the values themselves (no key=)", None)
        return env.value(sorted(items, key=lambda v: v.plain(), reverse=reverse), node)
    plain = [p.plain() for p in positional]
    try:
        result = getattr(builtins, name)(*plain, **{k: v.plain() for k, v in keywords.items()})
    except (TypeError, ValueError, ArithmeticError) as err:
        fail(env.file, node, "SF111", f"{name}() fails on these values: {err}", None)
    return wrap(result, env, node)


def _mapping(value: Value, env: Env, node: cst.CSTNode) -> dict[Any, Value]:
    if isinstance(value.data, dict):
        return dict(value.data)
    pairs: dict[Any, Value] = {}
    for item in iterate(value, env, node):
        key, val = list(iterate(item, env, node))
        pairs[key.plain()] = val
    return pairs


def _pairs(name: str, positional: list[Value], env: Env, node: cst.CSTNode) -> list[Value]:
    if name == "enumerate":
        start = positional[1].plain() if len(positional) > 1 else 0
        items = iterate(positional[0], env, node)
        return [env.value((env.value(i, node), v), node) for i, v in enumerate(items, start)]
    columns = [list(iterate(p, env, node)) for p in positional]
    return [env.value(tuple(row), node) for row in zip(*columns, strict=False)]


# No `format`: its fields can reach attributes of the values (`"{0.__class__}"`); f-strings can't.
_STR_METHODS = frozenset({
    "upper", "lower", "strip", "lstrip", "rstrip", "replace", "split", "join", "startswith",
    "endswith", "title", "capitalize", "removeprefix", "removesuffix", "casefold",
})  # fmt: skip
_READ_METHODS = frozenset({"items", "keys", "values", "get", "copy", "index", "count"})
_CHANGE_METHODS = frozenset({"update", "setdefault", "pop", "append", "extend", "insert"})


def method(owner: Value, name: str) -> Method | None:
    data = owner.data
    if isinstance(data, str) and name in _STR_METHODS:
        return Method(owner, name)
    if isinstance(data, dict | list | tuple) and name in _READ_METHODS | _CHANGE_METHODS:
        return Method(owner, name)
    return None


def call_method(resolver: Evaluator, node: cst.Call, callee: Method, env: Env) -> Value:
    with resolver.budget.entered(env, node):
        return _method(resolver, node, callee, env)


def _method(resolver: Evaluator, node: cst.Call, callee: Method, env: Env) -> Value:
    owner, name = callee.owner, callee.name
    positional, keywords = arguments(resolver, node, env)
    data = owner.data
    if isinstance(data, str):
        if name == "join":
            parts = [p.plain() for p in iterate(positional[0], env, node)]
            return _call(env, node, lambda: data.join(parts))
        args = [p.plain() for p in positional]
        kwargs = {k: v.plain() for k, v in keywords.items()}
        return wrap(_call(env, node, lambda: getattr(data, name)(*args, **kwargs)).data, env, node)
    if isinstance(data, dict):
        if name == "update":
            check_owned(resolver, owner, env, node)
            data.update(_mapping(positional[0], env, node) if positional else {})
            data.update(keywords)
            return env.value(None, node)
        return _dict_method(resolver, owner, data, name, positional, env, node)
    return _list_method(resolver, owner, data, name, positional, env, node)


def _call(env: Env, node: cst.CSTNode, run: Callable[[], Any]) -> Value:
    try:
        return env.value(run(), node)
    except (TypeError, ValueError, KeyError, IndexError) as err:
        fail(env.file, node, "SF111", f"`{env.file.code(node)}` fails on these values: {err!r}", None)


def _dict_method(resolver: Evaluator, owner: Value, data: dict[Any, Value], name: str, args: list[Value], env: Env,
                 node: cst.Call) -> Value:  # fmt: skip
    keys = [a.plain() for a in args]
    if name == "items":
        return env.value([env.value((env.value(k, node), v), node) for k, v in data.items()], node)
    if name == "keys":
        return env.value([env.value(k, node) for k in data], node)
    if name == "values":
        return env.value(list(data.values()), node)
    if name == "get":
        default = args[1] if len(args) > 1 else env.value(None, node)
        return data.get(keys[0], default)
    if name == "copy":
        return env.value(dict(data), node)
    check_owned(resolver, owner, env, node)
    if name == "setdefault":
        return data.setdefault(keys[0], args[1] if len(args) > 1 else env.value(None, node))
    if name == "pop" and keys and keys[0] in data:
        return data.pop(keys[0])
    if name == "pop" and len(args) > 1:
        return args[1]
    fail(env.file, node, "SF111", f"`{env.file.code(node)}` cannot be evaluated here", None)


def _list_method(resolver: Evaluator, owner: Value, data: list[Value] | tuple[Value, ...], name: str, args: list[Value],
                 env: Env, node: cst.Call) -> Value:  # fmt: skip
    plain = [v.plain() for v in data]
    if name == "index":
        return _call(env, node, lambda: plain.index(args[0].plain()))
    if name == "count":
        return env.value(plain.count(args[0].plain()), node)
    if name == "copy" and isinstance(data, list):
        return env.value(list(data), node)
    if not isinstance(data, list) or name not in _CHANGE_METHODS:
        fail(env.file, node, "SF111", f"`{env.file.code(node)}` cannot be evaluated here", None)
    check_owned(resolver, owner, env, node)
    if name == "append":
        data.append(args[0])
    elif name == "extend":
        data.extend(iterate(args[0], env, node))
    elif name == "insert":
        data.insert(args[0].plain(), args[1])
    elif name == "pop":
        return data.pop(args[0].plain() if args else -1)
    return env.value(None, node)


def unknown_builtin(name: str) -> str:
    return (f"{name!r} is a Python builtin the compiler does not call (it could read files, run "
            "code or depend on the machine)")  # fmt: skip
