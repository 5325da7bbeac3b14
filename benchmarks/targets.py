"""The targets of issue 5, checked against one results file.

Input: the results dict of a bench run. Output: (target, measured, met) rows for the report and the
console; `met` is None where the results cannot speak to a target.

    targets(results)  ->  [("200k csv: wall a/c <= 1.3", "1.12 (1.05-1.20)", True), ...]
"""

from __future__ import annotations

from typing import Any

MB = 2**20


def ratio_text(r: dict[str, Any] | None) -> str:
    if not r:
        return "n/a"
    return f"{r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f})"


def targets(res: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for every target of issue 5 this results file can speak to."""
    rows: list[tuple[str, str, bool | None]] = []
    for comp in res.get("comparisons", []):
        s, tag = comp["summary"], f"{comp['rows'] / 1e6:g}M {comp['format']}"
        r, c = s["ratios"], s["counts"]
        if c:
            rows.append(
                (
                    f"{tag}: jobs a <= c + gate + log write",
                    f"{c['a_jobs']} <= {c['c_jobs']} + {c['gate_jobs']} + {c['log_write_jobs']}",
                    c["jobs_ok"],
                )
            )
            rows.append(
                (
                    f"{tag}: bytes a <= c + cache re-read",
                    f"{c['a_bytes'] / MB:.1f} <= {c['c_bytes'] / MB:.1f} + {c['a_cache_bytes'] / MB:.1f} MiB",
                    c["bytes_ok"],
                )
            )
        for key, limit in (("a/c", 1.30), ("a/d", 0.70), ("b/a", 1.10)):
            if key in r:
                cpu = s.get("cpu_ratios", {}).get(key)
                measured = ratio_text(r[key]) + (f"; CPU {cpu['median']:.2f}" if cpu else "")
                rows.append((f"{tag}: wall {key} <= {limit}", measured, r[key]["median"] <= limit))
    par = res.get("parallel")
    if par and par.get("ratio_wall") is not None:
        rows.append(
            (
                "parallel / sequential <= 0.85 (200k, wall)",
                f"{par['ratio_wall']:.2f}",
                par["ratio_wall"] <= 0.85,
            )
        )
    for fmt, chain in sorted(res.get("incremental", {}).items()):
        tag = f"{chain.get('rows', 0) / 1e6:g}M {fmt}"
        rows.append(
            (
                f"{tag}: incremental 1% / initial < 0.2 (wall)",
                f"{chain['ratio_wall']:.2f}; CPU {chain.get('ratio_cpu', float('nan')):.2f}",
                chain["ratio_wall"] < 0.2,
            )
        )
        span = chain.get("ratio_span")
        if span is not None:
            rows.append((f"{tag}: incremental 1% / initial <= 0.2 (Spark span)", f"{span:.2f}", span <= 0.2))
        idle = chain.get("no_new_rows_span_s")
        if idle is not None:
            rows.append((f"{tag}: no new rows <= 5 s (Spark span)", f"{idle:.1f} s", idle <= 5.0))
        rows.append(
            (
                f"{tag}: no new rows finishes and logs zeros",
                "yes" if chain["no_new_rows_ok"] else "no",
                chain["no_new_rows_ok"],
            )
        )
    q = res.get("quality")
    if q and q.get("jobs"):
        rows.append(
            (
                f"{q['rows'] / 1e6:g}M {q['format']}: quarantine on every step costs its writes only",
                f"jobs {q['jobs']['plain']} -> {q['jobs']['quarantine']} ({q['extra_jobs']}), "
                f"{q['quarantine_bytes'] / MB:.1f} MiB in {q['quarantine_files']} files, "
                f"wall {q['ratio_wall']:.2f}x",
                None,
            )
        )
    curve = {p["steps"]: p["seconds"] for p in res.get("compile", [])}
    cpu = {p["steps"]: p.get("cpu_seconds", float("nan")) for p in res.get("compile", [])}
    for steps, limit in ((200, 2), (1000, 10)):
        if steps in curve:
            measured = f"{curve[steps]:.2f} s (CPU {cpu[steps]:.2f} s)"
            rows.append((f"compile {steps:,} steps < {limit} s", measured, curve[steps] < limit))
    if 200 in curve and 1000 in curve:
        growth = (curve[1000] / 1000) / (curve[200] / 200)
        rows.append(
            (
                "compile time about linear (per-step time 1,000 vs 200 <= 1.5x)",
                f"{growth:.2f}x",
                growth <= 1.5,
            )
        )
    imports = res.get("imports")
    if imports:
        rows.append(
            (
                "runtime import adds < 100 ms",
                f"{imports['added_ms']:.0f} ms (importtime {imports['importtime_ms']:.0f} ms)",
                imports["added_ms"] < 100,
            )
        )
    return rows
