"""Tell what kind of file a path is, from its name alone (content is never executed)."""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

_BY_NAME = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "docker-compose.yml": "compose",
    "docker-compose.yaml": "compose",
    "compose.yml": "compose",
    "compose.yaml": "compose",
    "makefile": "makefile",
    ".env": "dotenv",
    ".npmrc": "credentials-config",
    ".pypirc": "credentials-config",
    ".netrc": "credentials-config",
    ".git-credentials": "credentials-config",
    "package.json": "package-manifest",
    "package-lock.json": "lockfile",
    "npm-shrinkwrap.json": "lockfile",
    "yarn.lock": "lockfile",
    "pnpm-lock.yaml": "lockfile",
    "bun.lock": "lockfile",
    "poetry.lock": "lockfile",
    "pipfile.lock": "lockfile",
    "uv.lock": "lockfile",
    "pdm.lock": "lockfile",
    "pylock.toml": "lockfile",
    "pyproject.toml": "package-manifest",
    "go.mod": "package-manifest",
    "go.sum": "lockfile",
    "cargo.lock": "lockfile",
    "gemfile.lock": "lockfile",
    "composer.lock": "lockfile",
    "pom.xml": "package-manifest",
    "gradle.lockfile": "lockfile",
    "buildscript-gradle.lockfile": "lockfile",
    "packages.lock.json": "lockfile",
    "gems.locked": "lockfile",
}

_BY_GLOB = (
    ("*.dockerfile", "dockerfile"),
    ("dockerfile.*", "dockerfile"),
    ("docker-compose.*.yml", "compose"),
    ("docker-compose.*.yaml", "compose"),
    ("compose.*.yml", "compose"),
    ("compose.*.yaml", "compose"),
    (".env.*", "dotenv"),
    ("*.env", "dotenv"),
    ("requirements*.txt", "package-manifest"),
    ("pylock.*.toml", "lockfile"),
    ("*.tfplan.json", "terraform-plan"),
    ("*.tf.json", "terraform"),
)

_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".tf": "terraform",
    ".tfvars": "terraform-vars",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".md": "markdown",
    ".rst": "text",
    ".txt": "text",
    ".sh": "shell",
    ".go": "go",
    ".java": "java",
    ".rb": "ruby",
    ".php": "php",
    ".rs": "rust",
    ".cs": "csharp",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".xml": "xml",
    ".sql": "sql",
    ".pem": "key",
    ".key": "key",
    ".ppk": "key",
}


def kind_of(relpath: str) -> str:
    name = PurePosixPath(relpath).name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    for pattern, kind in _BY_GLOB:
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    suffix = PurePosixPath(name).suffix
    return _BY_SUFFIX.get(suffix, "other")


_TEST_DIRS = frozenset({"test", "tests", "testing", "spec", "specs", "__tests__", "fixtures", "testdata",
                        "examples", "example", "samples", "sample", "docs", "doc"})


def looks_like_test_or_sample(relpath: str) -> bool:
    """Test code, fixtures, docs and samples: findings there are real but matter less."""
    parts = PurePosixPath(relpath.lower()).parts
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    name = parts[-1] if parts else ""
    stem = name.split(".", 1)[0]
    return (stem.startswith("test_") or stem.endswith(("_test", "_tests", "_spec", ".test", ".spec"))
            or name.endswith((".test.js", ".spec.js", ".test.ts", ".spec.ts", ".example", ".sample"))
            or stem in {"conftest", "example", "sample"})
