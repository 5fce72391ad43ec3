"""The rule for a secret read from the environment with a literal fallback: declared here, judged in
``env_fallback.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

SECRET_ENV_FALLBACK = Rule(
    code="WEB310",
    name="secret-env-var-with-literal-fallback",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="A secret read from the environment falls back to a literal committed in the code",
    tags=("CWE-798", "CWE-1188", "OWASP-A07"),
    doc=RuleDoc(
        what_it_does="Flags an environment variable whose name says it holds a secret (`SECRET`, `TOKEN`, "
        "`PASSWORD`/`PASSWD`/`PWD`, `PRIVATE_KEY`, `API_KEY`, signing and encryption keys, session and cookie "
        "secrets, `JWT`) read with a non-empty string literal to use when it is unset: JavaScript/TypeScript "
        "`process.env.JWT_SECRET || 'dev'` (also `??`, `process.env['X']`, `const { X = 'dev' } = process.env`), "
        "Python `os.environ.get('SECRET_KEY', 'insecure')`, `os.environ.get('X') or 'dev'`, `os.getenv('X', 'dev')`, "
        "python-decouple "
        "`config('X', default='dev')`, django-environ `env('X', default='dev')`, and `getEnv('X', 'dev')`-style "
        "helpers (any language, Go included). High when the value signs or verifies something (passed to "
        "`jwt.sign`/`verify`, express-session `secret:`, `cookie-parser`, a Django/Flask `SECRET_KEY`, "
        "itsdangerous, or named for it: `JWT_*`, `SESSION_SECRET`, `*_SIGNING_KEY`), medium otherwise. Left "
        "alone: an empty fallback, a fallback that is not a literal (`undefined`, a throw, a generated value) or "
        "says the variable is unset (`'NO-DEFINED'`, `'<required>'`), a dummy key nothing checks "
        "(`OLLAMA_API_KEY ?? 'ollama'`, `'placeholder'`, `'EMPTY'`; a signing key fires whatever it says), a "
        "branch taken only in development or tests (`if (process.env.NODE_ENV !== 'production')`, "
        "`isDev ? ... : ...`), a variable the service stops without (`if (!process.env.JWT_SECRET) throw ...` "
        "in the module, an envalid/"
        "t3-env/zod schema entry without a default, or a start-up check module that lists it and throws), "
        "names that describe a secret without being one (`JWT_EXPIRES_IN`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`), "
        "public client variables (`NEXT_PUBLIC_*`, `VITE_*`), and tests, samples, docs, seed scripts, "
        "storybook and test-tool configuration. The literal is never shown, only its length.",
        why_bad="When the variable is missing where the service runs (a new deployment, a renamed variable, a "
        "secret store that did not load) the service starts anyway and uses the value published in its own "
        "repository: anyone who read it can forge session cookies and JWTs, or log in to what the password "
        "protects (CWE-798, CWE-1188). Secret scanners do not report it, because the value looks weak, not random.",
        example="const secret = process.env.JWT_SECRET || 'supersecret';\n"
        "app.use(session({ secret: process.env.SESSION_SECRET ?? 'keyboard cat' }));\n"
        "SECRET_KEY = os.environ.get('SECRET_KEY', 'django-insecure-dev')",
        use_instead="const secret = process.env.JWT_SECRET;\n"
        "if (!secret) throw new Error('JWT_SECRET is not set');\n"
        "SECRET_KEY = os.environ['SECRET_KEY']  # fails at start-up when missing",
        references=(
            "https://cwe.mitre.org/data/definitions/798.html",
            "https://cwe.mitre.org/data/definitions/1188.html",
            "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/",
            "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        ),
    ),
)
