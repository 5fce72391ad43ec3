"""The command line: parse arguments, call the pipeline, pick the exit code."""
