"""One answer to "is this value a stand-in, not a credential?" for every family that judges secret values
(the secrets scanner, Kubernetes env literals, Lambda environment variables).

There were three lists (secrets filters, containers ``looks_like_placeholder``, the Terraform Lambda regex) that
disagreed: ``changeit`` was a placeholder for one and a leak for another, ``GOOGLE_API_KEY_VAL`` for two of
three. A value is a placeholder when it is a documentation word, a template to be filled, a pointer that is not
a value, or a description of the value instead of one.
"""

from __future__ import annotations

from redline.core.lazy_regex import lazy

_PLACEHOLDER_WORDS = lazy(
    r"(?i)example|x{4,}|\*{4,}|change[-_ ]?(?:me|this)|override[-_ ]?me|snake[-_ ]?oil|dummy|redacted|placeholder"
    # a value saying it is no real one: django-helpdesk's quicktest.py
    # SECRET_KEY="wowdonotusethisfakesecuritykeyyouneedarealsecure1"
    r"|do[-_ ]?not[-_ ]?use|fake[-_ ]?(?:secret|security|key|token|password|pass|pwd|api)"
    # your-key, your_api_token, yourCloudflareApiToken (techno-tim/launchpad's Cloudflare Secret)
    r"|your[-_]?(?:[a-z0-9]{1,30}?[-_]?)?(?:api[-_]?)?"
    r"(?:key|token|secret|password)|insert[-_ ]?here|replace[-_ ]?me|<[^<>\s]{1,60}>"
)
_TEMPLATING = lazy(
    r"\$\{[^}]{1,100}\}|\$\([^)]{1,100}\)|\{\{[^}]{0,100}\}\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|^\$[A-Za-z_][A-Za-z0-9_]*$"
    # a Concourse pipeline's credential-manager variable (cloud-gov/cg-provision's ci/pipeline.yml:
    # ``TF_VAR_domains_broker_rds_password: ((development_domains_broker_rds_password))``)
    r"|^\(\([\w./:-]{1,100}\)\)$"
    r"|^%[A-Za-z_][A-Za-z0-9_]*%$|^@[A-Za-z_][A-Za-z0-9_]*@$"
)
# what scrubbers put where a secret was ("[Filtered]", "[REDACTED]") and typing annotations
# that happen to sit after a key named like a secret ("token_usage: Optional[int]")
_NOT_A_VALUE = lazy(
    r"^\[[A-Za-z _-]{1,30}\]$|^(?:Optional|List|Dict|Union|Sequence|Mapping|Tuple|Set|Iterable|Callable|Literal"
    r"|Annotated|Type|list|dict|tuple|set|type)\["
    # a list of the variables that hold secrets, by name (langfuse's workflow: GH_AW_SECRET_NAMES:
    # 'CLAUDE_API_KEY,GH_AW_CI_ANALYST_TOKEN,GITHUB_TOKEN')
    r"|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\s*,\s*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)+$"
)
# a whole value that is a default or documentation word, never a chosen secret
_PLACEHOLDER_VALUE = lazy(
    r"(?i)^(?:(?:super|top|my|some)?(?:secret|password|passwd)|secrets|pass|pwd|changeme|change[-_.]?it|changeit|default"
    r"|test|testing|tests"
    r"|sample|example|dummy|fake|(?:foo|bar|baz|qux)+|todo|tbd|fixme|none|null|nil|empty|token|apikey|api[-_]key"
    r"|key|value|string|x+|\*+|\.+|-+|_+|0+|1234(?:5(?:6(?:78?)?)?)?"
    # HTTP Basic's documented user and password (RFC 7617, RFC 2617), what tests encode into a header
    r"|aladdin:open ?sesame)$"
)
# an identifier standing where the value goes: GOOGLE_API_KEY_VAL, DB_PASSWORD_HERE, <your-key>, YOUR_TOKEN,
# and version specifiers next to a package whose name holds "password" (^1.7.1, 5.3.0-beta.2)
_PLACEHOLDER_SHAPE = lazy(
    r"^[A-Z][A-Z0-9_]*_(?:VAL|VALUE|HERE|PLACEHOLDER|GOES_HERE|TBD)$|(?i:^(?:your|my|insert|enter|put)[-_ ])"
    # a name describing the value instead of one: astronomy_password, db-secret, api_token
    # and some-base-64-encoded-password (techno-tim/launchpad's pterodactyl Secret)
    r"|(?i:^[a-z]{2,20}(?:[-_][a-z0-9]{2,20}){0,4}[-_](?:password|passwd|pass|pwd|secret|token|key|apikey)$)"
    # and written together, in lower case: readthedocs' development cache at redis://:redispassword@cache:6379
    r"|^[a-z]{2,20}(?:password|passwd|secret)$"
    # the same in camel case, a field's name: botocore's paginators ``"input_token": "NextToken"``, ``pageToken``
    r"|^(?:[A-Z]?[a-z]{2,20}){1,4}(?:Password|Passwd|Secret|Token|Key|ApiKey)$"
    r"|^[~^<>=v]{0,2}\d+(?:\.\d+){1,3}(?:[-+.][0-9A-Za-z.-]{1,20})?$"
    # a whole value that is a description in angle brackets: <password for custom e2e tester user>
    r"|^<[A-Za-z][^<>]{0,80}>$"
    # words saying what to put there: random_string (shynet's TEMPLATE.env DJANGO_SECRET_KEY), a-long-random-value
    r"|(?i:^(?:[a-z]{1,12}[-_ ]){0,3}random(?:[-_ ][a-z]{1,12}){0,3}$)"
    # a value that says it is not the one to deploy: dev-only-pepper-not-for-production-use-32b+ (homebox's
    # Taskfile.yml, the development task runner's environment)
    r"|(?i:not[-_ ]for[-_ ]prod(?:uction)?(?![a-z]))"
    # a value saying there is none: Mayan EDMS's DEFAULT_SECRET_KEY=secret-key-missing!, key-not-set, UNSET
    r"|(?i:^(?:[a-z]{1,12}[-_ ]){0,3}(?:missing|unset|not[-_ ]set|not[-_ ]configured)!?$)"
)
# a path where the value is read from, not the value: DATABASE_PASSWORD=/run/secrets/db-password (a compose
# secret's file, docker/awesome-compose), ansible_ssh_private_key_file: ~/.ssh/id_ed25519 (khuedoan/homelab). The
# first segment is a directory's name (lower case), so a base64 value that happens to start with "/" is not one.
#: a BuildKit secret's spec, where the value comes from (Flagsmith's Dockerfile:
#: ``--secret="id=github_private_cloud_token,env=GH_TOKEN"``)
_BUILD_SECRET_SPEC = lazy(r"^id=[\w.-]{1,60}(?:,(?:src|source|env|type|target|required)=[^,\s]{1,200})+$")
_FILE_PATH = lazy(r"^(?:~[A-Za-z0-9_.-]{0,32}|\.{1,2})?/[a-z._-]{2,32}(?:/[A-Za-z0-9_.@-]+)+/?$")
# documentation examples that travel verbatim: the jwt.io sample token ("John Doe", 1516239022); the bot token of
# Slack's oauth.v2.access example response (api.slack.com/authentication/oauth-v2, copied into Grafana OnCall's
# constants "from slack docs", and into many SDKs' tests beside its bot_user_id U0KRQLJ9H)
_DOCUMENTED = (
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
)


def looks_like_placeholder(value: str) -> bool:
    """``GOOGLE_API_KEY_VAL``, ``<your-key>``, ``${TOKEN}``, ``changeme``, ``example-token``, ``[REDACTED]``:
    a value to be substituted or a documentation stand-in, not a credential (surrounding quotes ignored)."""
    text = value.strip().strip("\"'").strip()
    return bool(
        _PLACEHOLDER_WORDS.search(text)
        or _TEMPLATING.search(text)
        or _NOT_A_VALUE.search(text)
        or _PLACEHOLDER_VALUE.match(text)
        or _PLACEHOLDER_SHAPE.search(text)
        or _FILE_PATH.match(text)
        or _BUILD_SECRET_SPEC.match(text)
        or any(d in text for d in _DOCUMENTED)
    )
