"""cms.settings.production with the environment docker/ documents: `check --deploy` is
clean, and the hub refuses to start with a placeholder or short secret key (the key signs
editors' sessions and pseudonymises chat senders)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from cms.core.security import require_strong_secret_key
from tests.support.hub import REPO

DOCKER = REPO / "docker"


def env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (DOCKER / "env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def compose_substitute(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} interpolation."""
    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg if op == ":-" else ""
    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)


def documented_environment(tmp_path) -> dict[str, str]:
    """docker/env.example with its secrets filled in, plus the hub's compose environment."""
    env = env_example()
    env.update(POSTGRES_PASSWORD=secrets.token_urlsafe(24),
               DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    for key, value in compose["x-hub"]["environment"].items():
        env[key] = compose_substitute(str(value), env)
    dockerfile = (DOCKER / "Dockerfile.hub").read_text()
    env["DJANGO_SETTINGS_MODULE"] = re.search(r"DJANGO_SETTINGS_MODULE=(\S+)", dockerfile).group(1)
    # Only what a container would have: not the test session's own variables.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**base, **env, "HUB_VAR_DIR": str(tmp_path), "HUB_STATIC_ROOT": str(tmp_path / "static")}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    env = documented_environment(tmp_path)
    assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
    assert env["DATABASE_URL"].startswith("postgres://hub:")
    run = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_the_placeholder_key_of_env_example_stops_the_hub(tmp_path):
    env = documented_environment(tmp_path)
    env["DJANGO_SECRET_KEY"] = env_example()["DJANGO_SECRET_KEY"]
    run = manage(env, "check")
    assert run.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is a placeholder" in run.stderr
    assert "secrets.token_urlsafe(50)" in run.stderr


@pytest.mark.parametrize("key, message", [
    ("change-me-to-50-random-characters", "placeholder"),
    ("django-insecure-" + "k" * 60, "placeholder"),
    ("CHANGEME" + secrets.token_urlsafe(50), "placeholder"),
    (secrets.token_urlsafe(20), "too short"),
    ("ab" * 40, "too repetitive"),
])
def test_weak_keys_are_refused_with_a_clear_message(key, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        require_strong_secret_key(key)


def test_a_generated_key_is_accepted():
    require_strong_secret_key(secrets.token_urlsafe(50))


def test_the_default_public_origin_follows_hub_port():
    """Contract §3: HUB_BASE_URL defaults to http://127.0.0.1:<HUB_PORT>."""
    env = {k: v for k, v in os.environ.items() if k != "HUB_BASE_URL"}
    env.update(HUB_PORT="18999", DJANGO_SETTINGS_MODULE="cms.settings.base")
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.HUB_BASE_URL)"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == "http://127.0.0.1:18999"
