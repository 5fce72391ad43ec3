"""Tell what kind of file a path is, from its name alone (content is never executed)."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from redline.core.lazy_regex import lazy

_BY_NAME = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "docker-compose.yml": "compose",
    "docker-compose.yaml": "compose",
    "compose.yml": "compose",
    "compose.yaml": "compose",
    "docker_compose.yml": "compose",
    "docker_compose.yaml": "compose",
    "docker-stack.yml": "compose",
    "docker-stack.yaml": "compose",
    "makefile": "makefile",
    ".env": "dotenv",
    ".npmrc": "credentials-config",
    ".pypirc": "credentials-config",
    ".netrc": "credentials-config",
    ".git-credentials": "credentials-config",
    "package.json": "package-manifest",
    "package-lock.json": "lockfile",
    "npm-shrinkwrap.json": "lockfile",
    "yarn.lock": "lockfile",
    "pnpm-lock.yaml": "lockfile",
    "bun.lock": "lockfile",
    "poetry.lock": "lockfile",
    "pipfile.lock": "lockfile",
    "uv.lock": "lockfile",
    "pdm.lock": "lockfile",
    "pylock.toml": "lockfile",
    "pyproject.toml": "package-manifest",
    "go.mod": "package-manifest",
    "go.sum": "lockfile",
    "cargo.lock": "lockfile",
    "gemfile.lock": "lockfile",
    "composer.lock": "lockfile",
    "pom.xml": "package-manifest",
    "gradle.lockfile": "lockfile",
    "buildscript-gradle.lockfile": "lockfile",
    "packages.lock.json": "lockfile",
    "gems.locked": "lockfile",
    "mix.lock": "lockfile",
}

_BY_GLOB = (
    ("*.dockerfile", "dockerfile"),
    ("dockerfile.*", "dockerfile"),
    ("docker-compose.*.yml", "compose"),
    ("docker-compose.*.yaml", "compose"),
    ("compose.*.yml", "compose"),
    ("compose.*.yaml", "compose"),
    ("docker_compose.*.yml", "compose"),
    ("docker_compose.*.yaml", "compose"),
    ("docker-stack.*.yml", "compose"),
    ("docker-stack.*.yaml", "compose"),
    # a variant named with a hyphen (bookwyrm's docker-compose-upgrade-db.yml, unleash's docker-compose-enterprise.yml):
    # the compose source reads them already (its ``_COMPOSE_NAME_RE``); the kind says so to every other reader
    ("docker-compose-*.yml", "compose"),
    ("docker-compose-*.yaml", "compose"),
    ("compose-*.yml", "compose"),
    ("compose-*.yaml", "compose"),
    (".env.*", "dotenv"),
    ("*.env", "dotenv"),
    ("requirements*.txt", "package-manifest"),
    ("pylock.*.toml", "lockfile"),
    ("*.tfplan.json", "terraform-plan"),
    ("*.tf.json", "terraform"),
    ("*.csproj", "package-manifest"),
    ("*.fsproj", "package-manifest"),
    ("*.vbproj", "package-manifest"),
)

_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".tf": "terraform",
    ".tfvars": "terraform-vars",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".md": "markdown",
    ".rst": "text",
    ".txt": "text",
    ".sh": "shell",
    ".go": "go",
    ".java": "java",
    ".rb": "ruby",
    ".php": "php",
    ".rs": "rust",
    ".cs": "csharp",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".xml": "xml",
    ".sql": "sql",
    ".pem": "key",
    ".key": "key",
    ".ppk": "key",
}


#: the globs as one expression: a file is matched once, not once per glob (the first glob that matches wins)
_GLOB_RE = re.compile("|".join(f"(?P<g{i}>{fnmatch.translate(pattern)})" for i, (pattern, _) in enumerate(_BY_GLOB)))


def kind_of(relpath: str) -> str:
    name = relpath.rsplit("/", 1)[-1].lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    glob = _GLOB_RE.match(name)
    if glob is not None and glob.lastgroup is not None:
        return _BY_GLOB[int(glob.lastgroup[1:])][1]
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # PurePosixPath.suffix: ".env" has none
    return _BY_SUFFIX.get(suffix, "other")


#: the one list of folders whose files are not the shipped system, by what they are (the kind is what a lowered
#: finding's evidence says). Reviewed as one list: each entry is a folder name that means the same thing in
#: every ecosystem; a name that is also a real source folder somewhere (``spec`` for OpenAPI specs) errs to
#: lowering, which keeps the finding, never drops it.
_CONTEXT_DIRS: dict[str, str] = {
    **dict.fromkeys(
        (
            "test",
            "tests",
            "testing",
            "testdata",
            "test_data",
            "spec",
            "specs",
            "__tests__",
            "e2e",
            "e2e-tests",
            "e2e_tests",
            "e2e-test",
            "e2e_test",
            # the end-to-end test runners' own folders (umami's cypress/docker-compose.yml brings up the app to test)
            "cypress",
            "playwright",
            # a runner's suite named after it (kitsune's playwright_tests/core/utilities.py drives the test users)
            "playwright_tests",
            "playwright-tests",
            "cypress_tests",
            "cypress-tests",
            "selenium_tests",
            "selenium-tests",
            "integration-tests",
            "integration_tests",
            "integration-test",
            "integration_test",
            "unit-tests",
            "unit_tests",
            "unit-test",
            "unit_test",
            # one word (DefectDojo's unittests/scans/: other scanners' reports, full of planted credentials)
            "unittests",
            "unittest",
            "integrationtests",
            # Kyverno Chainsaw's test folders (wikimedia/operations-deployment-charts: .chainsaw-test/pod-bad.yaml,
            # the pods an admission policy must refuse)
            "chainsaw-test",
            "chainsaw-tests",
            "testutils",
            "test_utils",
            "test-utils",
            "test_tools",
            "test-tools",
            "fixtures",
            "fixture",
            "__fixtures__",
            "mock",
            "mocks",
            "stubs",
            # Jest's manual mocks and a project's own stubs beside the code (remark42's app/__stubs__/jwt.ts)
            "__mocks__",
            "__stubs__",
            # the stacks a project brings up to test against (linkding's scripts/test-environments/postgres/)
            "test-environments",
            "test_environments",
            # the data files a test suite reads (woodpecker's migration/test-files/postgres.sql database dump)
            "test-files",
            "test_files",
            # Dredd's API test harness (semaphore's .dredd/: its hooks seed the token its dredd.*.yml sends)
            "dredd",
            # the Django project or app a package's test suite runs (Misago's misago/core/testproject/urls.py: the
            # views its tests request, a POST /test-require-post/ among them)
            "testproject",
            "test_project",
            "test-project",
            "testapp",
            "test_app",
        ),
        "test",
    ),
    # recorded HTTP interactions (VCR, betamax, nock, Polly.JS): replayed in tests, never live
    **dict.fromkeys(
        (
            "cassettes",
            "vcr_cassettes",
            "fixtures_vcr",
            "__recordings__",
            "recordings",
            "betamax",
            "__nock-fixtures__",
            "nock-fixtures",
            "nock_fixtures",
        ),
        "recorded test",
    ),
    # load generators: they drive the system, they are not part of it
    **dict.fromkeys(
        (
            "loadgenerator",
            "load-generator",
            "loadgen",
            "loadtest",
            "loadtests",
            "load-test",
            "load-tests",
            "locust",
            # a benchmark harness that seeds and drives a copy of the system (karakeep's packages/benchmarks/)
            "benchmark",
            "benchmarks",
        ),
        "load generator",
    ),
    **dict.fromkeys(("docs", "doc", "documentation"), "docs"),
    **dict.fromkeys(("example", "examples", "sample", "samples", "demo", "demos"), "sample"),
    # development containers: a laptop's environment, not a deployment
    ".devcontainer": "development",
    # a development environment's own folder (penpot's docker/devenv/: the privileged workspace container, its
    # self-signed localhost key and the local MinIO's credentials)
    **dict.fromkeys(("devenv", "dev-env", "dev_env"), "development"),
    # a project's development stack (nautobot's development/: dev.env, docker-compose.*.yml, kubernetes/ for kind,
    # the nautobot_config.py those load), also as dev/ (unkey's dev/: its Tiltfile, the local cluster's manifests
    # and Dockerfiles; warehouse's dev/environment and development TUF keys; oncall's kind and helm-local values;
    # requarks/wiki's dev/containers)
    "development": "development",
    "dev": "development",
    # the Django project a reusable app is developed in (Misago's devproject/settings.py: "Quick-start development
    # settings - unsuitable for production", its SECRET_KEY literal and DEBUG = True)
    **dict.fromkeys(("devproject", "dev_project", "dev-project"), "development"),
}
_SAMPLE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist")
_DOC_SUFFIXES = (".md", ".rst", ".adoc", ".ipynb")
#: an OpenAPI or Swagger document (mailcow's ``data/web/api/openapi.yaml``): an API's documentation, its request and
#: response examples made up for the reader
_API_DOCUMENT = lazy(r"^(?:[\w.-]*[-_.])?(?:openapi|swagger)(?:[-_.][\w.-]*)?\.(?:ya?ml|json)$")
#: request collections of the JetBrains HTTP client, VS Code's REST Client, Postman and Bruno (remark42's
#: ``backend/remark.rest``, mall's ``document/postman/*.postman_collection.json``): a developer's requests against a
#: local server, with the tokens of a development secret
_REQUEST_COLLECTION_SUFFIXES = (".http", ".rest", ".postman_collection.json", ".bru")
#: a cloud development workspace's definition (logto's ``.gitpod.yml``: ``DB_URL: postgres://postgres:p0stgr3s@127.0.0.1``)
_WORKSPACE_FILES = frozenset({".gitpod.yml", ".gitpod.yaml", ".gitpod.dockerfile"})
_TEST_NAME = lazy(
    r"(?i)^test_.*\.py$|_test\.(py|go|rb|rs)$|\.(test|spec)\.[jt]sx?$|Tests?\.(java|cs|kt)$|^conftest\.py$|fixture|mock"
)
#: file names of samples, fakes and demo-data generators (saleor's ``core/utils/random_data.py`` behind ``populatedb``),
#: and Storybook stories: components shown with made-up props, built apart from the app (unleash's
#: ``TokenExplanation.story.tsx`` passes a made-up API token)
_SAMPLE_NAME = lazy(
    r"(?i)sample|example|dummy|fake|random_data|demo_?data|populate_?db|\.stor(?:y|ies)\.(?:[jt]sx?|mdx|vue|svelte)$"
)
#: container build and deployment files for tests, development (a Gitpod workspace's ``docker-compose.gitpod.yaml``),
#: debugging and CI (and ``compose.override.yml``,
#: which `docker compose up` adds on a developer's machine; deployments name their files with ``-f``):
#: ``Dockerfile.dev``, ``dev.Dockerfile``, ``docker-compose.ci.yml``, ``compose.test.yaml``, ``app.test.yml``
_CONTAINER_VARIANT = lazy(
    r"(?i)^(?:(?:dockerfile|containerfile)[._-](?:dev|develop|development|test|tests|debug|e2e|ci|local|cypress|"
    r"playwright|selenium|loadtest|k6|locust|integration)(?:\..*)?"
    r"|(?:dev|test|debug|e2e|ci|local|integration)[._-](?:dockerfile|containerfile)"
    r"|(?:docker[-_])?compose[._-](?:dev|develop|development|test|tests|debug|e2e|ci|local|override|cypress|playwright"
    r"|selenium|gitpod|integration)(?:[._-][\w.-]*)?"
    r"\.ya?ml|.*\.(?:test|e2e|ci)\.ya?ml"
    # an override named for what it adds (awx's tools/elastic/docker-compose.elastic-override.yml)
    r"|(?:docker[-_])?compose[._-][\w.-]*[._-]override\.ya?ml)$"
)
# dev/test configuration of frameworks: Phoenix/Elixir config/dev.exs and test.exs, Django settings/dev.py,
# Rails config/environments/test.rb, *.test.yml, application-test.yml, config/dev.yaml (values meant for a laptop
# or CI)
_DEV_TEST_CONFIG = lazy(
    r"(?i)(?:^|/)config/(?:dev|test)\.exs$"
    # a settings module named by development words alone (settings/dev.py, wger's settings/local_dev.py)
    r"|(?:^|/)settings/(?:dev|development|local|test|testing|ci)(?:_(?:dev|development|local|test|testing|ci))?\.py$"
    r"|(?:^|/)settings_(?:dev|test|local)\.py$|(?:^|/)config/environments/(?:development|test)\.rb$"
    # a Helm chart's values for a development or test install (wikimedia's charts/datahub/values-dev.yaml)
    r"|(?:^|/)values[-.](?:dev|development|local|test|testing|ci)\.ya?ml$"
    # chart-testing's install values, in a chart's ci/ folder (dendrite's helm/dendrite/ci/ct-postgres-values.yaml)
    r"|(?:^|/)ci/[^/]*values\.ya?ml$"
    r"|\.(?:test|testing|dev)\.ya?ml$|(?:^|/)application-(?:test|dev|local)\.(?:ya?ml|properties)$"
    r"|(?:^|/)config/(?:dev|development|test|testing|local)\.(?:ya?ml|json|toml|ini)$"
    r"|(?:^|/)appsettings\.Development\.json$"
    # the test run's environment, committed on purpose (outline's .env.test: SECRET_KEY=F0E5…, tokens "test-token-123")
    r"|(?:^|/)\.env\.(?:test|testing|ci|e2e)$"
)


@functools.lru_cache(maxsize=1 << 16)  # asked of each module by many project checks (≈20,000 times on Django)
def context_kind(relpath: str) -> str:
    """What a file outside the shipped system is ("test", "docs", "sample", "development", "load generator",
    "recorded test", "container variant", "dev/test configuration"), or "" for everything else. The one
    classification every family lowers by (``core.context``); findings there are real but matter less."""
    if not relpath:
        return ""
    # the parts as PurePosixPath has them (no empty or "." part), split by hand: a third of the time on Django
    *folders, base = [part for part in relpath.split("/") if part not in ("", ".")] or [""]
    for part in folders:
        kind = _dir_kind(part)
        if kind:
            return kind
    name = base.lower()
    if name.endswith(_DOC_SUFFIXES) or _API_DOCUMENT.search(name):
        return "docs"
    if name.endswith(_REQUEST_COLLECTION_SUFFIXES) or name in _WORKSPACE_FILES or _DEV_SERVER_ENTRY.match(name):
        return "development"
    if name.endswith(_SAMPLE_SUFFIXES) or _SAMPLE_NAME.search(base):
        return "sample"
    if _TEST_NAME.search(base):
        return "test"
    if _CONTAINER_VARIANT.match(name) or _ci_image(folders, base):
        return "container variant"
    if _DEV_TEST_CONFIG.search(relpath):
        return "dev/test configuration"
    return ""


#: folders of CI configuration: a Dockerfile there builds the image a pipeline's jobs run in (baserow's
#: ``.gitlab/ci_dind_image/Dockerfile``), as ``Dockerfile.ci`` does by its name
_CI_FOLDERS = frozenset({".gitlab", ".github", ".circleci", ".buildkite", "ci", ".ci"})


def _ci_image(folders: list[str], name: str) -> bool:
    """A file the Dockerfile source reads (``kind_of``), in a CI folder."""
    return kind_of(name) == "dockerfile" and not _CI_FOLDERS.isdisjoint(part.lower() for part in folders)


def context_folder(relpath: str) -> str:
    """The folder that makes ``relpath`` a test, docs, sample or development file (``saleor/app/tests/``,
    ``.devcontainer/``), else the file itself (``config/dev.yaml``, ``compose.override.yml``, a settings file
    holding a local-development default): where a reader looks for a group of such findings."""
    p = PurePosixPath(relpath)
    for i, part in enumerate(p.parts[:-1]):
        if _dir_kind(part):
            return "/".join(p.parts[: i + 1]) + "/"
    return relpath


#: a folder named by a template variable (cookiecutter's and copier's ``{{ cookiecutter.project_slug }}``): the
#: scaffold a tool renders into a new project, not a deployed system (baserow's ``plugin-boilerplate/``)
_TEMPLATE_FOLDER = lazy(r"\{\{.*\}\}|\{%.*%\}")
#: a folder named for a demo of something (unkey's demo_api/: a demo API with /env and /v1/debug routes)
_DEMO_FOLDER = lazy(r"(?i)^(?:demos?[-_][a-z0-9]+|[a-z0-9]+[-_]demos?)$")
#: a JavaScript/TypeScript server entry named for development (unleash's ``src/server-dev.ts``, run by its ``dev:*``
#: scripts with a hard-coded admin token; a webpack ``dev.server.js``): the deployed entry is the other one
_DEV_SERVER_ENTRY = lazy(r"^(?:(?:server|app|index|main)[-_.]dev|dev[-_.]server)\.[cm]?[jt]sx?$")
#: the end-to-end suite's configuration, data or helpers (OctoPrint's .github/ci/e2econfig/users.yaml: the test
#: instance's admin and API key); ``e2ee`` (end-to-end encryption) is the product
_E2E_FOLDER = lazy(r"(?i)^e2e[-_]?(?:configs?|data|env|fixtures?|setup|suite|utils|helpers|support)$")


@functools.lru_cache(maxsize=1 << 12)  # a tree has few folder names, each asked of every file below it
def _dir_kind(folder: str) -> str:
    """The context a folder name gives, also behind leading underscores or dots (getsentry/self-hosted's
    ``_integration-test/``, Chainsaw's ``.chainsaw-test/``: named to sort first or to hide, not to be shipped)."""
    low = folder.lower()
    if _TEMPLATE_FOLDER.search(folder) or _DEMO_FOLDER.match(folder):
        return "sample"
    if _E2E_FOLDER.match(folder):
        return "test"
    return _CONTEXT_DIRS.get(low) or _CONTEXT_DIRS.get(low.lstrip("_."), "")


def looks_like_test_or_sample(relpath: str) -> bool:
    """Tests, fixtures, documentation and files named like samples: findings there are real but
    matter less (lower confidence, and for some rules lower severity), never dropped."""
    return bool(context_kind(relpath))


#: semgrep's test annotations (``# ruleid: no-requests-lib``, ``// ok: rule-id``), which mark a file as the
#: test target of a linter rule: the flagged pattern is there on purpose
_LINTER_ANNOTATION = lazy(r"^\s*(?:#|//|--|/\*)\s*(?:ruleid|todoruleid|ok|todook|deepok|deepruleid):\s*[\w./-]+")


def linter_rule_fixture(lines: Iterable[str]) -> bool:
    """A file written to test a linter rule (semgrep ``ruleid:``/``ok:`` annotations): code rules skip it."""
    return any(_LINTER_ANNOTATION.match(line) for line in lines)


#: GitLab CI: ``.gitlab-ci.yml``, and the files it includes, named ``*.gitlab-ci.yml`` or kept in ``.gitlab/ci/``
_GITLAB_CI = r"(?:^|/)(?:[^/]*\.)?gitlab-ci\.ya?ml$|(?:^|/)\.gitlab/ci/[^/]+\.ya?ml$"
GITLAB_CI = lazy(_GITLAB_CI)
_CI_PIPELINE = (
    r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$|" + _GITLAB_CI + r"|(?:^|/)\.circleci/[^/]+\.ya?ml$"
    r"|(?:^|/)azure-pipelines[^/]*\.ya?ml$|(?:^|/)bitbucket-pipelines\.ya?ml$|(?:^|/)\.(?:woodpecker|drone)\.ya?ml$"
    # Jenkins pipelines (a Jenkinsfile, or the Groovy of a Jenkinsfiles/ folder) and Travis
    r"|(?:^|/)Jenkinsfile[^/]*$|(?:^|/)Jenkinsfiles/[^/]+$|(?:^|/)\.travis\.ya?ml$"
)
#: CI pipeline definitions: GitHub Actions, GitLab CI, CircleCI, Azure Pipelines, Bitbucket, Woodpecker/Drone,
#: Jenkins, Travis
CI_PIPELINE = lazy(_CI_PIPELINE)
#: a pipeline definition or a script those pipelines run: a CI folder's files (`ci/`, `.ci/`, `.github/scripts/`,
#: `.github/workflows/*/`, `.buildkite/`) and a script named for CI in a scripts folder (kuma's `scripts/ci-python`,
#: `bin/run_ci.sh`)
CI_FILE = lazy(
    _CI_PIPELINE + r"|(?:^|/)(?:ci|\.ci|\.github/scripts|\.buildkite|\.gitlab/ci)/[^/]+$"
    # the scripts a workflow runs, kept beside it (the Pulp plugin template's .github/workflows/scripts/)
    r"|(?:^|/)\.github/workflows/(?:[^/]+/)+[^/]+$"
    r"|(?:^|/)(?:scripts?|bin|tools|hack)/(?:ci[-_.][^/]*|[^/]*[-_]ci(?:\.[A-Za-z]{1,4})?)$"
)
