"""The one vocabulary of names that say "secret" (core.secret_names), as every family uses it: the code rules
(``secret_name``), the container rules (the same) and the JavaScript guard (``guard_secret_name``). The rows
below include every name on which the three former definitions disagreed over the fixtures and the real trees
read for the merge (bench/README.md, "One definition"), with the decision taken."""

from __future__ import annotations

import pytest

from redline.core.secret_names import secret_name
from redline.sources.code.treesitter.jssecretcheck import guard_secret_name

#: (name, a secret for code and container rules, a secret compared with the request in a JavaScript guard)
NAMES = [
    # agreed by all three
    ("DB_PASSWORD", True, True),
    ("INTERNAL_API_KEY", True, True),
    ("CRON_SECRET", True, True),
    ("stripeApiKey", True, True),
    ("NEXT_PUBLIC_API_KEY", False, False),
    ("VITE_STRIPE_SECRET", False, False),
    ("REACT_APP_TOKEN", False, False),
    ("PORT", False, False),
    # the container regex said secret: settings about a secret, test or dummy values, a file's path
    ("AIRLOCK_SAS_TOKEN_EXPIRY_PERIOD_IN_HOURS", False, False),
    ("JWT_TOKEN_EXPIRES_IN", False, False),
    ("TOKEN_TIME", False, False),
    ("MAX_NUM_BATCHED_TOKENS", False, False),
    ("NEXT_PRIVATE_SMTP_APIKEY_USER", False, False),
    ("NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNIN", False, False),
    ("PASSWORD_RESET_DISABLED", False, False),
    ("DUMMY_ENCRYPTION_KEY", False, False),
    ("DUMMY_HUB_API_KEY", False, False),
    ("E2E_TEST_AUTHENTICATE_USER_PASSWORD", False, False),
    ("TEST_USER_PASSWORD", False, False),
    ("STRIPE_APP_SECRET_KEY_TEST", False, False),
    ("TEST_ACCOUNT_CLIENT_SECRET", False, False),
    ("GOOGLE_APPLICATION_CREDENTIALS", False, True),
    ("mysecrets", False, False),
    # the container regex missed: a password glued to what it is for
    ("CUBEJS_DB_PASS", True, True),
    ("PGPASS", True, True),
    # the JavaScript word set said secret: settings about authentication, not the shared secret
    ("AUTH_OIDC_ID", False, False),
    ("AUTH_OIDC_ISSUER", False, False),
    ("BETTER_AUTH_URL", False, False),
    ("OIDC_TOKEN_URI", False, False),
    ("EMAIL_AUTH_DISABLED", False, False),
    ("AWS_CONTAINER_CREDENTIALS_FULL_URI", False, False),
    ("SMTP_PASSWORD_FILE", False, False),
    ("STORAGE_ACCESS_KEY_ID", False, False),
    ("OAUTH_PROVIDER_REFRESH_TOKEN_LIFETIME", False, False),
    ("TEST_SECRET", False, False),
    # the JavaScript word set missed: a secret glued to what it is for
    ("CMD_GITHUB_CLIENTSECRET", True, True),
    ("CMD_TWITTER_CONSUMERSECRET", True, True),
    # the code rules' words missed: licence keys and a credential's content (the container regex had them)
    ("ENTERPRISE_LICENSE_KEY", True, True),
    ("MAXMIND_LICENSE_KEY", True, True),
    ("TAXONOMY_GOOGLE_CLOUD_CREDENTIALS_JSON", True, True),
    ("NEXT_PRIVATE_SIGNING_GCLOUD_APPLICATION_CREDENTIALS_CONTENTS", True, True),
    # the container regex's exclusions kept: a reference, a rotation setting, a switch about an empty password
    ("DB_PASSWORD_REF", False, False),
    ("JWT_SECRET_ROTATION", False, False),
    ("ALLOW_EMPTY_PASSWORD", False, False),
    ("MYSQL_EMPTY_PASSWORD", False, False),
    # the guard's own context: compared with what the request sent, a bare key is the shared key
    ("CRON_KEY", False, True),
    ("BASIC_AUTH", False, True),
    ("ADMIN_CREDENTIALS", False, True),
    ("RECAPTCHA_SITE_KEY", False, True),
    ("NEXT_PUBLIC_POSTHOG_KEY", False, False),
    ("CRON_KEY_ID", False, False),
    # a Kubernetes Secret's name or a vault mount, not a value (public Go configs with envDefault defaults)
    ("IMAGE_PULL_SECRET", False, False),
    ("imagePullSecrets", False, False),
    ("EXISTING_SECRET", False, False),
    ("SECRETS_KV_MOUNT", False, False),
    ("REGISTRY_PULL_PASSWORD", True, True),  # a registry's password, pulled with
    # nginx's upstream directives: where requests are passed (DefectDojo's DD_UWSGI_PASS="uwsgi_server")
    ("DD_UWSGI_PASS", False, False),
    ("NGINX_PROXY_PASS", False, False),
    ("UWSGI_PASSWORD", True, True),  # a password all the same
]


@pytest.mark.parametrize(("name", "secret", "guard"), NAMES)
def test_one_vocabulary_decides_every_name(name: str, secret: bool, guard: bool) -> None:
    assert secret_name(name) is secret
    assert guard_secret_name(name) is guard
