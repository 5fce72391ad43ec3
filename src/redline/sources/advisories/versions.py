"""Version ordering per OSV ecosystem.

OSV ranges are only meaningful with the ecosystem's own ordering: ``1.0.0-rc1``
is before ``1.0.0`` in SemVer but ``1.0-SNAPSHOT`` sits between the betas and
the release in Maven. Each ecosystem gets a small parser that turns a version
string into a key object; keys of one ecosystem compare with ``<`` and ``==``.
Unknown ecosystems fall back to a generic dotted-numeric ordering.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440Version

Cmp = Callable[[Any, Any], int]


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def _cmp(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def _num(s: str) -> int | None:
    return int(s) if s.isdigit() and s.isascii() else None


@functools.total_ordering
class VersionKey:
    """A parsed version that orders with its ecosystem's rules."""

    __slots__ = ("_cmp", "parsed", "text")

    def __init__(self, text: str, parsed: Any, cmp: Cmp) -> None:
        self.text = text
        self.parsed = parsed
        self._cmp = cmp

    def compare(self, other: VersionKey) -> int:
        return self._cmp(self.parsed, other.parsed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VersionKey) and self.compare(other) == 0

    def __lt__(self, other: VersionKey) -> bool:
        return self.compare(other) < 0

    def __hash__(self) -> int:  # equal keys may have different texts; hash the ecosystem only
        return hash(self._cmp)

    def __repr__(self) -> str:
        return f"VersionKey({self.text!r})"


def _cmp_numeric_lists(a: Sequence[int], b: Sequence[int]) -> int:
    """Compare number lists, the shorter padded with zeros."""
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 0
        y = b[i] if i < len(b) else 0
        if x != y:
            return -1 if x < y else 1
    return 0


# --- SemVer (npm, crates.io, Go, Hex) and NuGet --------------------------------------------------


def _semver_like(text: str, max_components: int) -> tuple[list[int], str]:
    """Leading numeric components (any count, optional ``v``), then the rest as the "build" tail."""
    s = text[1:] if text.startswith("v") else text
    comps: list[int] = []
    current = ""
    build = ""
    i = 0
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9":
            current += c
            i += 1
            continue
        if current:
            comps.append(int(current))
            current = ""
        if c == ".":
            i += 1
            continue
        build = s[i:]
        break
    if current:
        comps.append(int(current))
    if len(comps) > max_components:
        build = "".join(f".{n}" for n in comps[max_components:]) + build
        comps = comps[:max_components]
    return comps, build


def _cmp_prerelease_ids(a: list[str], b: list[str]) -> int:
    for x, y in zip(a, b, strict=False):
        nx, ny = _num(x), _num(y)
        if nx is not None and ny is not None:
            c = _cmp(nx, ny)
        elif nx is None and ny is None:
            c = _cmp(x, y)
        else:
            c = -1 if nx is not None else 1
        if c:
            return c
    return _cmp(len(a), len(b))


def _cmp_build(a: str, b: str) -> int:
    a = a.split("+", 1)[0].removeprefix("-")
    b = b.split("+", 1)[0].removeprefix("-")
    if not a or not b:
        return _cmp(not a, not b)  # no prerelease sorts after a prerelease
    return _cmp_prerelease_ids(a.split("."), b.split("."))


def _semver_cmp(a: tuple[list[int], str], b: tuple[list[int], str]) -> int:
    return _cmp_numeric_lists(a[0], b[0]) or _cmp_build(a[1], b[1])


def _parse_semver(text: str) -> tuple[list[int], str]:
    return _semver_like(text, 3)


def _parse_nuget(text: str) -> tuple[list[int], str]:
    comps, build = _semver_like(text, 4)
    return comps, build.lower()


# --- PyPI ---------------------------------------------------------------------------------------

_LEGACY_PART = re.compile(r"\d+|[a-z]+|\.|-")
_LEGACY_SUBST = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_parts(text: str) -> str:
    """setuptools' pre-PEP 440 ordering, for strings ``packaging`` rejects."""
    parts: list[str] = []
    for raw in [*_LEGACY_PART.findall(text.lower()), "final"]:
        if raw == ".":
            continue
        part = _LEGACY_SUBST.get(raw, raw)
        part = part.zfill(8) if part[:1].isdigit() else "*" + part
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    return "".join(parts)


def _parse_pypi(text: str) -> tuple[int, Any]:
    try:
        return (1, Pep440Version(text))
    except InvalidVersion:
        return (0, _legacy_parts(text))  # legacy versions sort before every PEP 440 version


def _pypi_cmp(a: tuple[int, Any], b: tuple[int, Any]) -> int:
    if a[0] != b[0]:
        return _cmp(a[0], b[0])
    return _cmp(a[1], b[1])


# --- Maven --------------------------------------------------------------------------------------

_MAVEN_KEYWORDS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_TRANSITION = re.compile(r"(?<=\D)(?=\d)|(?<=\d)(?=\D)")


def _maven_token_order(prefix: str, value: str) -> int:
    """``.qualifier`` < ``-qualifier`` < ``-number`` < ``.number``."""
    if _num(value) is not None:
        return 2 if prefix == "-" else 3
    return 1 if prefix == "-" else 0


def _maven_less(a: tuple[str, str, bool], b: tuple[str, str, bool]) -> bool:
    (pa, va, null_a), (pb, vb, null_b) = a, b
    if pa != pb:
        return _maven_token_order(pa, va) < _maven_token_order(pb, vb)
    na, nb = _num(va), _num(vb)
    if na is not None and nb is not None:
        return na < nb
    if na is not None and not null_a:
        return False
    if nb is not None and not null_b:
        return True
    ia = _MAVEN_KEYWORDS.index(va) if va in _MAVEN_KEYWORDS else len(_MAVEN_KEYWORDS)
    ib = _MAVEN_KEYWORDS.index(vb) if vb in _MAVEN_KEYWORDS else len(_MAVEN_KEYWORDS)
    if ia == ib == len(_MAVEN_KEYWORDS):
        return va < vb
    return ia < ib


def _parse_maven(text: str) -> list[tuple[str, str, bool]]:
    tokens: list[tuple[str, str, bool]] = []
    raw = re.split(r"([.-])", text)
    for i in range(0, len(raw), 2):
        prefix = raw[i - 1] if i else ""
        pieces = _TRANSITION.split(raw[i])
        for j, piece in enumerate(pieces):
            if j:
                prefix = "-"
            value = piece.lower() or "0"
            value = {"cr": "rc", "ga": "", "final": "", "release": ""}.get(value, value)
            if j < len(pieces) - 1:
                value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
            n = _num(value)
            tokens.append((prefix, str(n) if n is not None else value, False))
    # trim trailing "null" values, then again before each remaining hyphen, from the end
    i = len(tokens) - 1
    while i > 0:
        if tokens[i][1] in ("0", "", "final", "ga"):
            del tokens[i]
            i -= 1
            continue
        while i >= 0 and tokens[i][0] != "-":
            i -= 1
        i -= 1
    return tokens


def _maven_null(token: tuple[str, str, bool]) -> tuple[str, str, bool]:
    if token[0] == "-":
        return ("-", "", True)
    return (".", "" if token[1] == "sp" else "0", True)


def _maven_cmp(a: list[tuple[str, str, bool]], b: list[tuple[str, str, bool]]) -> int:
    if [t[:2] for t in a] == [t[:2] for t in b]:
        return 0
    for i in range(max(len(a), len(b))):
        left = a[i] if i < len(a) else _maven_null(b[i])
        right = b[i] if i < len(b) else _maven_null(a[i])
        if left[:2] == right[:2]:
            continue
        return -1 if _maven_less(left, right) else 1
    return 1


# --- RubyGems -----------------------------------------------------------------------------------


def _parse_rubygems(text: str) -> list[str]:
    out = ""
    prev_digit: bool | None = None
    for c in text:
        if c == ".":
            prev_digit = None
            out += "."
            continue
        is_digit = "0" <= c <= "9"
        if prev_digit is not None and prev_digit != is_digit:
            out += "."
        out += c
        prev_digit = is_digit
    numbers: list[str] = []
    build: list[str] = []
    for seg in out.split("."):
        if build or _num(seg) is None:
            build.append(seg)
        else:
            numbers.append(seg)

    def strip_zeros(segs: list[str]) -> list[str]:
        while segs and segs[-1] == "0":
            segs = segs[:-1]
        return segs

    return strip_zeros(numbers) + strip_zeros(build)


def _rubygems_cmp(a: list[str], b: list[str]) -> int:
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "0"
        y = b[i] if i < len(b) else "0"
        nx, ny = _num(x), _num(y)
        if nx is not None and ny is not None:
            c = _cmp(nx, ny)
        elif nx is None and ny is None:
            c = _cmp(x, y)
        else:
            return 1 if nx is not None else -1
        if c:
            return c
    return 0


# --- Packagist (PHP version_compare) ----------------------------------------------------------


def _parse_packagist(text: str) -> list[str]:
    v = text.removeprefix("v").removeprefix("V")
    v = re.sub(r"[-_+]", ".", v)
    v = re.sub(r"([^\d.])(\d)", r"\1.\2", v)
    v = re.sub(r"(\d)([^\d.])", r"\1.\2", v)
    return v.split(".")


def _packagist_weight(s: str) -> int:
    if s.startswith("RC"):
        return 3
    for i, special in enumerate(("dev", "a", "b", "rc", "#", "p")):
        if s.startswith(special):
            return i
    return 0


def _packagist_cmp(a: list[str], b: list[str]) -> int:
    for x, y in zip(a, b, strict=False):
        nx, ny = _num(x), _num(y)
        if nx is not None and ny is not None:
            c = _cmp(nx, ny)
        else:
            c = _cmp(_packagist_weight("#" if nx is not None else x), _packagist_weight("#" if ny is not None else y))
        if c:
            return c
    if len(a) > len(b):
        return 1 if _num(a[len(b)]) is not None else _packagist_cmp(a[len(b) :], ["#"])
    if len(a) < len(b):
        return -1 if _num(b[len(a)]) is not None else _packagist_cmp(["#"], b[len(a) :])
    return 0


# --- Debian (dpkg) ----------------------------------------------------------------------------

_DEB_RE = re.compile(r"^(?:(\d+):)?([A-Za-z0-9.+~:-]+?)(?:-([A-Za-z0-9.+~]+))?$")


def _deb_order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _deb_part_cmp(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _deb_order(a[i]) if i < len(a) else 0
            bc = _deb_order(b[j]) if j < len(b) else 0
            if ac != bc:
                return _sign(ac - bc)
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return _sign(first_diff)
    return 0


def _parse_debian(text: str) -> tuple[int, str, str]:
    m = _DEB_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a Debian version: {text!r}")
    return int(m.group(1) or 0), m.group(2), m.group(3) or "0"


def _debian_cmp(a: tuple[int, str, str], b: tuple[int, str, str]) -> int:
    return _cmp(a[0], b[0]) or _deb_part_cmp(a[1], b[1]) or _deb_part_cmp(a[2], b[2])


# --- CRAN and Hackage: dotted numbers, the longer one greater when one is a prefix ------------------


def _parse_cran(text: str) -> list[int]:
    return [int(p) for p in text.replace("-", ".").split(".") if _num(p) is not None]


def _parse_hackage(text: str) -> list[int]:
    return [int(p) for p in text.split(".") if _num(p) is not None]


def _numbers_then_length_cmp(a: list[int], b: list[int]) -> int:
    return _cmp_numeric_lists(a, b) or _cmp(len(a), len(b))


# --- Pub: SemVer, then build metadata as a tie-breaker ------------------------------------------


def _pub_cmp(a: tuple[list[int], str], b: tuple[list[int], str]) -> int:
    return _semver_cmp(a, b) or _cmp(a[1].partition("+")[2], b[1].partition("+")[2])


# --- Red Hat (rpmvercmp) ----------------------------------------------------------------------


_RPM_DIGITS = re.compile(r"[0-9]*")
_RPM_LETTERS = re.compile(r"[A-Za-z]*")


def _rpm_segment_cmp(a: str, b: str) -> int:
    if not a or not b:
        return _cmp(bool(a), bool(b))
    i = j = 0
    while True:
        i, j = _rpm_skip_separators(a, i), _rpm_skip_separators(b, j)
        marker = _rpm_marker_cmp(a, i, b, j)
        if marker == 0:  # the same marker on both sides: step over it
            i, j = i + 1, j + 1
            continue
        if marker is not None:
            return marker
        if i == len(a) or j == len(b):
            return _cmp(len(a) - i, len(b) - j)
        result, i, j = _rpm_run_cmp(a, i, b, j)
        if result:
            return result


def _rpm_skip_separators(s: str, i: int) -> int:
    """The next position holding an ASCII letter or digit, ``~`` or ``^`` (rpmvercmp ignores the rest)."""
    while i < len(s) and not (s[i].isascii() and s[i].isalnum()) and s[i] not in "~^":
        i += 1
    return i


def _rpm_marker_cmp(a: str, i: int, b: str, j: int) -> int | None:
    """``~`` sorts before anything, even the end; ``^`` after the end but before anything else.

    0 when both sides hold the same marker, None when neither holds one."""
    ta, tb = i < len(a) and a[i] == "~", j < len(b) and b[j] == "~"
    if ta or tb:
        return 0 if ta and tb else -1 if ta else 1
    ca, cb = i < len(a) and a[i] == "^", j < len(b) and b[j] == "^"
    if not (ca or cb):
        return None
    if ca and cb:
        return 0
    if ca:
        return 1 if j == len(b) else -1
    return -1 if i == len(a) else 1


def _rpm_run_cmp(a: str, i: int, b: str, j: int) -> tuple[int, int, int]:
    """Compare the digit or letter run at ``a[i]`` with the same kind of run at ``b[j]``; a number beats
    letters. Returns the result and both positions after the runs."""
    digit = a[i].isdigit()
    pattern = _RPM_DIGITS if digit else _RPM_LETTERS
    sa = pattern.match(a, i).group()  # type: ignore[union-attr]
    sb = pattern.match(b, j).group()  # type: ignore[union-attr]
    i, j = i + len(sa), j + len(sb)
    if not sb:
        return (1 if digit else -1), i, j
    if digit:
        sa, sb = sa.lstrip("0"), sb.lstrip("0")
        if len(sa) != len(sb):
            return _cmp(len(sa), len(sb)), i, j
    return _cmp(sa, sb), i, j


def _parse_redhat(text: str) -> tuple[str, str, str]:
    epoch, colon, rest = text.partition(":")
    if not colon or not epoch.isdigit():
        epoch, rest = "", text
    version, dash, release = rest.partition("-")
    return epoch or "0", version, ("-" + release) if dash else ""


def _redhat_cmp(a: tuple[str, str, str], b: tuple[str, str, str]) -> int:
    for x, y in zip(a, b, strict=True):
        c = _rpm_segment_cmp(x, y)
        if c:
            return c
    return 0


# --- Alpine (apk) ------------------------------------------------------------------------------

_APK_NUMBERS = re.compile(r"^(?:\d+\.?)*")
_APK_SUFFIX = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)(\d*)")
_APK_SUFFIX_ORDER = ("alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p")


def _parse_alpine(text: str) -> tuple[Any, ...]:
    rest = text
    numbers = _APK_NUMBERS.match(rest).group()  # type: ignore[union-attr]
    comps = [c for c in numbers.split(".") if c] if numbers else []
    rest = rest[len(numbers) :]
    letter = rest[0] if rest[:1].isascii() and rest[:1].islower() and rest[:1].isalpha() else ""
    rest = rest[len(letter) :]
    suffixes: list[tuple[int, int]] = []
    while m := _APK_SUFFIX.match(rest):
        suffixes.append((_APK_SUFFIX_ORDER.index(m.group(1)), int(m.group(2) or 0)))
        rest = rest[m.end() :]
    if h := re.match(r"~[0-9a-f]+", rest):
        rest = rest[h.end() :]
    build = 0
    invalid = False
    if rest:
        if b := re.match(r"-r(\d*)", rest):
            build = int(b.group(1) or 0)
            rest = rest[b.end() :]
        else:
            invalid = True
    return (text, invalid, comps, letter, suffixes, build, rest)


def _apk_number_cmp(i: int, a: str, b: str) -> int:
    if i and (a[0] == "0" or b[0] == "0"):
        return _cmp(a, b)  # after the first component a leading zero means a fraction: compare as text
    return _cmp(int(a), int(b))


def _alpine_cmp(a: tuple[Any, ...], b: tuple[Any, ...]) -> int:
    if a[1] and b[1]:
        return _cmp(a[0], b[0])
    for i in range(max(len(a[2]), len(b[2]))):
        c = _apk_number_cmp(i, a[2][i] if i < len(a[2]) else "0", b[2][i] if i < len(b[2]) else "0")
        if c:
            return c
    if a[3] != b[3]:
        return _cmp(bool(a[3]), bool(b[3])) if not a[3] or not b[3] else _cmp(a[3], b[3])
    for i in range(max(len(a[4]), len(b[4]))):
        c = _cmp(a[4][i] if i < len(a[4]) else (4, 0), b[4][i] if i < len(b[4]) else (4, 0))
        if c:
            return c
    return _cmp(a[5], b[5]) or _cmp(not a[6], not b[6])


# --- generic fallback -----------------------------------------------------------------------


def _parse_generic(text: str) -> tuple[list[int], str]:
    return _semver_like(text, 1_000)


_PARSERS: dict[str, tuple[Callable[[str], Any], Cmp]] = {
    "PyPI": (_parse_pypi, _pypi_cmp),
    "npm": (_parse_semver, _semver_cmp),
    "crates.io": (_parse_semver, _semver_cmp),
    "Go": (_parse_semver, _semver_cmp),
    "Hex": (_parse_semver, _semver_cmp),
    "NuGet": (_parse_nuget, _semver_cmp),
    "Maven": (_parse_maven, _maven_cmp),
    "RubyGems": (_parse_rubygems, _rubygems_cmp),
    "Packagist": (_parse_packagist, _packagist_cmp),
    "Debian": (_parse_debian, _debian_cmp),
    "Ubuntu": (_parse_debian, _debian_cmp),
    "CRAN": (_parse_cran, _numbers_then_length_cmp),
    "Hackage": (_parse_hackage, _numbers_then_length_cmp),
    "Pub": (_parse_semver, _pub_cmp),
    "Red Hat": (_parse_redhat, _redhat_cmp),
    "Rocky Linux": (_parse_redhat, _redhat_cmp),
    "AlmaLinux": (_parse_redhat, _redhat_cmp),
    "openSUSE": (_parse_redhat, _redhat_cmp),
    "SUSE": (_parse_redhat, _redhat_cmp),
    "Alpine": (_parse_alpine, _alpine_cmp),
}
_GENERIC = (_parse_generic, _semver_cmp)

_CMP_KEYS: dict[Cmp, Any] = {cmp: functools.cmp_to_key(cmp) for _, cmp in (*_PARSERS.values(), _GENERIC)}


def ordering_for(ecosystem: str) -> tuple[Callable[[str], Any], Cmp]:
    base = ecosystem.split(":", 1)[0]  # "Debian:12" -> "Debian"
    return _PARSERS.get(base, _GENERIC)


def parse_version(ecosystem: str, text: str) -> VersionKey:
    """Parse ``text`` with the ecosystem's rules; raise ``ValueError`` when it cannot be read."""
    parse, cmp = ordering_for(ecosystem)
    return VersionKey(text, parse(text), cmp)


def order_key(ecosystem: str, text: str) -> Any:
    """A natively comparable sort key (faster than ``VersionKey`` in hot loops); ``ValueError`` if unreadable.

    PyPI keys are ``(is_pep440, Version | legacy string)`` tuples; other ecosystems wrap their
    comparison with ``functools.cmp_to_key``. Keys compare only with keys of the same ecosystem.
    """
    parse, cmp = ordering_for(ecosystem)
    if parse is _parse_pypi:
        return _parse_pypi(text)
    return _CMP_KEYS[cmp](parse(text))


def compare_versions(ecosystem: str, a: str, b: str) -> int:
    return parse_version(ecosystem, a).compare(parse_version(ecosystem, b))
