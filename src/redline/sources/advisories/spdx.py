"""Turn declared licence text into an SPDX expression.

Package metadata says "MIT License", "Apache 2.0", a trove classifier, or
pastes the whole licence. ``license-expression`` parses expressions against
the SPDX list (from the local database, else the list the library ships);
common free-text names and classifiers are mapped first, and a pasted licence
text is recognised by its signature sentences. What cannot be mapped stays
unknown, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from license_expression import Licensing

PROPRIETARY = "LicenseRef-Proprietary"
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"
#: "BSD License" (a trove classifier, a bare "BSD") names no clause count: say so rather than guess
BSD_UNSPECIFIED = "LicenseRef-BSD"

#: free-text names and trove classifier tails, lower-cased, to SPDX ids
ALIASES: dict[str, str] = {
    "mit": "MIT",
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit/expat": "MIT",
    # the MIT licence's old name from the X Consortium (buffer-builder, many npm packages); SPDX's own "X11"
    # (with the advertising clause) is matched by its id, never by this slash form
    "mit/x11": "MIT",
    "expat": "MIT",
    "apache": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache2": "Apache-2.0",
    "bsd": BSD_UNSPECIFIED,
    "bsd license": BSD_UNSPECIFIED,
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd 3-clause license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "2-clause bsd license": "BSD-2-Clause",
    "the 3-clause bsd license": "BSD-3-Clause",
    "the 2-clause bsd license": "BSD-2-Clause",
    "modified bsd": "BSD-3-Clause",
    "revised bsd": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd-3-clause license": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "bsd-2": "BSD-2-Clause",
    "freebsd": "BSD-2-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "isc": "ISC",
    "isc license": "ISC",
    "isc license (iscl)": "ISC",
    "psf": "PSF-2.0",
    "psf license": "PSF-2.0",
    "psfl": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "mpl 2.0": "MPL-2.0",
    "mpl-2": "MPL-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "mozilla public license 2.0": "MPL-2.0",
    "mozilla public license 1.1 (mpl 1.1)": "MPL-1.1",
    "gplv2": "GPL-2.0-only",
    "gpl v2": "GPL-2.0-only",
    "gpl-2": "GPL-2.0-only",
    "gpl2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gpl v3": "GPL-3.0-only",
    "gpl-3": "GPL-3.0-only",
    "gpl3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "lgpl": "LGPL-2.1-or-later",
    "lgplv2": "LGPL-2.0-only",
    "lgplv2+": "LGPL-2.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "lgpl v3": "LGPL-3.0-only",
    "gnu lesser general public license v2 (lgplv2)": "LGPL-2.0-only",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu library or lesser general public license (lgpl)": "LGPL-2.1-or-later",
    "agplv3": "AGPL-3.0-only",
    "agpl-3": "AGPL-3.0-only",
    "agplv3+": "AGPL-3.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license v3 or later (agplv3+)": "AGPL-3.0-or-later",
    "the unlicense (unlicense)": "Unlicense",
    "zope public license": "ZPL-2.1",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "eclipse public license 1.0 (epl-1.0)": "EPL-1.0",
    "european union public licence 1.2 (eupl 1.2)": "EUPL-1.2",
    "boost software license 1.0 (bsl-1.0)": "BSL-1.0",
    "universal permissive license (upl)": "UPL-1.0",
    "public domain": PUBLIC_DOMAIN,
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "proprietary": PROPRIETARY,
    "other/proprietary license": PROPRIETARY,
    "unlicensed": PROPRIETARY,
    "commercial": PROPRIETARY,
    "all rights reserved": PROPRIETARY,
}

#: signature sentences of licences that packages paste whole into their metadata
_TEXT_SIGNATURES: Sequence[tuple[re.Pattern[str], str]] = (
    (re.compile(r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3", re.I), "AGPL-3.0-only"),
    (re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", re.I), "LGPL-3.0-only"),
    (re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1", re.I), "LGPL-2.1-only"),
    (re.compile(r"GNU GENERAL PUBLIC LICENSE\s+Version 3", re.I), "GPL-3.0-only"),
    (re.compile(r"GNU GENERAL PUBLIC LICENSE\s+Version 2", re.I), "GPL-2.0-only"),
    (re.compile(r"Apache License,?\s+Version 2\.0", re.I), "Apache-2.0"),
    (re.compile(r"Mozilla Public License,?\s+(?:Version|v\.?)\s*2\.0", re.I), "MPL-2.0"),
    (re.compile(r"Permission is hereby granted, free of charge", re.I), "MIT"),
    (re.compile(r"Permission to use, copy, modify, and(?:/or)? distribute this software for any", re.I), "ISC"),
    (re.compile(r"Redistribution and use in source and binary forms.*Neither the name", re.I | re.S), "BSD-3-Clause"),
    (re.compile(r"Redistribution and use in source and binary forms", re.I), "BSD-2-Clause"),
)


@dataclass(frozen=True)
class Normalised:
    expression: str  # SPDX expression, "" when unknown
    ids: tuple[str, ...]  # licence ids in it (no exceptions)
    how: str  # spdx | alias | classifier | text | unknown


_UNKNOWN = Normalised("", (), "unknown")


class LicenceNormaliser:
    def __init__(self, spdx_ids: Iterable[tuple[str, bool]] = (), names: Iterable[tuple[str, str]] = ()) -> None:
        """``spdx_ids``: (id, is_exception) from the local database, empty = the list license-expression
        ships; ``names``: (full name, id) pairs, so "BSD 2-Clause \"Simplified\" License" maps too."""
        self._spdx_ids = list(spdx_ids)
        self.names = {name.lower(): ident for name, ident in names}

    @cached_property
    def licensing(self) -> Licensing:
        """Built on the first parse: a run with no licence text to read never imports license-expression
        (and boolean.py), nor builds the symbol table."""
        from license_expression import LicenseSymbol, Licensing, build_spdx_licensing  # noqa: PLC0415 - see above

        ours = [LicenseSymbol(x) for x in (PROPRIETARY, PUBLIC_DOMAIN, BSD_UNSPECIFIED)]
        if self._spdx_ids:
            return Licensing([*(LicenseSymbol(i, is_exception=exc) for i, exc in self._spdx_ids), *ours])
        # get_spdx_licensing() is this over a fresh read of the index: the one ``plain_ids`` read is reused
        return Licensing([*build_spdx_licensing(self._shipped_index).known_symbols.values(), *ours])

    @cached_property
    def _shipped_index(self) -> list[dict[str, Any]]:
        """The licence index license-expression ships (1 MB of JSON, read uncached by each of its helpers):
        read once for ``plain_ids`` and ``licensing`` both."""
        from license_expression import get_license_index  # noqa: PLC0415 - see ``licensing``

        index: list[dict[str, Any]] = get_license_index()
        return index

    @cached_property
    def plain_ids(self) -> frozenset[str]:
        """The licence ids (exceptions left out) of the list, and ours: a text that is exactly one of them is its
        own expression, so it is looked up rather than parsed. Building the parser (about 2,700 symbols into an
        automaton) cost 0.04 s of a run whose only licence was the project's own ``BSD-3-Clause``."""
        ours = {PROPRIETARY, PUBLIC_DOMAIN, BSD_UNSPECIFIED}
        if self._spdx_ids:
            return frozenset({i for i, exception in self._spdx_ids if not exception} | ours)
        listed = self._shipped_index
        return frozenset(
            {e["spdx_license_key"] for e in listed if e.get("spdx_license_key") and not e.get("is_exception")} | ours
        )

    def _parse(self, text: str, how: str) -> Normalised:
        if text in self.plain_ids:
            return Normalised(text, (text,), how)  # what parsing it gives (a test compares every id of the list)
        return self.parse_expression(text, how)

    def parse_expression(self, text: str, how: str) -> Normalised:
        """``text`` parsed by license-expression against the list: its canonical rendering and licence ids."""
        licensing = self.licensing
        from license_expression import ExpressionError  # noqa: PLC0415 - loaded by ``licensing``

        try:
            expr = licensing.parse(text, validate=True, strict=False)
        except (ExpressionError, ValueError, TypeError):
            return _UNKNOWN
        if expr is None:
            return _UNKNOWN
        ids = tuple(
            sorted(
                {
                    s.key
                    for s in licensing.license_symbols(expr, decompose=True)
                    if not getattr(s, "is_exception", False)
                }
            )
        )
        return Normalised(str(expr.render()), ids, how)

    def normalise(self, declared: str, classifiers: Sequence[str] = ()) -> Normalised:
        text = declared.strip()
        if text and "\n" not in text and len(text) <= 200:
            alias = ALIASES.get(text.lower().rstrip(".")) or self.names.get(text.lower())
            if alias:
                return self._parse(alias, "alias")
            found = self._parse(text, "spdx")
            if found.expression:
                return found
        elif text:
            for pattern, spdx in _TEXT_SIGNATURES:
                if pattern.search(text):
                    return self._parse(spdx, "text")
        ids = [ALIASES.get(c.split("::")[-1].strip().lower()) for c in classifiers if c.startswith("License ::")]
        known = sorted({i for i in ids if i})
        if known:
            return self._parse(" OR ".join(known), "classifier")  # several classifiers: a choice
        return _UNKNOWN
