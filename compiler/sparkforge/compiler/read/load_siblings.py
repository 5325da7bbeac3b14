"""Frontend pass: read the modules beside the pipeline file that it imports (and that they import), statically.

Input: `Unit` with the pipeline file and the builder. Output: `Unit.files` extended with one
`SourceFile` per sibling module, dependencies before the modules that import them, so that copied
constants are defined before use. Their diagnostics carry their own file name, relative like the
pipeline's (`pipelines/transforms.py`). A sibling that does not parse is SF001, one that cannot be
read or decoded (PEP 263: UTF-8, or the encoding its coding declaration names) is SF002.

    from transforms import clean     (transforms.py beside pipeline.py)
    -> files=(SourceFile("pipeline.py"), SourceFile("transforms.py", module="transforms"))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from sparkforge.compiler.diagnostics import CompileError, Diagnostic
from sparkforge.compiler.evaluate.lookup import sibling_candidates
from sparkforge.compiler.evaluate.scopes import Binding, Block, Kind
from sparkforge.compiler.read.decode_source import decode_source
from sparkforge.compiler.read.source_file import SourceFile, parse_source
from sparkforge.compiler.read.unit import Unit


def load_siblings(unit: Unit) -> Unit:
    main = unit.main
    base = unit.options.base_dir
    if main is None or base is None:
        return unit
    loader = _Loader(base, unit.options.filename)
    loader.visit(main, unit.blocks())
    return dataclasses.replace(
        unit.report(*loader.diagnostics), files=(main, *loader.order), broken=tuple(loader.broken)
    )


class _Loader:
    """Depth-first over imports; `order` lists each sibling after the siblings it imports."""

    def __init__(self, base: Path, filename: str) -> None:
        self.base = base
        self.folder = PurePosixPath(filename.replace("\\", "/")).parent
        self.own = PurePosixPath(filename).stem
        self.seen: set[str] = {self.own}
        self.order: list[SourceFile] = []
        self.broken: list[str] = []
        self.diagnostics: list[Diagnostic] = []

    def visit(self, file: SourceFile, blocks: Iterable[Block]) -> None:
        for binding in _imports(blocks):
            for module, _ in sibling_candidates(binding):
                path = self._path(module)
                if path is None:
                    continue
                if module not in self.seen:
                    self.seen.add(module)
                    self._load(module, path, file, binding)
                break

    def _path(self, module: str) -> Path | None:
        parts = module.split(".")
        for candidate in (self.base.joinpath(*parts).with_suffix(".py"),
                          self.base.joinpath(*parts, "__init__.py")):  # fmt: skip
            if candidate.is_file():
                return candidate
        return None

    def _load(self, module: str, path: Path, importer: SourceFile, binding: Binding) -> None:
        relative = path.relative_to(self.base).as_posix()
        name = relative if str(self.folder) == "." else f"{self.folder}/{relative}"
        try:
            sibling = parse_source(decode_source(path.read_bytes(), name), name, module)
        except CompileError as err:
            self.diagnostics.append(err.diagnostic)
            self.broken.append(module)
            return
        except OSError as err:
            self.diagnostics.append(Diagnostic(
                "SF002", f"cannot read {name}: {err}", importer.span(binding.node),
                "save it as UTF-8 text beside the pipeline file",
            ))  # fmt: skip
            self.broken.append(module)
            return
        self.visit(sibling, (sibling.block,))
        self.order.append(sibling)


def _imports(blocks: Iterable[Block]) -> Iterable[Binding]:
    for block in blocks:
        for bindings in block.names.values():
            yield from (b for b in bindings if b.kind is Kind.IMPORT)
