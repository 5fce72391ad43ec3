"""The code index source: one index per module, from the cache when the content is unchanged."""

from __future__ import annotations

from redline.core.workspace import FileText
from redline.sources.code import cache
from redline.sources.code.model import CodeIndex
from redline.sources.interface import FileSource, NotCovered, SourceError
from redline.sources.python import parse_module

#: a line longer than this is minified or generated, not written by a person
MAX_LINE = 10_000
#: a Python module larger than this is generated (protobuf, vendored bundles), not reviewed code
MAX_BYTES = 2_000_000


def generated_reason(text: FileText) -> str | None:
    """Why this file is skipped as generated, or None."""
    if len(text.data) > MAX_BYTES:
        return f"generated or bundled code ({len(text.data) // 1_000_000} MB), not indexed"
    longest = max((len(line) for line in text.text.splitlines()), default=0)
    if longest > MAX_LINE:
        return f"minified or generated code (a line of {longest} characters), not indexed"
    return None


class CodeIndexSource(FileSource):
    name = "code-index"
    kinds = frozenset({"python"})
    produces = CodeIndex

    def parse(self, text: FileText) -> CodeIndex:
        reason = generated_reason(text)
        if reason:
            raise NotCovered(reason)
        key = cache.index_key("python", text.file.path, text.data)
        index = cache.load(key)
        if index is not None:
            return index
        from redline.sources.code.build import build_index  # noqa: PLC0415 - only on a cache miss

        try:
            module = parse_module(text)
        except SourceError as exc:  # not indexed: listed as not covered (the Python source reports the error)
            raise NotCovered(str(exc)) from None
        index = build_index(module)
        cache.store(key, index)
        return index
