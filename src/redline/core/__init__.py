"""The model every layer shares. Imports nothing else of redline."""
