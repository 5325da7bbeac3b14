"""The benchmark chart: one PNG with six panels, drawn from the results files.

Input: the results dicts of a bench run (`benchmarks/results/*.json`). Output: `docs/benchmarks.png`:
wall time per implementation, Spark jobs per implementation by kind, input bytes (files vs. Spark's
cache), parallel vs. sequential, initial vs. incremental, and the compile-time curve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

IMPL_COLORS = {"a": "#1f77b4", "b": "#9467bd", "c": "#2ca02c", "d": "#d62728", "z": "#bbbbbb"}
IMPL_NAMES = {
    "a": "(a) compiled",
    "b": "(b) interpreted",
    "c": "(c) floor",
    "d": "(d) count+count+write",
    "z": "(z) startup only",
}
CATEGORY_COLORS = {
    "read": "#8c8c8c", "table write": "#2ca02c", "gate": "#1f77b4", "count": "#d62728",
    "delta": "#bcbd22", "log write": "#17becf", "watermark": "#ff7f0e",
    "run bookkeeping": "#9467bd", "other": "#7f7f7f",
}  # fmt: skip


def _comparisons(results: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for res in results:
        for comp in res.get("comparisons", []):
            out.append((f"{comp['rows'] / 1e6:g}M {comp['format']}", comp["summary"]["impls"]))
    return out


def _walls(ax: Any, comps: list[tuple[str, dict[str, Any]]]) -> None:
    width = 0.16
    for i, impl in enumerate("abcdz"):
        xs, ys, lo, hi = [], [], [], []
        for j, (_, impls) in enumerate(comps):
            if impl in impls:
                s = impls[impl]
                xs.append(j + (i - 2) * width)
                ys.append(s["wall_s"])
                lo.append(s["wall_s"] - s["wall_min_s"])
                hi.append(s["wall_max_s"] - s["wall_s"])
        if not xs:
            continue
        bars = ax.bar(
            xs, ys, width, yerr=[lo, hi], capsize=2, color=IMPL_COLORS[impl], label=IMPL_NAMES[impl]
        )
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    ax.set_xticks(range(len(comps)), [label for label, _ in comps])
    ax.set_xlim(-0.6, len(comps) - 0.4)
    ax.set_ylabel("wall time, s (median, min-max)")
    ax.set_title("Wall time per run (fresh process)")
    ax.legend(fontsize=8)


def _stacked(
    ax: Any, impls: dict[str, Any], key: str, scale: float, title: str, ylabel: str
) -> None:
    names = [i for i in "abcdz" if i in impls]
    cats = sorted({c for i in names for c in impls[i][key]}, key=list(CATEGORY_COLORS).index)
    bottom = [0.0] * len(names)
    for cat in cats:
        vals = [impls[i][key].get(cat, 0) / scale for i in names]
        ax.bar(
            [IMPL_NAMES[i] for i in names],
            vals,
            bottom=bottom,
            label=cat,
            color=CATEGORY_COLORS.get(cat, "#333333"),
        )
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=7)


def _bytes(ax: Any, impls: dict[str, Any], label: str) -> None:
    names = [i for i in "abcdz" if i in impls]
    files = [impls[i]["file_bytes"] / 2**20 for i in names]
    cache = [impls[i]["cache_bytes"] / 2**20 for i in names]
    xs = [IMPL_NAMES[i] for i in names]
    ax.bar(xs, files, color="#444444", label="files and tables")
    ax.bar(xs, cache, bottom=files, color="#9ecae1", label="Spark cache re-reads")
    ax.set_title(f"Input bytes ({label})")
    ax.set_ylabel("MiB")
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=8)


def _scenarios(ax: Any, results: list[dict[str, Any]]) -> None:
    labels, values, colors = [], [], []
    for res in results:
        par = res.get("parallel")
        if par and par.get("median_wall"):
            labels += ["parallel", "sequential"]
            values += [par["median_wall"]["parallel"], par["median_wall"]["sequential"]]
            colors += ["#1f77b4", "#aec7e8"]
        for fmt, chain in sorted(res.get("incremental", {}).items()):
            size = f"{chain.get('rows', 0) / 1e6:g}M"
            for name, color in (
                ("initial", "#2ca02c"),
                ("incremental", "#98df8a"),
                ("no_new_rows", "#dddddd"),
            ):
                labels.append(f"{name.replace('_', ' ')}\n{fmt} {size}")
                values.append(chain[name]["wall_s"])
                colors.append(color)
    ax.bar(range(len(values)), values, color=colors)
    ax.set_xticks(range(len(values)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylabel("wall time, s")
    ax.set_title("Compiled job: parallel vs sequential (200k), incremental")


def _compile(ax: Any, results: list[dict[str, Any]]) -> None:
    for res in results[:1]:
        curve = res.get("compile") or []
        if curve:
            xs = [p["steps"] for p in curve]
            ys = [p["seconds"] for p in curve]
            ax.plot(xs, ys, "o-", label="compile_source, wall")
            if all("cpu_seconds" in p for p in curve):
                ax.plot(xs, [p["cpu_seconds"] for p in curve], "s-", ms=4, label="CPU")
            slope = ys[-1] / xs[-1]
            ax.plot(
                xs, [slope * x for x in xs], "--", color="#999999", label="linear through 1,000"
            )
    ax.axhline(2, color="#ff7f0e", lw=0.8, ls=":")
    ax.axhline(10, color="#d62728", lw=0.8, ls=":")
    ax.set_xlabel("steps")
    ax.set_ylabel("seconds")
    ax.set_title("Compile time (targets: 200 < 2 s, 1,000 < 10 s)")
    ax.legend(fontsize=8)


def draw(results: list[dict[str, Any]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    comps = _comparisons(results)
    fig, axes = plt.subplots(2, 3, figsize=(18, 10))
    _walls(axes[0][0], comps)
    if comps:
        label, impls = comps[0]
        _stacked(axes[0][1], impls, "jobs_by_category", 1, f"Spark jobs by kind ({label})", "jobs")
        _bytes(axes[0][2], impls, label)
    _scenarios(axes[1][0], results)
    _compile(axes[1][1], results)
    ax = axes[1][2]
    if comps:
        _stacked(
            ax,
            comps[-1][1],
            "bytes_by_category",
            2**20,
            f"Input bytes by job kind ({comps[-1][0]})",
            "MiB",
        )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
