"""sparkforge benchmarks: generated jobs side by side with the floor, hand-written validation and the
interpreted runner. Entry point: `python -m benchmarks.run` (or `make bench`); see docs/benchmarks.md.
"""
