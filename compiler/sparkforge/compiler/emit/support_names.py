"""What the user's copied code binds and imports, as the frontend recorded it on each `ir.CodeBlock`,
so the job neither shadows nor repeats it (user code is never parsed again here).

Input: `CodeBlock`s with their `binds`. Output: the names a block binds, each with the dotted import
target it stands for (None for anything that is not an import), and what follows from that.

    bindings(CodeBlock("F", "from pyspark.sql import functions as F", binds=(Bound("F", "pyspark.sql.functions"),)))
    -> {"F": "pyspark.sql.functions"}
"""

from __future__ import annotations

from collections.abc import Iterable

from sparkforge.ir import CodeBlock

_FUTURE = "__future__."


def bindings(block: CodeBlock) -> dict[str, str | None]:
    """Module-level names bound by `block`, in order of appearance."""
    return {bound.name: bound.target for bound in block.binds}


def is_import(block: CodeBlock) -> bool:
    """True when the block only imports (it binds something, and every name it binds is imported)."""
    return bool(block.binds) and all(bound.target is not None for bound in block.binds)


def is_future_import(block: CodeBlock) -> bool:
    return bool(block.binds) and all((b.target or "").startswith(_FUTURE) for b in block.binds)


def future_names(blocks: Iterable[CodeBlock]) -> tuple[str, ...]:
    """Every `__future__` feature the user's code asks for, plus `annotations`, sorted."""
    names = {"annotations"}
    for block in blocks:
        if is_future_import(block):
            names |= {(b.target or "").removeprefix(_FUTURE) for b in block.binds}
    return tuple(sorted(names))


def imported_modules(block: CodeBlock) -> tuple[str, ...]:
    """Top-level modules that `block` imports (absolute imports only)."""
    targets = (b.target for b in block.binds if b.target and not b.target.startswith("."))
    return tuple(dict.fromkeys(target.split(".")[0] for target in targets))
