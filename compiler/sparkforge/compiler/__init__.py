"""The sparkforge compiler: builder code in, a standalone PySpark job out, never executing the input."""
