"""Content-based fingerprints that survive line shifts.

A fingerprint is (rule, path, identity) hashed, where identity is the
normalised snippet unless the check chose a stronger one (a secret's salted
hash, a resource address). Line numbers never take part, so inserting lines
above a finding keeps its fingerprint, which is what baselines rely on.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.core.model import Finding

_SPACE = re.compile(r"\s+")


def normalise_snippet(snippet: str) -> str:
    return _SPACE.sub(" ", snippet).strip()


def fingerprint_of(finding: Finding) -> str:
    loc = finding.location
    identity = finding.identity or loc.resource or normalise_snippet(loc.snippet) or finding.message
    # surrogatepass: a lone surrogate (an undecodable name or text that slipped through) must not crash
    digest = hashlib.sha256("\x1f".join((finding.rule, loc.path, identity)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]
