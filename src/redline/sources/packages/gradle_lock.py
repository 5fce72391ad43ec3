"""Gradle ``gradle.lockfile`` (and per-configuration ``*.lockfile`` under ``gradle/dependency-locks``):
``group:artifact:version=configuration,…`` lines. A package is dev when every configuration it
appears in is a test, annotation-processor or development-only one. No graph is recorded."""

from __future__ import annotations

import re

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser

_LINE = re.compile(r"^([^:=\s]+):([^:=\s]+):([^:=\s]+)=(.*)$")


def _dev_configuration(name: str) -> bool:
    lower = name.lower()
    return (
        lower.startswith("test")
        or "annotationprocessor" in lower
        or lower in ("developmentonly", "kapt")
        or lower.startswith("kapttest")
    )


class GradleLockParser(ManifestParser):
    name = "gradle-lockfile"
    file_names = ("gradle.lockfile", "buildscript-gradle.lockfile")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        b = ManifestBuilder(text.file.path, "gradle.lockfile", "Maven")
        for number, raw in enumerate(text.lines, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("empty="):
                if line.strip("=") == "empty" or re.fullmatch(r"empty=[\w,]*", line):
                    continue
                raise SourceError(f"line {number}: malformed 'empty=' line")
            m = _LINE.match(line)
            if not m:
                raise SourceError(f"line {number}: not a 'group:artifact:version=configurations' line")
            group, artifact, version, configs = m.groups()
            names = [c for c in configs.split(",") if c]
            dev = bool(names) and all(_dev_configuration(c) for c in names)
            b.add(f"{group}:{artifact}", version, dev=dev, line=number)
        return b.build()
