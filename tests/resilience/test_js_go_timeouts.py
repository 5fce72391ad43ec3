"""RES200-RES212 through a real run (tree-sitter code index): JS fetch/axios and Go http/gRPC clients with no
time limit fire at the exact line; the look-alikes (a signal, a timeout set in the literal, on the instance
afterwards or process-wide, options the index cannot see, browser modules, deadline contexts) stay quiet."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.resilience.go_timeouts import GoTimeoutCheck
from redline.checks.resilience.js_timeouts import JsTimeoutCheck
from redline.core.model import Finding
from redline.sources.code.treesitter.index import index_tree_sitter

FIXTURES = Path(__file__).parent / "fixtures"


def _run(root: Path) -> list[Finding]:
    found: list[Finding] = findings_of(root, JsTimeoutCheck(), GoTimeoutCheck())
    return found


def test_js_and_go_calls_without_a_time_limit_fire_at_their_lines() -> None:
    findings = _run(FIXTURES / "js_go_timeouts")
    assert [(f.rule, f.location.path, f.location.start_line) for f in findings] == [
        ("RES210", "gosvc/client.go", 13),  # package-level &http.Client{}
        ("RES211", "gosvc/client.go", 27),  # http.Get
        ("RES211", "gosvc/client.go", 31),  # http.DefaultClient.Do
        ("RES212", "gosvc/client.go", 39),  # DialContext(context.Background(), ..., WithBlock())
        ("RES212", "gosvc/client.go", 51),  # Dial(..., WithBlock()) without WithTimeout
        ("RES210", "gosvc/client.go", 55),  # c.Timeout is set in another function (buildLater)
        ("RES211", "gosvc/plugins.go", 18),  # a request on context.Background(); line 13's ctx is the caller's
        ("RES200", "svc/client.js", 5),  # node-fetch, no init
        ("RES200", "svc/client.js", 10),  # init without signal
        ("RES201", "svc/client.js", 25),  # axios.create without timeout
        ("RES201", "svc/client.js", 27),  # timeout: 0
        ("RES201", "svc/client.js", 32),  # axios.get, no config
        ("RES201", "svc/client.js", 34),  # axios.post, config absent (third argument)
        ("RES201", "svc/client.js", 35),  # axios(config) without timeout
        ("RES201", "svc/lib/http.js", 3),  # exported instance; shop_client/src/api.js is front-end code
    ]
    by_line = {(f.location.path, f.location.start_line): f for f in findings}
    assert by_line[("svc/client.js", 27)].message == (
        "axios instance `disabled` sets timeout: 0 (no limit): axios then waits without limit"
    )
    assert "AbortSignal.timeout" in by_line[("svc/client.js", 5)].remediation
    assert (
        by_line[("gosvc/client.go", 13)].message == "http.Client `bare` has no Timeout: its requests wait without limit"
    )
    assert all(f.remediation for f in findings)
    assert by_line[("svc/lib/http.js", 3)].message.startswith("axios instance (default export) sets no timeout")
    assert ("gosvc/client.go", 16) not in by_line  # a custom Transport (streaming clients): not judged


def test_a_process_wide_axios_default_quiets_direct_calls_but_not_a_zero_instance() -> None:
    findings = _run(FIXTURES / "js_axios_defaults")
    assert [(f.rule, f.location.path, f.location.start_line) for f in findings] == [("RES201", "orders.js", 7)]


def test_the_index_keeps_attribute_writes_and_struct_literals() -> None:
    go = index_tree_sitter(
        "c.go",
        b'package c\n\nimport "net/http"\n\nfunc f() {\n\tc := &http.Client{Transport: nil}\n\tc.Timeout = 1\n}\n',
        "go",
    )
    assert go.writes == (("f", "c.Timeout", 7),)
    [literal] = go.composites
    assert (literal.target, literal.line, literal.function, literal.keys, literal.assigned_to) == (
        "net/http.Client",
        6,
        "f",
        ("Transport",),
        "c",
    )
    js = index_tree_sitter("a.js", b"axios.defaults.timeout = 5;\nfetch(u, {...o, a: 1});\n", "javascript")
    assert js.writes == (("", "axios.defaults.timeout", 1),)
    assert js.calls[0].args[1].items == ("...o", "a=1")


def test_a_helper_only_browser_code_imports_is_browser_code() -> None:
    """umami's lib/fetch.ts: imported (through the `@/` alias) only by React hooks, so its fetch runs in the
    browser; a module it alone imports is too, and a test importing it changes nothing. A helper an API route
    also imports, and one nothing imports, keep RES200 at their lines."""
    findings = _run(FIXTURES / "js_browser_helpers")
    assert [(f.rule, f.location.path, f.location.start_line) for f in findings] == [
        ("RES200", "src/lib/orphan.ts", 3),
        ("RES200", "src/lib/shared.ts", 3),
    ]


def test_a_bundler_config_runs_in_the_dev_server_not_per_request(tmp_path: Path) -> None:
    """Azure-Samples/aks-store-demo mocks its API in Vite's dev server: ``fetch`` inside ``configureServer`` of
    src/store-admin/vite.config.ts (RES200 x8 there). A bundler's config never runs per request; a server module
    and a config-looking name that is no bundler's (``app.config.ts``) keep RES200 at their lines."""
    fetch_call = "export async function load(url: string) {\n  return fetch(url)\n}\n"
    vite = (
        "import { defineConfig } from 'vite'\nexport default defineConfig({\n  plugins: [{\n"
        "    configureServer(server: any) {\n      server.middlewares.use('/api', () => fetch('http://svc/x'))\n"
        "    },\n  }],\n})\n"
    )
    for rel, text in {
        "src/store-admin/vite.config.ts": vite,
        "src/site/webpack.prod.config.js": "module.exports = async () => { await fetch('http://cdn/x') }\n",
        "src/api/server.ts": fetch_call,
        "src/api/app.config.ts": fetch_call,
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = sorted((f.rule, f.location.path, f.location.start_line) for f in _run(tmp_path))
    assert found == [("RES200", "src/api/app.config.ts", 2), ("RES200", "src/api/server.ts", 2)]


def test_browser_helpers_that_import_each_other_through_a_path_alias_are_browser_code(tmp_path: Path) -> None:
    """redash's client/app/services/axios.js (RES201) and services/auth.js import each other, and only browser code
    imports either from outside, through tsconfig's ``@/*`` -> ``./app/*`` (a second ``lib/utils`` elsewhere makes a
    suffix guess ambiguous). Server helpers that import each other, reached from a server entry point, still fire."""
    files = {
        "client/tsconfig.json": '{"compilerOptions": {"baseUrl": "./", "paths": {"@/*": ["./app/*"]}}}\n',
        "client/app/services/axios.js": (
            'import axiosLib from "axios";\nimport { Auth } from "@/services/auth";\n'
            "export const axios = axiosLib.create({});\nexport const who = () => Auth;\n"
        ),
        "client/app/services/auth.js": 'import { axios } from "@/services/axios";\nexport const Auth = { axios };\n',
        "client/app/lib/utils.js": 'import { Auth } from "@/services/auth";\nexport const user = () => Auth;\n',
        "client/app/pages/Home.jsx": 'import { user } from "@/lib/utils";\nconst Home = () => <b>{user()}</b>;\n',
        "viz-lib/src/lib/utils.js": "export const noop = () => null;\n",
        "server/http.js": (
            'import axiosLib from "axios";\nimport { retry } from "./retry";\n'
            "export const http = axiosLib.create({});\nexport const go = () => retry(http);\n"
        ),
        "server/retry.js": 'import { http } from "./http";\nexport const retry = (h) => h || http;\n',
        "server/main.js": 'import { go } from "./http";\ngo();\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = [(f.rule, f.location.path, f.location.start_line) for f in _run(tmp_path)]
    assert found == [("RES201", "server/http.js", 3)]


def test_a_script_run_by_hand_is_listed_low_in_the_context_section(tmp_path: Path) -> None:
    """etherpad's ``bin/deletePad.ts``: an admin tool run with ``node``, no request waits on it. A script folder's
    module the application imports, one that starts a server, one that only defines and exports (umami's
    ``scripts/telemetry.js``: it can only be imported) and the application's own module are judged as before."""
    call = "import axios from 'axios';\nexport const go = () => axios.get('http://localhost:9001/api');\n"
    files = {
        "bin/deletePad.ts": call + "go().then(() => process.exit(0));\n",
        "bin/serve.js": "const app = require('express')();\n" + call + "app.listen(3000);\n",
        "bin/lib/shared.ts": call + "process.on('exit', () => {});\n",
        "scripts/telemetry.js": call,
        "src/node/server.ts": "import { go } from '../../bin/lib/shared';\n" + call,
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    found = {(f.location.path, f.location.start_line): f for f in _run(tmp_path)}
    assert sorted(found) == [
        ("bin/deletePad.ts", 2),
        ("bin/lib/shared.ts", 2),
        ("bin/serve.js", 3),
        ("scripts/telemetry.js", 2),
        ("src/node/server.ts", 3),
    ]
    apart = {path for (path, _), f in found.items() if "context:sample" in f.tags}
    assert apart == {"bin/deletePad.ts"}
    assert found[("bin/deletePad.ts", 2)].severity.name == "LOW"
    assert "run by hand" in str(found[("bin/deletePad.ts", 2)].evidence["context"])
