"""File sources: ``*.tf`` / ``*.tf.json``, ``*.tfvars`` and plan JSON, each parsed once per file."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource, SourceError
from redline.sources.terraform.hcl import HclSyntaxError, parse_hcl, parse_hcl_attributes
from redline.sources.terraform.jsonsyntax import JsonSyntaxError, parse_tf_json
from redline.sources.terraform.plan import PlanFile, PlanFormatError, looks_like_plan, parse_plan
from redline.sources.terraform.syntax import TerraformFile, TfVarsFile

#: HCL parsing is pure Python (lark); past this size a file is refused with a clear reason
MAX_HCL_BYTES = 2 * 1024 * 1024


def _without_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _directory(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def _in_terraform_cache(path: str) -> bool:
    """``.terraform/`` holds downloaded modules and providers: not the project's own configuration."""
    return path.startswith(".terraform/") or "/.terraform/" in path


class TerraformSource(FileSource):
    name = "terraform"
    kinds = frozenset({"terraform"})
    produces = TerraformFile

    def wants(self, file: SourceFile) -> bool:
        return file.kind in self.kinds and not _in_terraform_cache(file.path)

    def parse(self, text: FileText) -> TerraformFile:
        path = text.file.path
        if len(text.data) > MAX_HCL_BYTES:
            raise SourceError(
                f"Terraform file too large to parse ({len(text.data):,} bytes > {MAX_HCL_BYTES:,}); not checked"
            )
        try:
            body = _without_bom(text.text)
            blocks = parse_tf_json(body) if path.lower().endswith(".json") else parse_hcl(body)
        except (HclSyntaxError, JsonSyntaxError) as exc:
            raise SourceError(str(exc)) from None
        except RecursionError:
            raise SourceError("Terraform file nested too deeply to parse") from None
        return TerraformFile(path, _directory(path), blocks)


class TfVarsSource(FileSource):
    name = "terraform-vars"
    kinds = frozenset({"terraform-vars"})
    produces = TfVarsFile

    def wants(self, file: SourceFile) -> bool:
        wanted = file.kind in self.kinds or file.path.lower().endswith(".tfvars.json")
        return wanted and not _in_terraform_cache(file.path)

    def parse(self, text: FileText) -> TfVarsFile:
        path = text.file.path
        name = PurePosixPath(path).name.lower()
        if len(text.data) > MAX_HCL_BYTES:
            raise SourceError(f"tfvars file too large to parse ({len(text.data):,} bytes)")
        try:
            if name.endswith(".json"):
                data = json.loads(_without_bom(text.text))
                if not isinstance(data, dict):
                    raise SourceError("a .tfvars.json file must hold an object")
                values = data
            else:
                values = parse_hcl_attributes(_without_bom(text.text))
        except HclSyntaxError as exc:
            raise SourceError(str(exc)) from None
        except json.JSONDecodeError as exc:
            raise SourceError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        auto = name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
            (".auto.tfvars", ".auto.tfvars.json")
        )
        return TfVarsFile(path, _directory(path), values, auto)


class TerraformPlanSource(FileSource):
    """``*.tfplan.json`` always; any other ``.json`` only when its top level is a plan."""

    name = "terraform-plan"
    kinds = frozenset({"terraform-plan", "json"})
    produces = PlanFile

    def parse(self, text: FileText) -> PlanFile | None:
        explicit = text.file.kind == "terraform-plan"
        if not explicit and ('"format_version"' not in text.text or '"terraform_version"' not in text.text):
            return None
        try:
            data = json.loads(text.text)
        except json.JSONDecodeError as exc:
            if explicit:
                raise SourceError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
            return None
        except RecursionError:
            raise SourceError("JSON nested too deeply") from None
        if not looks_like_plan(data):
            if explicit:
                raise SourceError(
                    "not a Terraform plan JSON (needs format_version, terraform_version "
                    "and resource_changes or planned_values at the top level)"
                )
            return None
        assert isinstance(data, dict)
        try:
            return parse_plan(text.file.path, data)
        except PlanFormatError as exc:
            raise SourceError(str(exc)) from None
