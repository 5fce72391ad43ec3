"""The Kubernetes source: documents, lists, pod specs, lines — and hostile or wrong input."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.workspace import FileText, SourceFile
from redline.sources.containers.kubernetes import KubeObject, KubernetesSource, parse_manifest
from redline.sources.interface import SourceError
from redline.sources.yamlsafe import YamlError, load_documents

from .helpers import FIXTURES

BILLION_LAUGHS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

HELM_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
"""


def test_multi_document_list_and_lines() -> None:
    base = (FIXTURES / "kube" / "KUB120.yaml").read_text()
    n = len(base.splitlines())
    text = (
        base + "---\n# just a comment\n---\nfoo: bar\n"
        "---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ServiceAccount\n"
        "    metadata: {name: sa, namespace: x}\n  - {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n"
        "  - not-an-object\n"
    )
    m = parse_manifest("all.yaml", text)
    assert m is not None
    assert [o.resource for o in m.objects][-2:] == ["ServiceAccount/x/sa", "Namespace/x"]
    sa = m.objects[-2]
    assert (sa.line, sa.end_line) == (n + 9, n + 11)
    assert m.skipped_documents == (n + 4,)  # "foo: bar"; the comment-only document is no document
    assert all(o.path == "all.yaml" for o in m.objects)


def test_pod_spec_accessor_for_every_workload_kind() -> None:
    containers = "containers: [{name: c, image: x:1}]"
    bodies = {
        "Pod": f"spec: {{{containers}}}",
        "Deployment": f"spec: {{template: {{spec: {{{containers}}}}}}}",
        "StatefulSet": f"spec: {{template: {{spec: {{{containers}}}}}}}",
        "DaemonSet": f"spec: {{template: {{spec: {{{containers}}}}}}}",
        "ReplicaSet": f"spec: {{template: {{spec: {{{containers}}}}}}}",
        "Job": f"spec: {{template: {{spec: {{{containers}}}}}}}",
        "CronJob": f"spec: {{jobTemplate: {{spec: {{template: {{spec: {{{containers}}}}}}}}}}}",
    }
    for kind, body in bodies.items():
        m = parse_manifest("w.yaml", f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: w}}\n{body}\n")
        assert m is not None
        obj = m.objects[0]
        assert obj.is_workload
        assert [c.name for c in obj.containers()] == ["c"], kind
    svc = parse_manifest("s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    assert svc is not None and svc.objects[0].pod_spec() is None


def test_facts_survive_pickling_between_processes() -> None:
    m = parse_manifest("a.yaml", (FIXTURES / "kube" / "KUB101.yaml").read_text())
    back = pickle.loads(pickle.dumps(m))
    assert back == m
    assert back.objects[0].body.line == 2  # type: ignore[attr-defined]


def test_non_kubernetes_yaml_is_ignored_silently() -> None:
    assert parse_manifest("ci.yml", "on: push\njobs:\n  b:\n    steps:\n      - run: echo ${{ github.sha }}\n") is None
    assert parse_manifest("values.yaml", "replicaCount: 1\nimage:\n  repository: nginx\n") is None
    assert parse_manifest("broken.yaml", "a: [unclosed\n") is None  # broken, and not Kubernetes


def test_invalid_kubernetes_yaml_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match=r"invalid YAML: line \d+: did not find expected"):
        parse_manifest("bad.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [unclosed\n")


def test_billion_laughs_is_refused() -> None:
    # how quickly is measured in bench/containers_bench.py (no wall clock in a test)
    with pytest.raises(SourceError, match="alias expansion exceeds"):
        parse_manifest("bomb.yaml", BILLION_LAUGHS)


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="recursive alias"):
        list(load_documents("a: &x\n  b: *x\n"))


def test_ordinary_anchors_and_merge_keys_work() -> None:
    doc = next(load_documents("base: &b {cpu: 1, memory: 2}\nother:\n  <<: *b\n  cpu: 3\n"))
    assert doc.value["other"] == {"cpu": 3, "memory": 2}


def test_scalar_types_follow_yaml_1_1() -> None:
    doc = next(load_documents("a: yes\nb: 'yes'\nc: 010\nd: 0x1f\ne: 1.5\nf: ~\ng: 1e3\nh: 80:80\ni: TRUE\n"))
    assert doc.value == {
        "a": True,
        "b": "yes",
        "c": 8,
        "d": 31,
        "e": 1.5,
        "f": None,
        "g": "1e3",
        "h": "80:80",
        "i": True,
    }


def test_unrendered_helm_template_is_named() -> None:
    with pytest.raises(SourceError, match="Helm template, not rendered: render it with helm template"):
        parse_manifest("templates/deployment.yaml", HELM_TEMPLATE)
    # a template that happens to parse as YAML is still caught
    with pytest.raises(SourceError, match="Helm template, not rendered"):
        parse_manifest("t.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{{ .Release.Name }}\n")


def test_rendered_output_with_go_template_text_in_strings_is_fine() -> None:
    rule = (
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n"
        "    - rules:\n        - alert: Down\n          annotations:\n"
        "            summary: Instance {{ $labels.instance }} down\n"
        '            description: "{{ .Values.in.a.string }}"\n            runbook: |\n'
        "              {{- if eq 1 1 }} templated text in a block scalar {{ end }}\n"
    )
    m = parse_manifest("rule.yaml", rule)
    assert m is not None and m.objects[0].kind == "PrometheusRule"


def test_annotation_parsing() -> None:
    obj = KubeObject(
        "Deployment",
        "apps/v1",
        "a",
        "",
        {
            "metadata": {
                "annotations": {
                    "redline.dev/ignore": "kub140 = one replica by design , KUB113=,junk, KUB101=runs as nobody"
                }
            }
        },
        1,
    )
    assert obj.ignored() == {"KUB140": "one replica by design", "KUB101": "runs as nobody"}


def _big_manifest(path: Path, megabytes: int) -> None:
    """CRD-like objects (deep schemas, no workloads) and one Deployment at the very end."""
    props = {
        f"field{i}": {
            "type": "object",
            "description": "x" * 60,
            "properties": {f"sub{j}": {"type": "string", "description": "y" * 40} for j in range(8)},
        }
        for i in range(20)
    }
    crd = json.dumps(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"properties": props}}}]},
        }
    )
    with path.open("w") as fh:
        written = 0
        i = 0
        while written < megabytes * 1024 * 1024:
            doc = crd.replace(
                '"kind": "CustomResourceDefinition"',
                f'"kind": "CustomResourceDefinition", "metadata": {{"name": "crd{i}"}}',
            )
            fh.write(doc + "\n---\n")
            written += len(doc) + 5
            i += 1
        fh.write(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: last, namespace: big}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: app\n"
            "          image: acme/app:1.0\n          securityContext: {privileged: true}\n"
        )


def test_twenty_megabyte_manifest_skipped_by_default_and_parsed_with_a_raised_limit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _big_manifest(root / "crds.yaml", 20)
    out = tmp_path / "out1"
    main(["audit", str(root), "--out", str(out), "--quiet", "--select", "KUB102", "--exit-zero", "--format", "json"])
    report = json.loads((out / "findings.json").read_text())
    assert report["findings"] == []
    assert any(s["path"] == "crds.yaml" and "size limit" in s["reason"] for s in report["not_covered"])

    out = tmp_path / "out2"
    main(
        [
            "audit",
            str(root),
            "--out",
            str(out),
            "--quiet",
            "--select",
            "KUB102",
            "--exit-zero",
            "--format",
            "json",
            "--max-file-size",
            "25MB",
        ]
    )
    report = json.loads((out / "findings.json").read_text())
    assert [(f["rule"], f["location"]["resource"]) for f in report["findings"]] == [("KUB102", "Deployment/big/last")]
    # its parse time is measured in bench/containers_bench.py


def test_bad_manifests_are_reported_per_file_and_the_run_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "chart" / "templates").mkdir(parents=True)
    (root / "chart" / "templates" / "deployment.yaml").write_text(HELM_TEMPLATE)
    (root / "bomb.yaml").write_text(BILLION_LAUGHS)
    (root / "ok.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n"
        "  containers: [{name: c, image: x:1}]\n"
    )
    out = tmp_path / "out"
    code = main(["audit", str(root), "--out", str(out), "--quiet", "--select", "KUB108", "--format", "json"])
    report = json.loads((out / "findings.json").read_text())
    assert [f["location"]["resource"] for f in report["findings"]] == ["Pod/default/p"]
    errors = {e["where"]: e["reason"] for e in report["errors"]}
    assert "Helm template, not rendered: render it with helm template" in errors["chart/templates/deployment.yaml"]
    assert "alias expansion exceeds" in errors["bomb.yaml"]
    assert code == 1  # the HIGH finding trips the gate; parse errors are not fatal


def test_json_manifests_from_kubectl_are_read(tmp_path: Path) -> None:
    doc = json.dumps(
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "p", "namespace": "n"},
                    "spec": {"containers": [{"name": "c", "image": "x:1"}]},
                }
            ],
        },
        indent=2,
    )
    f = SourceFile("pods.json", str(tmp_path / "pods.json"), "json", len(doc))
    m = KubernetesSource().parse(FileText(f, doc.encode(), doc))
    assert m is not None and [o.resource for o in m.objects] == ["Pod/n/p"]
    assert m.objects[0].line == 5  # the line of its opening brace
    pkg = '{"name": "x", "kind": "lib", "apiVersion": 2}'
    assert (
        KubernetesSource().parse(FileText(SourceFile("package.json", "/dev/null", "json", 1), pkg.encode(), pkg))
        is None
    )


_HELM_RELEASE = (
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: konflate\nspec:\n"
    "  chart:\n    spec:\n      chart: app-template\n  values:\n    config:\n"
    "      publicUrl: https://{{ .Release.Name }}.turbo.ac\n"
)


def test_templates_in_a_helm_release_s_values_are_the_chart_s_not_this_file_s() -> None:
    """onedr0p/home-ops: a Flux HelmRelease whose values hold `{{ .Release.Name }}` for the chart's `tpl` is a
    manifest Flux applies as written; the same action in a ConfigMap beside it is an unrendered template."""
    manifest = parse_manifest("kubernetes/apps/konflate/helmrelease.yaml", _HELM_RELEASE)
    assert manifest is not None
    assert [(o.kind, o.name) for o in manifest.objects] == [("HelmRelease", "konflate")]
    both = _HELM_RELEASE + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{{ .Release.Name }}\n"
    with pytest.raises(SourceError, match=r"Helm template, not rendered: .* on line 16\)"):
        parse_manifest("kubernetes/apps/konflate/helmrelease.yaml", both)
