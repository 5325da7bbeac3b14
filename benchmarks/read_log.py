"""Print the run-log table of a benchmark run directory as JSON lines.

Input: `--conf-file` (the Spark settings of the run whose metastore and warehouse to open) and the log
table name. Output: one JSON object per log row on stdout, oldest run first.

    python benchmarks/read_log.py --conf-file run/spark_conf.json --table bench.pipeline_logs
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLUMNS = (
    "run_id", "run_mode", "run_started_at", "run_ended_at", "step_name", "status", "input_rows",
    "valid_rows", "invalid_rows", "rows_written", "previous_watermark", "new_watermark",
    "duration_secs", "engine",
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf-file", type=Path, required=True)
    parser.add_argument("--table", default="bench.pipeline_logs")
    args = parser.parse_args()
    conf = json.loads(args.conf_file.read_text())
    conf["spark.eventLog.enabled"] = "false"
    from sparkforge_runtime.session import build_session

    spark = build_session("bench-read-log", master=conf.pop("spark.master", None), extra_conf=conf)
    rows = spark.table(args.table).select(*COLUMNS).orderBy("run_started_at", "step_name").collect()
    for row in rows:
        print(json.dumps(row.asDict(), default=str))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
