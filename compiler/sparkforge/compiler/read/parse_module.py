"""Frontend pass: parse the pipeline file with libcst and index it.

Input: `Unit` with the source text. Output: `Unit.files == (SourceFile(pipeline),)`, or a syntax
error diagnostic (SF001) and no files, which makes every later pass a no-op.

    "builder = PipelineBuilder(spark=spark, schema='shop')"  ->  files=(SourceFile("pipeline.py"),)
    "builder = PipelineBuilder(spark=spark,"                  ->  SF001 syntax error at 1:39
"""

from __future__ import annotations

import dataclasses

from sparkforge.compiler.diagnostics import CompileError
from sparkforge.compiler.read.source_file import parse_source
from sparkforge.compiler.read.unit import Unit


def parse_module(unit: Unit) -> Unit:
    try:
        main = parse_source(unit.source, unit.options.filename, "")
    except CompileError as err:
        return unit.report(err.diagnostic)
    return dataclasses.replace(unit, files=(main,))
