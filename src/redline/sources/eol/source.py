"""The end-of-life data as a fact, read once per run from ``[eol] data_dir`` (or the database folder)."""

from __future__ import annotations

from datetime import date

from redline.core.model import Stage, ToolError
from redline.sources.eol.products import EolData, Product, parse_product
from redline.sources.eol.settings import EOL_SECTION, eol_dir
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.yamlsafe import YamlError


class EolSource(ProjectSource):
    name = "end-of-life data"
    produces = EolData

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        settings = ctx.config.settings(EOL_SECTION)
        folder = eol_dir(settings, ctx.root) / "products"
        out = ProjectOutput([], [], [])
        if not folder.is_dir():  # reported by the check only when there is an image to judge
            out.facts.append(
                EolData(
                    (),
                    date.today(),
                    str(folder),
                    "end-of-life data not found (set [eol] data_dir "
                    "to a folder with endoflife.date products/*.md): EOL images not judged",
                )
            )
            return out
        products: list[Product] = []
        for path in sorted(folder.glob("*.md")):
            try:
                product = parse_product(path.stem, path.read_text(encoding="utf-8", errors="replace"))
            except (OSError, YamlError) as exc:
                out.errors.append(ToolError(str(path), f"eol: cannot read product file: {exc}", stage=Stage.SOURCE))
                continue
            if product is not None and product.releases:
                products.append(product)
        out.facts.append(EolData(tuple(products), settings.as_of or date.today(), str(folder)))
        return out
