"""The code flaw rules: declared here, judged in ``flaws.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

#: how the flow continues into the project's own functions (checks/code/across.py)
_ACROSS = (
    " Request data passed to a function of the project (resolved through imports, relative imports and "
    "`self` methods; never by a name alone) whose parameter reaches the sink is followed too, up to three "
    "calls deep: that finding is at the call in the handler and cites the sink line (`sink`, `callee`, "
    "`through`)."
)

SQL_FROM_REQUEST = Rule(
    code="WEB201",
    name="sql-built-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="SQL built by string formatting from request data",
    tags=("CWE-89", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Follows values read from the request (Flask `request.args/form/json/values/headers/"
        "cookies`, Django `request.GET/POST/body/COOKIES/META`, aiohttp `request.query/match_info/post()/"
        "json()`, FastAPI handler parameters) through the local names of the function and flags a call to "
        "`execute`/`executemany`/`executescript`/`raw`/`text`/`extra` whose query is an f-string, `%` "
        "formatting, `.format()` or concatenation that carries such a value. A query passed with bound "
        "parameters (`execute(sql, [value])`) is not flagged." + _ACROSS,
        why_bad="The caller writes part of the SQL: they can read any table, change data or, on some "
        "databases, run commands (CWE-89).",
        example='name = request.args["name"]\ncur.execute(f"SELECT * FROM users WHERE name = \'{name}\'")',
        use_instead='cur.execute("SELECT * FROM users WHERE name = %s", [name])',
        references=(
            "https://cwe.mitre.org/data/definitions/89.html",
            "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
        ),
    ),
)

SHELL_FROM_REQUEST = Rule(
    code="WEB202",
    name="shell-command-from-request-data",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Shell command built from request data",
    tags=("CWE-78", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags `os.system`, `os.popen`, `asyncio.create_subprocess_shell` and `subprocess` "
        "calls with `shell=True` whose command carries a value read from the request (same data flow as "
        "WEB201). An argument list without a shell is not flagged." + _ACROSS,
        why_bad="The caller can append `; rm -rf /` or any other command: remote code execution (CWE-78).",
        example='subprocess.run("convert " + request.args["file"], shell=True)',
        use_instead='subprocess.run(["convert", "--", filename], check=True)  # no shell, validated name',
        references=(
            "https://cwe.mitre.org/data/definitions/78.html",
            "https://docs.python.org/3/library/subprocess.html#security-considerations",
        ),
    ),
)

DEBUG_ON = Rule(
    code="WEB301",
    name="web-debug-mode-on",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Web framework debug mode switched on in application code",
    tags=("CWE-489", "CWE-215"),
    doc=RuleDoc(
        what_it_does="Flags Flask `app.run(debug=True)`, `FastAPI(debug=True)`/`Starlette(debug=True)`, "
        "aiohttp `Application(debug=True)` "
        "and a Django `settings.py` that sets `DEBUG = True` as a literal, outside tests and samples (a "
        "settings package's base module is left alone: its DEBUG is usually overridden per environment). "
        '`app.run(debug=True)` under `if __name__ == "__main__":` in a service whose image (final stage '
        "CMD/ENTRYPOINT), compose service (`command:`/`entrypoint:` of the service built from its folder, "
        "development compose services left out) or Procfile `web:` process starts gunicorn, uvicorn, waitress, "
        "hypercorn or uwsgi and never runs the file is a "
        "development entry point: kept, low, in the tests/docs/samples section, not gating. A switch turned on "
        "only inside `if` tests that say debug or development mode (`if settings.debug:`, `if args.dev:`, "
        '`if os.environ.get("FLASK_DEBUG") == "1":`) follows that setting and is not flagged; `__main__`, '
        "an `else` branch, a negated test or a module constant hard-coded `True` do not count as one.",
        why_bad="The debug pages show source, settings and local variables to any caller; the Werkzeug "
        "debugger even runs code typed into the browser.",
        example='app.run(host="0.0.0.0", debug=True)',
        use_instead='app.run(debug=os.environ.get("FLASK_DEBUG") == "1")  # off unless asked for locally',
        references=(
            "https://cwe.mitre.org/data/definitions/489.html",
            "https://docs.djangoproject.com/en/5.1/ref/settings/#debug",
        ),
    ),
)

WEAK_PASSWORD_HASH = Rule(
    code="WEB302",
    name="password-hashed-with-fast-digest",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Password hashed with MD5/SHA-1 instead of a password hash",
    tags=("CWE-916", "CWE-328"),
    doc=RuleDoc(
        what_it_does='Flags `hashlib.md5`/`sha1` (and `hashlib.new("md5"|"sha1", …)`) applied to a value '
        "whose name says it is a password (`password`, `passwd`, `pwd`). The SHA-1 a Have I Been Pwned range "
        "query needs (a function named for `pwned`, or one that names `api.pwnedpasswords.com`: the API takes the "
        "first five hex digits by design and nothing is stored) is not flagged.",
        why_bad="MD5 and SHA-1 are fast and unsalted here: a leaked table is cracked at billions of guesses a "
        "second, and identical passwords share a hash.",
        example="hashlib.md5(password.encode()).hexdigest()",
        use_instead="argon2.PasswordHasher().hash(password)  # or bcrypt, scrypt, PBKDF2 with a salt",
        references=(
            "https://cwe.mitre.org/data/definitions/916.html",
            "https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
        ),
    ),
)

JWT_UNVERIFIED = Rule(
    code="WEB303",
    name="jwt-decoded-without-verification",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="JWT decoded without verifying its signature",
    tags=("CWE-347",),
    doc=RuleDoc(
        what_it_does='Flags PyJWT `jwt.decode(..., options={"verify_signature": False})`, `verify=False`, '
        "`algorithms` that include `none`, and python-jose `jwt.get_unverified_claims` used outside tests. An "
        "unverified read inside a yes/no predicate (`is_…`/`has_…`, e.g. `is_our_token` peeking at the issuer to "
        "pick the verification path) is not flagged: its claims leave the function as a bool, not as an identity. "
        "Nor is a command-line tool (a click/typer command, a Django management command, a module importing a CLI "
        "library and no web framework in a `cli`/`*_cli` package): it shows the user their own token, and the "
        "server it is sent to verifies it. Nor is a read of routing claims only (`iss`, `aud`, `kid`, `alg`) to pick "
        "the keys, when the function then verifies the token: a `jwt.decode` with the key, or pylti1p3's "
        "`get_launch_data()` (an LTI 1.3 launch). Nor is a method of a stand-in class named so (`Null…`, `Fake…`, "
        "`Dummy…`, `Mock…`, `Stub…`, `Noop…`: warehouse's development-only `NullOIDCPublisherService`).",
        why_bad="Anyone can forge a token with any claims (user id, roles) and it will be believed.",
        example='claims = jwt.decode(token, options={"verify_signature": False})',
        use_instead='claims = jwt.decode(token, key, algorithms=["RS256"], audience="api")',
        references=(
            "https://cwe.mitre.org/data/definitions/347.html",
            "https://pyjwt.readthedocs.io/en/stable/usage.html",
        ),
    ),
)
