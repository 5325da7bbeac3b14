# sparkforge developer commands. Every target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JARS_DIR := .cache/jars
DELTA_VERSION := 4.4.0
DELTA_JARS := $(JARS_DIR)/delta-spark_4.1_2.13-$(DELTA_VERSION).jar $(JARS_DIR)/delta-storage-$(DELTA_VERSION).jar
MVN_COPY := mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy -DoutputDirectory=$(JARS_DIR)

export SPARK_LOCAL_IP := 127.0.0.1
comma := ,
space := $(empty) $(empty)
export SPARKFORGE_JARS := $(subst $(space),$(comma),$(abspath $(DELTA_JARS)))
export PYSPARK_PYTHON := $(abspath $(BIN)/python)

.PHONY: setup test test-fast lint goldens demo bench clean

setup: $(VENV)/.installed $(DELTA_JARS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(JARS_DIR)/delta-spark_4.1_2.13-$(DELTA_VERSION).jar:
	$(MVN_COPY) -Dartifact=io.delta:delta-spark_4.1_2.13:$(DELTA_VERSION)

$(JARS_DIR)/delta-storage-$(DELTA_VERSION).jar:
	$(MVN_COPY) -Dartifact=io.delta:delta-storage:$(DELTA_VERSION)

test: setup
	$(BIN)/pytest -q

# The main job: compile examples/ecommerce/pipeline.py, run it with spark-submit (initial load, then
# an incremental run) over generated data, and print the run log. DEMO_ARGS="--engine interpreted"
# runs the same pipeline through PipelineRunner instead.
demo: setup
	$(BIN)/python examples/ecommerce/demo.py $(DEMO_ARGS)

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check compiler runtime tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf .work build *.egg-info

# Benchmarks: a quick size (200k rows) by default, `make bench FULL=1` for 1M and 5M rows;
# BENCH_ARGS passes more options to benchmarks/run.py (e.g. BENCH_ARGS="--rounds 5").
bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks.run $(if $(FULL),--full) $(BENCH_ARGS)

# Recompile every golden job (tests/cases/*) and every example's job.py, and redraw their graphs
# (tests/graphs/ and the Mermaid block of each example's README.md); review the diff, then commit.
goldens: setup
	for dir in examples/*/; do \
	  if [ -f "$$dir/pipeline.py" ]; then $(BIN)/sparkforge compile "$$dir/pipeline.py" -o "$$dir/job.py" || exit 1; fi; \
	done
	SPARKFORGE_UPDATE_GOLDENS=1 $(BIN)/pytest -q tests/test_goldens.py
	SPARKFORGE_UPDATE_GOLDENS=1 $(BIN)/pytest -q tests/test_graph_goldens.py
	SPARKFORGE_UPDATE_GOLDENS=1 $(BIN)/pytest -q tests/test_explain.py -k golden
