"""The injection rules for JavaScript/TypeScript and Go: declared here, judged in ``jsgo_flaws.py``. The Python
rules (WEB201-204) keep Python's sinks and wording; these name the sinks and fixes of Node and Go."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_FLOW = (
    "Request values are followed through the handler's local names (Express/Fastify `req.query/params/body/"
    "headers/cookies`, Koa `ctx.request.*`, NestJS `@Body()/@Query()/@Param()`, a Next.js route handler's "
    "`await request.json()/formData()/text()` and `request.nextUrl.searchParams`; Go `r.URL.Query()`, "
    "`r.FormValue`, gin/echo `c.Query/c.Param`, `mux.Vars`, `chi.URLParam`). A name bound by a number or UUID "
    "parse (`parseInt`, `Number`, `strconv.Atoi`, `uuid.Parse`) is clean. The finding names the route the "
    "call is reachable from and the path from source to sink. In Go, request data passed to a function of the "
    "project (through its import path, the same package, or a method of a value a constructor of the project "
    "returned) whose parameter reaches the sink is followed too, up to three calls deep: that finding is at the "
    "call and cites the sink line. JavaScript handlers defined in another module, returned by a factory "
    "(`app.get('/x', makeHandler(deps))`) or wrapped (`asyncHandler(search())`) are judged in their own body."
)

SQL_FROM_REQUEST_JSGO = Rule(
    code="WEB210",
    name="js-go-sql-built-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="SQL built from request data in JavaScript/TypeScript or Go",
    tags=("CWE-89", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags a template literal or concatenation carrying a request value passed as the SQL "
        "of `query`/`execute`/`raw`/`$queryRawUnsafe`/`$executeRawUnsafe` (pg, mysql2, knex, Sequelize, "
        "Prisma), and in Go an `fmt.Sprintf` or concatenation passed to `Query`/`QueryRow`/`Exec`/`Prepare` "
        "(and their `Context` forms) or GORM `Raw`/`Exec`/`Where`. A query with placeholders and values passed "
        "apart (`pool.query(sql, [v])`, `db.Query(q, v)`) and Prisma's tagged `$queryRaw` are not flagged. " + _FLOW,
        why_bad="The caller writes part of the SQL: they can read any table, change data or, on some "
        "databases, run commands (CWE-89).",
        example="const rows = await pool.query(`SELECT * FROM users WHERE name = '${req.query.name}'`);\n"
        "// Go: db.Query(fmt.Sprintf(\"SELECT * FROM users WHERE name = '%s'\", name))",
        use_instead='const rows = await pool.query("SELECT * FROM users WHERE name = $1", [req.query.name]);\n'
        '// Go: db.Query("SELECT * FROM users WHERE name = $1", name)',
        references=(
            "https://cwe.mitre.org/data/definitions/89.html",
            "https://node-postgres.com/features/queries#parameterized-query",
            "https://go.dev/doc/database/sql-injection",
        ),
    ),
)

SHELL_FROM_REQUEST_JSGO = Rule(
    code="WEB211",
    name="js-go-shell-command-from-request-data",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Shell command from request data in JavaScript/TypeScript or Go",
    tags=("CWE-78", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags `child_process.exec`/`execSync` (and `spawn`/`execFile` with `shell: true`) whose "
        'command carries a request value, and Go `exec.Command("sh", "-c", cmd)` (`bash`, `cmd /c`) whose '
        "script carries one, or `exec.Command(prog)` whose program is a request value. `execFile`/`spawn` "
        "with an argument list and no shell, and `exec.Command(prog, args...)` with a fixed program, are not "
        "flagged. " + _FLOW,
        why_bad="The caller can append `; rm -rf /` or any other command: remote code execution (CWE-78).",
        example='exec(`convert ${req.query.file} out.png`);\n// Go: exec.Command("sh", "-c", "ping -c 1 "+host).Run()',
        use_instead='execFile("convert", ["--", file, "out.png"]);  // no shell, validated name\n'
        '// Go: exec.Command("ping", "-c", "1", "--", host).Run()',
        references=(
            "https://cwe.mitre.org/data/definitions/78.html",
            "https://nodejs.org/api/child_process.html#child_processexeccommand-options-callback",
        ),
    ),
)

PATH_FROM_REQUEST_JSGO = Rule(
    code="WEB212",
    name="js-go-file-path-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="File read, sent or written at a path from request data in JavaScript/TypeScript or Go",
    tags=("CWE-22", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags Express `res.sendFile`/`res.download` without a `root` option, `fs` reads, writes "
        "and deletes, and Go `http.ServeFile`, `os.Open`/`ReadFile`/`Create`/`Remove`/`WriteFile` and gin/echo "
        "`c.File` whose path carries a request value, also when joined (`path.join`, `filepath.Join`). A "
        "value reduced by `path.basename`/`filepath.Base`, and a handler that checks the resolved path "
        "against a root (`startsWith`, `strings.HasPrefix`, `filepath.Rel`, `filepath.IsLocal`, "
        "`path.relative`), a validator or a pattern (`validHash.MatchString(hash)`) are left alone. " + _FLOW,
        why_bad="`../../etc/passwd` (Express decodes `%2F` inside a route parameter) escapes the directory "
        "the handler meant: the caller reads, overwrites or deletes any file the service can (CWE-22).",
        example="res.sendFile(path.join(__dirname, 'files', req.params.name));",
        use_instead="res.sendFile(req.params.name, { root: path.join(__dirname, 'files') });\n"
        "// Go: http.ServeFileFS(w, r, os.DirFS(base), name) or filepath.IsLocal(name) first",
        references=(
            "https://cwe.mitre.org/data/definitions/22.html",
            "https://expressjs.com/en/api.html#res.sendFile",
            "https://go.dev/blog/osroot",
        ),
    ),
)

SSRF_FROM_REQUEST_JSGO = Rule(
    code="WEB213",
    name="js-go-outbound-url-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Outbound HTTP request to a URL from request data in JavaScript/TypeScript or Go (SSRF)",
    tags=("CWE-918", "OWASP-A10"),
    doc=RuleDoc(
        what_it_does="Flags `fetch`, `axios`/`axios.get|post|…`, `got`, `needle`, Node `http(s).get|request` "
        "and Go `http.Get`/`Post`/`Head`/`PostForm`/`NewRequest` whose URL is a request value as a whole (a "
        "URL built around one, such as `` `https://api.example.com/u/${id}` ``, fixes the host and is not "
        "flagged), unless the handler calls a validator (`isAllowedUrl`, `validateUrl`, Go `u.Hostname()` "
        "checks) or refuses every caller without a secret from the environment (`if (token !== "
        "process.env.INTERNAL_API_KEY) return 401`: another service chose the URL). " + _FLOW,
        why_bad="The caller makes the server fetch what they choose: cloud metadata endpoints "
        "(`169.254.169.254`), internal admin APIs and databases behind the firewall (CWE-918).",
        example="const r = await axios.get(req.query.url);",
        use_instead="const u = new URL(req.query.url);\n"
        "if (!ALLOWED_HOSTS.has(u.hostname)) return res.sendStatus(400);\n"
        "const r = await axios.get(u.href, { maxRedirects: 0 });",
        references=(
            "https://cwe.mitre.org/data/definitions/918.html",
            "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
        ),
    ),
)
