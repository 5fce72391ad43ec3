"""KUB112 judges Kubernetes env literals with the one placeholder list (core.placeholders)."""

from __future__ import annotations

from pathlib import Path

from .helpers import run as run_containers

CHOSEN = "Zr8vK2mQ9xLp4Tq7"

_POD = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: acme/app:1.0
          env:
            - name: API_KEY
              value: "{value}"
"""


def test_kubernetes_env_uses_the_shared_list(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text(_POD.format(name="real", value=CHOSEN))
    (tmp_path / "stand-in.yaml").write_text(_POD.format(name="stand-in", value="example-token-123"))
    hits = {
        f.location.path: (f.location.start_line, str(f.severity))
        for f in run_containers(tmp_path)
        if f.rule == "KUB112"
    }
    assert hits["real.yaml"][0] == 12 and hits["real.yaml"][1] != "low"
    assert hits["stand-in.yaml"] == (12, "low")  # a stand-in: reported low
    # Azure-Samples/aks-store-demo runs its queue with ORDER_QUEUE_PASSWORD "password" as written: the message
    # no longer assumes the value is replaced at deploy time
    [standin] = [f for f in run_containers(tmp_path) if f.rule == "KUB112" and f.location.path == "stand-in.yaml"]
    assert "if it is replaced at deploy time" in standin.message and "runs with the stand-in" in standin.message
