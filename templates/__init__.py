"""Package data: the skeletons of generated files (`job.py.tmpl`), read with importlib.resources."""
