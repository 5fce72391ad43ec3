"""The one path classification (core.filekinds.context_kind) and the one context step
(core.context.lower_in_context) every family calls."""

from __future__ import annotations

import pytest

from redline.core.context import CONTEXT_TAG, lower_in_context
from redline.core.filekinds import context_kind, kind_of, looks_like_test_or_sample
from redline.core.model import Confidence, Finding, Location, Severity
from redline.core.result import GATE_EXEMPT_TAG


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("saleor/app/tests/cassettes/x.yaml", "test"),  # the first telling folder wins
        ("spec/cassettes/charge.yml", "test"),
        ("app/cassettes/charge.yml", "recorded test"),
        ("docs/requirements.txt", "docs"),
        ("README.md", "docs"),
        ("examples/complete/main.tf", "sample"),
        (".env.example", "sample"),
        ("saleor/core/utils/random_data.py", "sample"),  # demo data behind `manage.py populatedb`
        ("shop/management/commands/populatedb.py", "sample"),
        ("shop/core/utils/randomness.py", ""),  # a name that only starts alike
        ("src/loadgenerator/locustfile.py", "load generator"),
        (".devcontainer/docker-compose.yml", "development"),
        ("pkg/handler_test.go", "test"),
        ("e2e_tests/helpers.py", "test"),  # AzureTRE's end-to-end suite
        ("cypress/docker-compose.yml", "test"),  # umami: the app brought up for its end-to-end tests
        ("playwright/global-setup.ts", "test"),
        ("e2e_test/conftest.py", "test"),
        ("e2e_testing/notes.py", ""),  # a name that only starts alike
        (".github/ci/e2econfig/users.yaml", "test"),  # OctoPrint's end-to-end test instance
        ("tests/e2e-fixtures/seed.json", "test"),
        ("src/e2ee/keys.ts", ""),  # end-to-end encryption: the product
        ("src/server-dev.ts", "development"),  # unleash's development server entry
        ("webpack/dev.server.js", "development"),
        ("src/server.ts", ""),  # look-alikes: the deployed entry, and a name that only ends alike
        ("src/devserver-proxy.ts", ""),
        ("src/app-devices.ts", ""),
        ("e2e-configurator/main.go", ""),  # a folder that only starts alike
        ("_integration-test/custom-ca-roots/custom-ca-roots-test.py", "test"),  # getsentry/self-hosted
        ("_unit-test/create-docker-volumes-test.sh", "test"),
        ("src/__mocks__/api.ts", "test"),  # the underscores are part of Jest's own name
        ("charts/vap/templates/disallow-selinux/.chainsaw-test/pod-bad.yaml", "test"),  # wikimedia's Kyverno tests
        (".github/workflows/deploy.yml", ""),  # a leading dot alone makes nothing a test
        ("charts/datahub/values-dev.yaml", "dev/test configuration"),  # a Helm chart's development values
        ("charts/datahub/values-prod.yaml", ""),
        ("helm/dendrite/ci/ct-postgres-sharedsecret-values.yaml", "dev/test configuration"),  # chart-testing's
        ("helm/dendrite/ci/deploy.yaml", ""),
        ("sentry/integrations/slack/client.py", ""),  # integrations with other services are the product
        ("web/api.spec.ts", "test"),
        ("Dockerfile.debug", "container variant"),
        ("compose.override.yml", "container variant"),
        ("config/dev.exs", "dev/test configuration"),
        ("config/dev.yaml", "dev/test configuration"),
        ("settings/local_dev.py", "dev/test configuration"),  # wger's development settings
        ("scripts/test-environments/postgres/compose.yml", "test"),  # linkding's stacks to test against
        ("server/store/datastore/migration/test-files/postgres.sql", "test"),  # woodpecker's migration test data
        ("docker-compose.gitpod.yaml", "container variant"),  # a Gitpod workspace's services
        (".dredd/dredd.docker.yml", "test"),  # semaphore's Dredd API test harness
        ("playwright_tests/core/utilities.py", "test"),  # kitsune's Playwright suite
        ("playwright_testsuite_api/main.py", ""),  # a folder that only starts alike
        ("development/kubernetes/nautobot-deployment.yaml", "development"),  # nautobot's development stack
        ("development/nautobot_config.py", "development"),
        ("developments/app.py", ""),
        ("dev/k8s/manifests/api.yaml", "development"),  # unkey's local cluster
        ("web/apps/dashboard/dev/docker-compose.yaml", "development"),
        ("dev/rstuf/keys/root/root1", "development"),  # warehouse's development TUF keys
        ("devices/api.py", ""),  # a folder that only starts alike
        ("demo_api/main.go", "sample"),  # unkey's demo API
        ("apps/store-demo/index.ts", "sample"),
        ("democracy/views.py", ""),  # a word that only starts alike
        ("demodesk/config/settings.py", ""),  # run together: not told from a word
        ("deployment/docker/dredd/Dockerfile", "test"),
        ("packages/benchmarks/src/seed.ts", "load generator"),  # karakeep's benchmark harness
        ("packages/dreddful/main.go", ""),  # a folder that only starts alike
        ("src/benchmarking.py", ""),
        ("test-files-api/main.go", ""),  # a folder that only starts alike
        ("gitpod-compose/docker-compose.yml", ""),
        ("docker/devenv/files/selfsigned.key", "development"),  # penpot's development environment
        ("docker/devenv/docker-compose.main.yml", "development"),
        ("devenvironments/compose.yml", ""),  # a folder that only starts alike
        # look-alikes: production settings and a folder that only starts alike
        ("settings/local_production.py", ""),
        ("settings/main.py", ""),
        ("test-environment-docs/compose.yml", ""),
        # an API's OpenAPI/Swagger document (mailcow's data/web/api/openapi.yaml): its examples are made up
        ("data/web/api/openapi.yaml", "docs"),
        ("api.swagger.json", "docs"),
        ("swaggerui.yaml", ""),  # look-alikes: a name that only starts alike, and code generated from a spec
        ("openapi_generator.py", ""),
        # a CI job's image (baserow's .gitlab/ci_dind_image/), as Dockerfile.ci by its name; a CI folder's pipeline
        # file and a Dockerfile beside a folder that only starts alike are not
        (".gitlab/ci_dind_image/Dockerfile", "container variant"),
        (".github/actions/lint/Dockerfile", "container variant"),
        ("ci/images/builder.Dockerfile", "container variant"),
        (".gitlab/ci/build.yml", ""),
        ("cinema/Dockerfile", ""),
        ("unittests/scans/noseyparker/noseyparker_0_22_0.jsonl", "test"),  # DefectDojo's scanner reports
        ("unittest2/runner.py", ""),  # a folder that only starts alike
        # logto: the integration tests' compose file and image, and the Gitpod workspace
        ("docker-compose.integration.yml", "container variant"),
        ("Dockerfile.integration", "container variant"),
        (".gitpod.yml", "development"),
        ("tools/elastic/docker-compose.elastic-override.yml", "container variant"),  # awx's local ELK stack
        ("docker-compose.overrides-disabled.yml", ""),  # a name that only contains the word
        (".gitpod.Dockerfile", "development"),
        ("integration/docker-compose.yml", ""),  # a folder named so holds the deployed stack of an integration
        # a cookiecutter scaffold (baserow's plugin-boilerplate/{{ cookiecutter.project_slug }}/): rendered into a
        # new project, never deployed as it is
        ("plugin-boilerplate/{{ cookiecutter.project_slug }}/Dockerfile", "sample"),
        ("tpl/{%if cookiecutter.docker %}docker{% endif %}/compose.yml", "sample"),
        ("templates/deployment.yaml", ""),  # a Helm chart's templates are the deployment
        # Misago: the Django project its tests run and the one it is developed in; look-alikes start alike
        ("misago/core/testproject/urls.py", "test"),
        ("tests/test_app/models.py", "test"),
        ("devproject/settings.py", "development"),
        ("testapps/registry.py", ""),
        ("devprojects/manage.py", ""),
        # look-alikes: the shipped system
        ("src/app/settings.py", ""),
        ("Dockerfile", ""),
        ("docker-compose.yml", ""),
        ("config/production.yaml", ""),
        ("src/contest/main.py", ""),
        ("latest/app.py", ""),
        ("", ""),
        # spelt with empty or "." parts, absolute, or ending in "/": read as PurePosixPath reads them
        ("./tests/app.py", "test"),
        ("src//tests/app.py", "test"),
        ("/srv/tests/app.py", "test"),
        ("src/./docs/conf.py", "docs"),
        ("tests/", ""),
        (".gitlab/ci_image/Dockerfile", "container variant"),
        ("deploy/Dockerfile", ""),
        # Storybook stories (unleash's TokenExplanation.story.tsx); a component named Story is the app's
        ("frontend/src/component/TokenExplanation.story.tsx", "sample"),
        ("src/Button.stories.jsx", "sample"),
        ("src/components/Story.tsx", ""),
        ("src/history.ts", ""),
    ],
)
def test_one_classification_with_its_kind(path: str, kind: str) -> None:
    assert context_kind(path) == kind
    assert looks_like_test_or_sample(path) is bool(kind)


def _finding(path: str, severity: Severity = Severity.HIGH, confidence: Confidence = Confidence.HIGH) -> Finding:
    return Finding(rule="X101", message="m", severity=severity, confidence=confidence, location=Location(path, 3, 3))


def test_the_context_step_keeps_lowers_tags_and_exempts() -> None:
    f = lower_in_context(_finding("docs/setup.md"))
    assert (f.severity, f.confidence, f.location.start_line) == (Severity.LOW, Confidence.MEDIUM, 3)
    assert {CONTEXT_TAG, GATE_EXEMPT_TAG} <= set(f.tags) and f.evidence.text("context") == "docs file"
    assert lower_in_context(f) is f  # twice changes nothing
    info = lower_in_context(_finding("tests/a.py", Severity.INFO, Confidence.LOW))
    assert (info.severity, info.confidence) == (Severity.INFO, Confidence.LOW)  # never raised, never below LOW
    gating = lower_in_context(_finding("tests/a.py"), "why", gate=True, confidence_lowered=True)
    assert GATE_EXEMPT_TAG not in gating.tags and gating.confidence == Confidence.HIGH
    assert gating.evidence.text("context") == "why"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("docker-compose-enterprise.yml", "compose"),  # unleash
        ("docker-compose-upgrade-db.yml", "compose"),  # bookwyrm
        ("compose-edge.yaml", "compose"),
        ("docker-compose.prod.yml", "compose"),
        ("my-compose-x.yml", "yaml"),  # a YAML file that only mentions compose
    ],
)
def test_compose_variants_named_with_a_hyphen_are_compose_files(name: str, kind: str) -> None:
    """The compose source reads ``docker-compose-<variant>.yml`` already; its kind says so to every other reader (the
    secrets scan's development-compose test)."""
    assert kind_of(name) == kind
