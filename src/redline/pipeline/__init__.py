"""Run an audit: walk, parse once, judge, combine."""
