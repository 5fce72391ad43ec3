"""Which component each finding belongs to: the narrowest span of a component's source that holds the
finding's line, else its resource address, else the build context (code under ``services/orders/``)."""

from __future__ import annotations

from dataclasses import replace

from redline.core.model import Finding, Severity
from redline.synthesis.map.builder import Draft


class FindingIndex:
    def __init__(self, drafts: list[Draft]) -> None:
        self.spans: dict[str, list[tuple[int, int, str]]] = {}
        self.paths: dict[str, set[str]] = {}
        self.resources: dict[str, str] = {}
        self.dirs: list[tuple[str, str]] = []
        for draft in drafts:
            for seen in draft.seen:
                self.spans.setdefault(seen.path, []).append((seen.line, seen.end_line or seen.line, draft.id))
                self.paths.setdefault(seen.path, set()).add(draft.id)
            for path, start, end in draft.owned_spans:
                self.spans.setdefault(path, []).append((start, end, draft.id))
            for res in draft.resources:
                self.resources.setdefault(res, draft.id)
            self.dirs += [(d, draft.id) for d in draft.build_dirs]
        self.dirs.sort(key=lambda d: -len(d[0]))

    def component(self, finding: Finding) -> str:
        loc = finding.location
        if loc.resource and loc.resource in self.resources:
            return self.resources[loc.resource]
        line = loc.start_line
        inside = [
            (end - start, cid) for start, end, cid in self.spans.get(loc.path, ()) if line and start <= line <= end
        ]
        home = self._home(loc.path)
        if inside:
            # a client call in a component's own code names another component (a flow to it), yet the line
            # is the caller's: a finding there (a call without a timeout) belongs to the code's owner
            return home[1] if home is not None and home[0] else min(inside)[1]
        owners = self.paths.get(loc.path, set())
        if len(owners) == 1:
            return next(iter(owners))
        return home[1] if home is not None else ""

    def _home(self, path: str) -> tuple[str, str] | None:
        """The narrowest build context holding the path: (directory, component)."""
        for directory, cid in self.dirs:
            if (directory and path.startswith(directory + "/")) or (not directory and "/" not in path):
                return directory, cid
        return None


def attach(
    drafts: list[Draft], findings: list[Finding]
) -> tuple[list[Finding], dict[str, tuple[str, ...]], dict[str, list[str]]]:
    """Findings with ``component`` set where one is found; fingerprints per component; severe rules per one."""
    index = FindingIndex(drafts)
    out: list[Finding] = []
    per: dict[str, list[str]] = {}
    severe: dict[str, list[str]] = {}
    for finding in findings:
        cid = finding.component or index.component(finding)
        f = replace(finding, component=cid) if cid and not finding.component else finding
        out.append(f)
        if cid:
            per.setdefault(cid, []).append(f.fingerprint)
            if f.severity >= Severity.HIGH and f.suppressed is None:
                severe.setdefault(cid, []).append(f.rule)
    return out, {k: tuple(sorted(set(v))) for k, v in per.items()}, severe
