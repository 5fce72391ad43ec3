"""History of runs and baselines."""
