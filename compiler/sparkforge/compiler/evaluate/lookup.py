"""Resolve a name the way Python would: the innermost binding, the module an import names, the
pyspark function a star import provides, the sibling module an import may point to.

Input: a name (or an attribute chain) and the blocks of bindings around it (`scopes`). Output: its
bindings or its dotted origin.

    qualified_name(F.col, blocks)  ->  "pyspark.sql.functions.col"   (after `from pyspark.sql import functions as F`)
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence

import libcst as cst

from sparkforge.compiler.evaluate.scopes import Binding, Block, Kind


def lookup(name: str, blocks: Sequence[Block]) -> tuple[Binding, ...]:
    """The bindings of `name` in the innermost block of `blocks` that binds it."""
    for block in blocks:
        found = block.get(name)
        if found:
            return found
    return ()


def qualified_name(node: cst.CSTNode, blocks: Sequence[Block]) -> str | None:
    """`F.col` -> "pyspark.sql.functions.col" when F is imported; None for anything not imported."""
    if isinstance(node, cst.Attribute):
        base = qualified_name(node.value, blocks)
        return f"{base}.{node.attr.value}" if base else None
    if not isinstance(node, cst.Name):
        return None
    found = lookup(node.value, blocks)
    origins = {b.origin for b in found if b.kind is Kind.IMPORT}
    if len(origins) != 1 or any(b.kind is not Kind.IMPORT for b in found):
        return None  # also bound otherwise, or to two different things: not a known import
    return origins.pop()


# `from M import *` is followed for these modules only: their public names are fixed and known.
_STAR_MODULES = ("pyspark.sql.functions", "pyspark.sql.types")


def star_binding(name: str, blocks: Sequence[Block]) -> Binding | None:
    """The `from pyspark.sql.functions import *` (or types) of `blocks` that provides `name`."""
    for block in blocks:
        for binding in block.get("*"):
            if binding.module in _STAR_MODULES and name in _public_names(binding.module):
                return binding
    return None


@functools.cache
def _public_names(module: str) -> frozenset[str]:
    imported = importlib.import_module(module)  # pyspark, which the compiler already imports
    return frozenset(getattr(imported, "__all__", ()))


def sibling_candidates(binding: Binding) -> tuple[tuple[str, str | None], ...]:
    """Where an import could point beside the pipeline: (module, name in it or None for the module).

    `from transforms import clean` -> (("transforms.clean", None), ("transforms", "clean"));
    `from . import transforms` -> (("transforms", None),). Imports from a parent package (`..x`)
    are never beside the file.
    """
    module = binding.module or ""
    stripped = module[1:] if module.startswith(".") else module
    if stripped.startswith(".") or binding.kind is not Kind.IMPORT or binding.attr == "*":
        return ()
    if binding.attr is None:
        return ((stripped, None),)
    if not stripped:
        return ((binding.attr, None),)
    return ((f"{stripped}.{binding.attr}", None), (stripped, binding.attr))
