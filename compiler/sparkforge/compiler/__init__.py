"""The sparkforge compiler: builder code in, a standalone PySpark job out, never executing the input.

The stages, in the order a compile runs them (`api.compile_source`; `cli` only reads files, calls it,
writes the output and picks the exit code):

1. `read/` — source text -> `ir.Pipeline`: decode the file as Python does (`decode_source`), parse it
   with libcst (`parse_module`, `source_file`), find the builder and the calls made on it
   (`find_builder`), load sibling modules, unroll steps declared in loops, then read settings, steps,
   rules and transforms; `frontend.PASSES` is the ordered list of these passes.
2. `evaluate/` — the static evaluator the read passes ask for values: names and scopes (`scopes`,
   `lookup`), literals and operators, calls of the project's own functions, builtins, pyspark calls,
   `rule(...)`. `resolver.Resolver` sits on top; its parts import only the `evaluator.Evaluator`
   protocol, so they form a tree.
3. `check/` — the pipeline as a whole: unique names, inferred and declared step inputs, one table per
   step, what transforms read, no cycle.
4. plan — the stages come from `sparkforge.graph` and each step's decisions (what it reads, its write
   per run mode, skip and group refresh) from `sparkforge.step_plan`, shared with the builder and the
   interpreted runner.
5. `emit/` — `ir.Plan` -> the job's text: `job_context` names everything once, the emitters fill the
   template (`generate_job`), `format_source` applies black as the output folder's configuration says.
6. `render/` — the other outputs of the same plan: `sparkforge graph` (Mermaid, DOT, JSON) and
   `sparkforge explain`.

`diagnostics` (located errors with a caret) serves every stage.
"""
