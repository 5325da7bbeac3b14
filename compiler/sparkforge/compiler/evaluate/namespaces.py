"""Attributes of the project's classes used as namespaces: constants, enum members, static methods.

Input: a `Value` holding a class of the project (`Code.CLASS`) and an attribute read on it. Output:
the attribute's value as if the class body had run: a constant assigned in the body (evaluated
with the names the body assigned before it, then the module's), a function defined in it (a
`@staticmethod`, or a plain function read through the class: a transform the job copies), or, for
an `Enum`, the member's `.value` / `.name`. Objects are never created: an instance's attributes
stay unknown (SF111).

    class Settings:
        SCHEMA = "shop"            Settings.SCHEMA          ->  Value("shop")
    class Tables(str, Enum):
        RAW = "raw"                Tables.RAW.value         ->  Value("raw")
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from sparkforge.compiler.evaluate.evaluator import Evaluator
from sparkforge.compiler.evaluate.scopes import Kind, index_block
from sparkforge.compiler.evaluate.values import Code, Env, Value, fail

_ENUM_BASES = ("Enum", "StrEnum", "IntEnum", "Flag", "IntFlag")


@dataclass(frozen=True, slots=True)
class EnumMember:
    """`Tables.RAW` of an enum: read through `.value` or `.name`."""

    name: str
    value: Value


def class_attribute(resolver: Evaluator, base: Value, node: cst.Attribute, env: Env) -> Value | None:
    """`Cls.NAME` (None when `base` is no class of the project), or `.value`/`.name` of a member."""
    attr = node.attr.value
    if isinstance(base.data, EnumMember):  # made only when `.value` or `.name` follows
        return base.data.value if attr == "value" else env.value(base.data.name, node)
    if base.data is not Code.CLASS or not isinstance(base.node, cst.ClassDef):
        return None
    cls = base.node
    body = cls.body
    if isinstance(body, cst.SimpleStatementSuite):  # class Settings: SCHEMA = "shop"
        block = index_block((cst.SimpleStatementLine(body.body),), None)
    else:
        block = index_block(tuple(body.body), None)
    found = block.get(attr)
    if not found:
        fail(env.file, node, "SF111", f"class {cls.name.value!r} has no attribute {attr!r} the compiler "
             "can read (it reads names assigned or defined in the class body)", None)  # fmt: skip
    binding = found[-1]
    if len(found) == 1 and binding.kind is Kind.DEF:  # a static method: code the job copies
        return Value(Code.FUNCTION, binding.node, base.file)
    if len(found) > 1 or binding.kind is not Kind.ASSIGN or binding.value is None:
        fail(env.file, node, "SF111", f"{cls.name.value}.{attr} is not assigned once in the class body",
             "assign it once: NAME = value")  # fmt: skip
    value = resolver.value(binding.value, Env(base.file, block))
    if not _is_enum(cls):
        return value
    parent = env.file.parent(node)
    if not (isinstance(parent, cst.Attribute) and parent.attr.value in ("value", "name")):
        fail(env.file, node, "SF111", f"`{env.file.code(node)}` is an enum member; the compiler reads "
             "its `.value` or `.name`", f"write {env.file.code(node)}.value")  # fmt: skip
    return env.value(EnumMember(attr, value), node)


def _is_enum(cls: cst.ClassDef) -> bool:
    for base in cls.bases:
        tail = base.value.attr.value if isinstance(base.value, cst.Attribute) else getattr(base.value, "value", "")
        if tail in _ENUM_BASES:
            return True
    return False
