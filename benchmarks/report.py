"""Write docs/benchmarks.md from the results files of bench runs (quick and, when present, full).

Input: `benchmarks/results/*.json` (written by `benchmarks.run`) and the hand-written notes in
`benchmarks/notes.md`. Output: `docs/benchmarks.md` (machine, targets, tables) and `docs/benchmarks.png`.

    python -m benchmarks.report        # re-render from the stored results, no Spark involved
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.chart import IMPL_NAMES, draw
from benchmarks.report_profiles import profile_lines
from benchmarks.targets import MB, targets
from benchmarks.targets import ratio_text as _ratio

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks.png"


def _yes(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _machine(res: dict[str, Any]) -> list[str]:
    m, cfg = res["machine"], res["config"]
    rows = [[k, str(v)] for k, v in m.items()]
    rows += [[k, str(v)] for k, v in cfg.items()]
    rows.append(["bench duration", f"{res.get('duration_s', 0) / 60:.1f} min"])
    return _table(["", ""], rows)


IMPL_COLUMNS = (
    (
        "wall s median (min-max)",
        lambda x: f"{x['wall_s']:.1f} ({x['wall_min_s']:.1f}-{x['wall_max_s']:.1f})",
    ),
    ("CPU s", lambda x: f"{x.get('cpu_s', 0):.1f}"),
    ("task CPU s", lambda x: f"{x.get('task_cpu_s', 0):.1f}"),
    ("Spark span s", lambda x: f"{x['span_s']:.1f}"),
    ("jobs", lambda x: str(x["jobs"])),
    ("stages", lambda x: str(x["stages"])),
    ("tasks", lambda x: str(x["tasks"])),
    ("input MiB files/tables", lambda x: f"{x['file_bytes'] / MB:.1f}"),
    ("input MiB cache", lambda x: f"{x['cache_bytes'] / MB:.1f}"),
    ("peak RSS MiB", lambda x: f"{x['max_rss_mb']:.0f}"),
    ("JVM heap peak MiB", lambda x: f"{x['jvm_heap_peak_mb']:.0f}"),
    ("load avg", lambda x: f"{x.get('load1', 0):.1f}"),
    ("counts equal every round", lambda x: "yes" if x["counts_stable"] else "**no**"),
)


def _comparison(comp: dict[str, Any]) -> list[str]:
    s = comp["summary"]
    impls = [i for i in "abcdz" if i in s["impls"]]
    lines = [
        f"### {comp['rows']:,} rows, {comp['format']} input "
        f"({comp['input_bytes'] / MB:.1f} MiB on disk), {comp['rounds']} interleaved rounds",
        "",
    ]
    rows = [[IMPL_NAMES[i], *(f(s["impls"][i]) for _, f in IMPL_COLUMNS)] for i in impls]
    lines += _table(["implementation", *(name for name, _ in IMPL_COLUMNS)], rows)
    lines += ["Ratios, taken pair by pair within each round (median, min-max):", ""]
    ratio_rows = [
        [k, _ratio(v), _ratio(s.get("cpu_ratios", {}).get(k)), _ratio(s["span_ratios"].get(k))]
        for k, v in s["ratios"].items()
    ]
    lines += _table(
        ["ratio", "wall", "CPU (process tree)", "Spark span (first job to last)"], ratio_rows
    )
    cats = sorted({c for i in impls for c in s["impls"][i]["jobs_by_category"]})
    by_kind = [
        [IMPL_NAMES[i], *(str(s["impls"][i]["jobs_by_category"].get(c, 0)) for c in cats)]
        for i in impls
    ]
    lines += ["Spark jobs by kind (round 0):", "", *_table(["implementation", *cats], by_kind)]
    if "a" in s["impls"]:
        gates = ", ".join(f"{k} {v}" for k, v in s["impls"]["a"]["gate_jobs_by_step"].items())
        lines += [f"Gate jobs of (a) per step: {gates}.", ""]
    if s["failed_runs"]:
        lines += [f"Failed runs (excluded): {', '.join(s['failed_runs'])}.", ""]
    return lines


def _scenarios(res: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    par = res.get("parallel")
    if par and par.get("ratio_wall") is not None:
        mw = par["median_wall"]
        lines += [
            f"### Parallel vs sequential ({res['config'].get('parallel_rows', 200_000):,} rows, compiled job)",
            "",
        ]
        lines += _table(["variant", "median wall s"], [[k, f"{v:.1f}"] for k, v in mw.items()])
        span = f"{par['ratio_span']:.2f}" if par.get("ratio_span") is not None else "n/a"
        lines += [
            f"Pairwise ratio parallel/sequential: wall {par['ratio_wall']:.2f}, Spark span {span}.",
            "",
        ]
    for fmt, chain in sorted(res.get("incremental", {}).items()):
        lines += [
            f"### Incremental runs ({chain.get('rows', 0):,} rows + 1%, {fmt}, compiled job)",
            "",
        ]
        rows = []
        for name in ("initial", "incremental", "no_new_rows"):
            run = chain[name]
            log = run.get("log", {})
            bronze = log.get("steps", {}).get("events", {})
            rows.append(
                [
                    name,
                    f"{run['wall_s']:.1f}",
                    f"{run['metrics'].get('span_s', 0):.1f}",
                    f"{log.get('log_s', 0):.1f}",
                    str(run["metrics"].get("jobs", "?")),
                    str(bronze.get("input_rows", "?")),
                    str(sum(s.get("rows_written", 0) for s in log.get("steps", {}).values())),
                ]
            )
        lines += _table(
            [
                "run",
                "wall s",
                "Spark span s",
                "run time in log s",
                "jobs",
                "bronze rows in",
                "rows written (all steps)",
            ],
            rows,
        )
        extra = ", ".join(f"{k} {chain[k]:.2f}" for k in ("ratio_span", "ratio_log") if k in chain)
        skipped = ", ".join(chain.get("no_new_rows_skipped", [])) or "none"
        lines += [
            f"Incremental/initial: wall {chain['ratio_wall']:.2f}; {extra}. "
            f"No-new-rows run logged zeros for bronze and silver: "
            f"{'yes' if chain['no_new_rows_ok'] else 'no'}; it skipped: {skipped}.",
            "",
        ]
    return lines + _quality(res.get("quality"))


def _quality(q: dict[str, Any] | None) -> list[str]:
    if not q or not q.get("jobs"):
        return []
    lines = [
        f"### Quarantine on every step ({q['rows']:,} rows, {q['format']}, compiled job)",
        "",
    ]
    lines += _table(
        ["variant", "median wall s", "jobs"],
        [[v, f"{q['median_wall'][v]:.1f}", str(q["jobs"][v])] for v in ("plain", "quarantine")],
    )
    extra = ", ".join(f"{k} +{n}" for k, n in q["extra_jobs"].items()) or "none"
    lines += [
        f"Extra Spark jobs: {extra}; extra bytes read: {q['extra_input_bytes']:,}; the quarantine "
        f"tables hold {q['quarantine_bytes']:,} bytes in {q['quarantine_files']} files; "
        f"wall ratio {q['ratio_wall']:.2f}.",
        "",
    ]
    return lines


def _compile(res: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if res.get("compile"):
        lines += ["### Compile time (`compile_source`, in-process, best of runs)", ""]
        lines += _table(
            ["steps", "wall s", "CPU s", "ms per step (wall)", "job lines"],
            [
                [
                    str(p["steps"]),
                    f"{p['seconds']:.3f}",
                    f"{p.get('cpu_seconds', float('nan')):.3f}",
                    f"{p['per_step_ms']:.2f}",
                    str(p["job_lines"]),
                ]
                for p in res["compile"]
            ],
        )
    imp = res.get("imports")
    if imp:
        lines += [
            "### Runtime import time",
            "",
            f"`python -c` with pyspark only: {imp['pyspark_ms']:.0f} ms; with the runtime modules a job "
            f"imports ({', '.join(imp['modules'])}): {imp['with_runtime_ms']:.0f} ms; added (median of "
            f"paired runs): **{imp['added_ms']:.0f} ms**; `-X importtime` cumulative of the runtime "
            f"modules: {imp['importtime_ms']:.1f} ms.",
            "",
        ]
    return lines


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (quick) and `make bench FULL=1` (1M and 5M rows) "
        "from `benchmarks/`; every figure below is measured by that run. Do not edit by hand: "
        "the analysis lives in `benchmarks/notes.md` and is copied in.",
        "",
        "![benchmark chart](benchmarks.png)",
        "",
    ]
    notes = ROOT / "benchmarks" / "notes.md"
    for res in results:
        lines += [
            f"## {res['kind'].capitalize()} run ({res['finished']})",
            "",
            "### Targets (issue 5)",
            "",
        ]
        lines += _table(
            ["target", "measured", "status"], [[t, m, _yes(ok)] for t, m, ok in targets(res)]
        )
        lines += ["### Machine and settings", "", *_machine(res)]
        for comp in res.get("comparisons", []):
            lines += _comparison(comp)
        lines += _scenarios(res) + _compile(res)
    lines += profile_lines()
    if notes.exists():
        lines += [notes.read_text().strip(), ""]
    return "\n".join(lines)


def load_results() -> list[dict[str, Any]]:
    order = {"quick": 0, "full": 1}
    found = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json")) if p.stem in order]
    return sorted(found, key=lambda r: order.get(r.get("kind", ""), 9))


def write(results: list[dict[str, Any]] | None = None) -> Path:
    results = results if results is not None else load_results()
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(render(results))
    draw(results, CHART)
    return DOC


if __name__ == "__main__":
    print(write())
