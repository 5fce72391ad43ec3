"""What ``redline init`` writes: configuration, CI jobs and a pull-request template, as text.

Kept as strings (not package data files) so an installed wheel always has them; each is checked by
the tests (the TOML loads as a redline configuration, the YAML parses).
"""

from __future__ import annotations

REDLINE_TOML = """\
# redline configuration (redline's README, "Configuration"). Every key is optional; the
# commented values are the defaults.

# select = []                      # rule codes or prefixes; empty = every rule
# ignore = []
# exclude = ["vendor/"]            # gitignore-style, on top of .gitignore
# fail_on = "high"                 # the severity gate of `redline audit`

[history]                          # every recorded run: `redline audit --record`, `redline history`
# store = ".redline/history.db"    # or a SQLAlchemy URL shared by the team: "postgresql://redline@db/redline"
# record = true                    # default: record when `store` is set
# sla_days = { critical = 7, high = 30, medium = 90, low = 180 }
# budgets = { open_high = 10, sla_breaches = 0 }   # forecasts warn when a metric will cross these

[policy]                           # `redline gate`
# new_findings = "high"            # new items at or above this fail (or "off")
# against = "baseline"             # or "main": the last run recorded on main_branch
# main_branch = "main"
# kev = true                       # any CISA KEV-listed vulnerability fails
# drift = true                     # Terraform drift fails
# max_sla_breaches = 0             # open items past their SLA allowed (-1 = off)
# latency_tolerance = 0.10         # a route's p95 over its [slo] objective by more fails (-1 = off)
# cost_tolerance = 0.05            # cost per request over the baseline month's by more fails (-1 = off)
# cost_baseline_period = "2026-09" # the month cost per request is compared with
# audit_fail_on = ["latency-budget", "cost-budget"]   # `redline audit` fails on these too

[scoring]                          # priority = user impact x exploitability x cost of delay (1-5 each)
# severity_delay = { critical = 5, high = 4, medium = 3, low = 2, info = 1 }
# first_among_equals = ["RES", "CWE-306", "CWE-862", "CWE-863", "CWE-285"]

[plan]                             # the 30/60/90 plan (plan.md)
# firebreak_min_priority = 27
# effort = { RES101 = "small", TF = "medium" }

# [slo."POST /checkout"]           # performance budget of a route (with trace exports)
# p95_ms = 300
"""

GITHUB_WORKFLOW = """\
# redline: audit every pull request and main; findings in code scanning, summary.md on the run page.
name: redline
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write   # upload SARIF to code scanning
env:
  REDLINE_PIP_SPEC: redline   # where your team installs redline from (a pinned version or wheel URL)
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "$REDLINE_PIP_SPEC"
      - name: Audit
        run: redline audit . --out redline-report --exit-zero
      - name: Summary
        if: always()
        run: cat redline-report/summary.md >> "$GITHUB_STEP_SUMMARY"
      - name: Upload SARIF
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: redline-report/findings.sarif
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: redline-report
          path: redline-report/
      - name: Gate
        run: redline gate . --junit redline-report/gate.xml
"""

GITLAB_JOB = """\
# redline: include from .gitlab-ci.yml with
#   include:
#     - local: .gitlab/redline.gitlab-ci.yml
redline:
  stage: test
  image: python:3.12
  variables:
    REDLINE_PIP_SPEC: redline   # where your team installs redline from
  script:
    - pip install "$REDLINE_PIP_SPEC"
    - redline audit . --out redline-report --exit-zero
    - redline gate . --junit redline-report/gate.xml
  artifacts:
    when: always
    paths:
      - redline-report/
    reports:
      junit: redline-report/gate.xml
"""

PR_TEMPLATE = """\
## What and why

## Performance budget
<!-- Routes or jobs this touches, their p95 budget, and how you checked it (trace export, load test).
     "No hot path touched" is an answer. -->

## Threat notes
<!-- New entry points, data stores, secrets, permissions or third parties; who can reach them and
     what stops misuse. "None" is an answer. -->

## Test-data volume
<!-- The largest data set this was tested with (rows, requests, tenants) next to production's. -->

## redline
<!-- The job summary lists new findings; explain any you accept (and baseline them). -->
"""

#: (path relative to the project, content, what it is)
FILES: tuple[tuple[str, str, str], ...] = (
    ("redline.toml", REDLINE_TOML, "configuration with budgets and SLA defaults"),
    (".github/workflows/redline.yml", GITHUB_WORKFLOW, "GitHub Actions: audit, SARIF upload, job summary, gate"),
    (".gitlab/redline.gitlab-ci.yml", GITLAB_JOB, "GitLab CI job (include it from .gitlab-ci.yml)"),
    (".github/pull_request_template.md", PR_TEMPLATE, "pull-request template"),
)
