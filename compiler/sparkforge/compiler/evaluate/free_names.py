"""The names a piece of user code reads from outside itself, as Python's own compiler sees them.

Input: the source of a def, class, statement, lambda or expression. Output: the names it uses that it
does not bind itself (globals of the snippet), in first-use order. `symtable` is CPython's scope
analysis, so closures, comprehensions, class bodies, `global` and defaults are handled exactly, and
it runs only on the few snippets the job copies (libcst's ScopeProvider walks the whole module, which
alone takes seconds on a 1,000-step pipeline).

    free_names("def f(df):\\n    return df.filter(F.col('x') > LIMIT)", statement=True)
    -> ("F", "LIMIT")
"""

from __future__ import annotations

import symtable


def free_names(source: str, *, statement: bool) -> tuple[str, ...]:
    """Raises SyntaxError when the snippet cannot stand alone (e.g. `nonlocal` of an outer name)."""
    if statement:
        table = symtable.symtable(source, "<snippet>", "exec")
    else:  # an expression may span lines inside its caller's brackets: keep it parenthesised
        table = symtable.symtable(f"(\n{source}\n)", "<snippet>", "eval")
    found: dict[str, None] = {}
    for symbol in table.get_symbols():
        bound = symbol.is_assigned() or symbol.is_imported() or symbol.is_parameter()
        if symbol.is_referenced() and not bound:
            found.setdefault(symbol.get_name(), None)
    _inner(table, found)
    return tuple(found)


def _inner(table: symtable.SymbolTable, found: dict[str, None]) -> None:
    for child in table.get_children():
        for symbol in child.get_symbols():
            # not `is_global()` alone: Python 3.11 calls every name bound in a function named
            # `top` global (it takes the function for the module's table, which is named so)
            global_ = symbol.is_declared_global() or (symbol.is_global() and not symbol.is_local())
            if symbol.is_referenced() and global_:
                found.setdefault(symbol.get_name(), None)
        _inner(child, found)
