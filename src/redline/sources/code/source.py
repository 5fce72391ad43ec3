"""The code index source: one index per module, from the cache when the content is unchanged."""

from __future__ import annotations

from dataclasses import replace

from redline.core.facts import sends_facts
from redline.core.thirdparty import THIRD_PARTY_DIRS, in_folder_named, others_code
from redline.core.workspace import FileText, SourceFile
from redline.sources.code import cache
from redline.sources.code.model import CodeIndex
from redline.sources.interface import FileSource, NotCovered, SourceError
from redline.sources.python import parse_module

#: a line longer than this is minified or generated, not written by a person
MAX_LINE = 10_000
#: a Python module larger than this is generated (protobuf, vendored bundles), not reviewed code
MAX_BYTES = 2_000_000
#: the tree-sitter languages: file kind -> index language
TREE_SITTER_KINDS = {"javascript": "javascript", "typescript": "typescript", "go": "go", "java": "java"}
#: compiled JavaScript (``tsc``/bundler output): the sources it was built from are what is audited (the code
#: index's own addition to core.thirdparty's folders, which hold other projects' code, not the app's compiled)
BUILD_OUTPUT_DIRS = frozenset({"dist"})
_NOT_THE_APPS_SOURCE = THIRD_PARTY_DIRS | BUILD_OUTPUT_DIRS


def generated_reason(text: FileText) -> str | None:
    """Why this file is skipped as generated, or None."""
    if len(text.data) > MAX_BYTES:
        return f"generated or bundled code ({len(text.data) // 1_000_000} MB), not indexed"
    longest = max((len(line) for line in text.text.splitlines()), default=0)
    if longest > MAX_LINE:
        return f"minified or generated code (a line of {longest} characters), not indexed"
    return None


def third_party(path: str) -> bool:
    """Installed, vendored or compiled code: not the application's own source (folder names compared
    lower-cased, ``Dist/`` as ``Vendor/``)."""
    return in_folder_named(path, _NOT_THE_APPS_SOURCE)


class CodeIndexSource(FileSource):
    name = "code-index"
    kinds = frozenset({"python", *TREE_SITTER_KINDS})
    produces = CodeIndex

    def wants(self, file: SourceFile) -> bool:
        if others_code(file):  # installed into the tree (bazarr's libs/) or kept in vendor/: another project's
            return False
        if file.kind == "python":
            return True
        if file.path.endswith((".d.ts", ".d.mts", ".d.cts")):  # type declarations: no code runs there
            return False
        return file.kind in TREE_SITTER_KINDS and not third_party(file.path)

    def parse(self, text: FileText) -> CodeIndex:
        language, key = _keyed(text)
        return _indexed(text, language, key)

    def read(self, text: FileText) -> CodeIndex | cache.EncodedIndex:
        """In a worker, an index from the cache is handed out undecoded (``cache.EncodedIndex``)."""
        language, key = _keyed(text)
        encoded = cache.load_encoded(key) if sends_facts() else None
        return encoded if encoded is not None else _indexed(text, language, key)


def _keyed(text: FileText) -> tuple[str, str]:
    """The module's language and cache key; ``NotCovered`` for generated code."""
    reason = generated_reason(text)
    if reason:
        raise NotCovered(reason)
    language = TREE_SITTER_KINDS.get(text.file.kind, "python")
    return language, cache.index_key(language, text.file.path, text.data)


def _indexed(text: FileText, language: str, key: str) -> CodeIndex:
    """The index kept in the cache, else built now and kept."""
    index = cache.load(key)
    if index is not None:
        return index
    built = _build_python(text) if language == "python" else _build_tree_sitter(text, language)
    index = replace(built, key=key)
    try:
        cache.store(key, index)
    except cache.UnencodableIndex as exc:
        raise NotCovered(f"code index not kept: {exc}") from None
    return index


def _build_python(text: FileText) -> CodeIndex:
    from redline.sources.code.build import build_index  # noqa: PLC0415 - only on a cache miss

    try:
        module = parse_module(text)
    except SourceError as exc:  # not indexed: listed as not covered (the Python source reports the error)
        raise NotCovered(str(exc)) from None
    return build_index(module)


def _build_tree_sitter(text: FileText, language: str) -> CodeIndex:
    from redline.sources.code.treesitter.index import index_tree_sitter  # noqa: PLC0415 - only on a cache miss

    return index_tree_sitter(text.file.path, text.data, language)
