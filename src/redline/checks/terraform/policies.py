"""IAM policy documents in any of their Terraform spellings, normalised to statements.

A policy arrives as ``jsonencode({...})`` (evaluated to a map), a JSON string
or heredoc, or a reference to a ``data "aws_iam_policy_document"``. Unknown
leaves stay unknown; a statement is judged only on what is known.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from redline.checks.terraform.star_only import read_only_by_aws
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Body, Resource, ResourceRef, Unknown

READ_PREFIXES = (
    "get",
    "list",
    "describe",
    "head",
    "batchget",
    "query",
    "scan",
    "select",
    "search",
    "lookup",
    "view",
    "read",
    "check",
    "validate",
    "preview",
    "estimate",
    "detect",
    "filter",
    "export",
    "download",
    "poll",
    "retrieve",
)


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str  # Allow | Deny
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...]  # "*" for everyone, ``UNKNOWN_PRINCIPAL`` for one whose value is not known
    has_condition: bool
    not_action: bool
    line: int = 0
    #: the services an ``iam:PassedToService`` condition (StringEquals/StringLike) lets a passed role go to; ()
    #: when there is none or its values are not known
    passed_to: tuple[str, ...] = ()


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in _list(value) if isinstance(v, str))


#: a principal whose value is not known (``arn:aws:iam::${data.aws_caller_identity.current.account_id}:root``):
#: still a principal, so the statement is a resource policy's (a KMS key policy), never an identity policy's
UNKNOWN_PRINCIPAL = "?"


def _principal_ids(value: Any) -> tuple[str, ...]:
    """Each identifier as written, an unknown one as ``UNKNOWN_PRINCIPAL`` (dropping it made a key policy's
    statement look like an identity policy's: TF106 on every KMS key policy granting to the account's root)."""
    if value is None:
        return ()
    return tuple(v if isinstance(v, str) else UNKNOWN_PRINCIPAL for v in _list(value))


def _principals(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        out: list[str] = []
        for v in value.values():
            out.extend(_principal_ids(v))
        return tuple(out)
    return _principal_ids(value)


def from_document(doc: Any, line: int = 0) -> list[Statement] | None:
    """Statements of a JSON policy (as data or text); None when the document is not readable."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            return None
    if not isinstance(doc, dict):
        return None
    out: list[Statement] = []
    for st in _list(doc.get("Statement")):
        if not isinstance(st, dict):
            continue
        effect = st.get("Effect")
        out.append(
            Statement(
                effect=effect if isinstance(effect, str) else "?",
                actions=_strs(st.get("Action")) or _strs(st.get("NotAction")),
                resources=_strs(st.get("Resource")),
                principals=_principals(st.get("Principal")),
                has_condition=bool(st.get("Condition")),
                not_action="NotAction" in st,
                line=line,
                passed_to=_passed_to_json(st.get("Condition")),
            )
        )
    return out


def from_policy_document_data(res: Resource) -> list[Statement]:
    """``data "aws_iam_policy_document"`` statement blocks (``effect`` defaults to Allow)."""
    out: list[Statement] = []
    for st in res.nested("statement"):
        out.append(_block_statement(st))
    return out


def _block_statement(st: Body) -> Statement:
    effect = st.get("effect", "Allow")
    principals: list[str] = []
    for p in st.nested("principals"):
        ids = _principal_ids(p.get("identifiers")) or (UNKNOWN_PRINCIPAL,)
        if p.get("type") == "*" or (p.get("type") == "AWS" and "*" in ids):
            principals.append("*")
        principals.extend(i for i in ids if i != "*")
    return Statement(
        effect=effect if isinstance(effect, str) else "?",
        actions=_strs(st.get("actions")) or _strs(st.get("not_actions")),
        resources=_strs(st.get("resources")),
        principals=tuple(principals),
        has_condition=bool(st.nested("condition")) or "condition" in st.dynamic,
        not_action=st.has("not_actions"),
        line=st.start_line,
        passed_to=tuple(
            v
            for c in st.nested("condition")
            if c.get("variable") == _PASSED_TO and c.get("test") in _PASSED_TO_TESTS
            for v in _strs(c.get("values"))
        ),
    )


_PASSED_TO = "iam:PassedToService"
#: the operators that name the services (a negated or ...IfExists test does not bound the grant)
_PASSED_TO_TESTS = ("StringEquals", "StringLike")


def _passed_to_json(condition: Any) -> tuple[str, ...]:
    """``{"StringEquals": {"iam:PassedToService": [...]}}`` of a JSON statement's Condition."""
    if not isinstance(condition, dict):
        return ()
    out: list[str] = []
    for test in _PASSED_TO_TESTS:
        block = condition.get(test)
        if isinstance(block, dict):
            out.extend(_strs(next((v for k, v in block.items() if str(k).lower() == _PASSED_TO.lower()), None)))
    return tuple(out)


def statements(project: TerraformProject, policy: Any) -> tuple[list[Statement], Resource | None]:
    """Statements of a ``policy`` attribute value, and the policy-document data source when it came
    from one (findings then belong to that data source, once)."""
    if isinstance(policy, ResourceRef):
        doc = project.get(policy.address)
        if doc is not None and doc.type == "aws_iam_policy_document":
            return from_policy_document_data(doc), doc
        return [], None
    if isinstance(policy, Unknown):
        return [], None
    return from_document(policy) or [], None


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard match, case-insensitive (``iam:Pass*`` matches ``iam:PassRole``)."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def is_write(action: str) -> bool:
    if action in ("*", "*:*"):
        return True
    if read_only_by_aws(action):
        return False
    _svc, _, verb = action.partition(":")
    verb = verb.lower()
    if not verb:
        return False
    return verb == "*" or not verb.startswith(READ_PREFIXES)
