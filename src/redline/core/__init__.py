"""The model every layer shares. Imports nothing else of redline.

Importing it first serves ``dataclasses``' compiling from a cache (``dataclass_code``): every layer's model is made
of dataclasses, and compiling their methods was half of each command's start-up."""

from redline.core.dataclass_code import install

install()
