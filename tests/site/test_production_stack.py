"""The production path, end to end: Debian's nginx with TLS in front of gunicorn running
`cms.settings.production`, configured by docker/nginx.conf.template and started by
docker/hub-entry, the same files docker/compose.yaml uses. In the PostgreSQL run
(HUB_TEST_STACK=postgres) the hub behind nginx uses the session's PostgreSQL and Redis.

What a resident's browser sees: http goes to https, HSTS, cookies that only travel over
TLS and that scripts cannot read, static files that are cached for a year under hashed
names, the chat and push APIs and /healthz, all through nginx.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.hub import REPO, HubProcess, free_port, stop_processes, wait_for_http

pytestmark = [pytest.mark.slow]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ENTRY = REPO / "docker" / "hub-entry"
TEMPLATE = REPO / "docker" / "nginx.conf.template"
EDITOR_PASSWORD = "smoke-" + secrets.token_urlsafe(12)


def fill_template(text: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does: only the named ${VARIABLES}, nginx's own $vars stay."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if left := re.findall(r"\$\{NGINX_\w+\}", text):
        raise AssertionError(f"{TEMPLATE.name} uses variables the test does not fill: {left}")
    return text


def make_certificate(directory: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 / localhost, made with `cryptography`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub smoke test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    chain = directory / "fullchain.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return chain


class ProductionStack:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.http_port, self.https_port, self.web_port = free_port(), free_port(), free_port()
        self.origin = f"https://127.0.0.1:{self.https_port}"
        self.http_origin = f"http://127.0.0.1:{self.http_port}"
        # HubProcess gives the database (SQLite here, the session's PostgreSQL and a Redis
        # database of its own in the PostgreSQL run); the commands come from hub-entry.
        self.hub = HubProcess(work / "var", settings="cms.settings.production", env={
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HUB_BASE_URL": self.origin,
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "HUB_STATIC_ROOT": str(work / "static"),
            "HUB_BIND": f"127.0.0.1:{self.web_port}",
            "WEB_WORKERS": "2",
            "PYTHON": sys.executable,
            "RASA_URL": "http://127.0.0.1:9",  # the assistant is down: the API must say so
            "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD,
            "LOG_LEVEL": "WARNING",
        })
        self.hub.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the test session's, not production's
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []

    def entry(self, command: str) -> None:
        started = time.monotonic()
        run = subprocess.run([str(ENTRY), command], env=self.hub.env, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, f"hub-entry {command} failed:\n{run.stdout}\n{run.stderr}"
        print(f"hub-entry {command}: {time.monotonic() - started:.1f} s")

    def _spawn(self, name: str, cmd: list[str], env: dict | None = None) -> None:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        self.procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT))

    def nginx_config(self, tls: Path) -> Path:
        site = fill_template(TEMPLATE.read_text(), {
            "NGINX_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "NGINX_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "NGINX_UPSTREAM": f"127.0.0.1:{self.web_port}",
            "NGINX_TLS_DIR": str(tls),
            "NGINX_CACHE_DIR": str(self.work / "nginx-cache"),
        })
        (self.work / "hub.conf").write_text(site)
        temp = self.work / "nginx-temp"
        temp.mkdir()
        main = self.work / "nginx.conf"
        # What the nginx image's own nginx.conf provides around conf.d/, in a private prefix.
        main.write_text(f"""
daemon off;
worker_processes 1;
{"user root root;" if os.geteuid() == 0 else ""}
pid {self.work}/nginx.pid;
error_log {self.work}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {self.work}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.work}/hub.conf;
}}
""")
        return main

    def start(self) -> ProductionStack:
        self.entry("collectstatic")
        self.entry("migrate")
        self.hub.manage("createsuperuser", "--no-input", "--username", "editor",
                        "--email", "editor@example.invalid")
        self._spawn("gunicorn", [str(ENTRY), "web"], env=self.hub.env)
        wait_for_http(f"http://127.0.0.1:{self.web_port}/healthz", timeout=90)
        self.entry("healthcheck")  # what the container runtime asks (docker/compose.yaml)
        tls = self.work / "certs"
        tls.mkdir()
        self.ca = str(make_certificate(tls))
        config = self.nginx_config(tls)
        test = subprocess.run([NGINX, "-t", "-p", str(self.work), "-c", str(config)],
                              capture_output=True, text=True)
        assert test.returncode == 0, f"nginx rejects docker/nginx.conf.template:\n{test.stderr}"
        self._spawn("nginx", [NGINX, "-p", str(self.work), "-c", str(config)])
        self._wait_nginx()
        return self

    def _wait_nginx(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get("/healthz", timeout=2)
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def get(self, path: str, timeout: float = 30, **kwargs) -> requests.Response:
        return requests.get(self.origin + path, verify=self.ca, allow_redirects=False,
                            timeout=timeout, **kwargs)

    def stop(self) -> None:
        stop_processes(self.procs)
        for log in self.logs:
            log.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (make test installs it: scripts/ensure-apt nginx)")
    work = tmp_path_factory.mktemp("production")
    server = ProductionStack(work)
    try:
        yield server.start()
    finally:
        server.stop()


def test_plain_http_is_sent_to_https(stack):
    response = requests.get(f"{stack.http_origin}/gomi/?x=1", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://127.0.0.1/gomi/?x=1"


def test_pages_come_over_tls_with_hsts_and_security_headers(stack):
    first = stack.get("/")
    again = stack.get("/")  # the page cache answers the second time
    assert first.status_code == again.status_code == 200
    assert again.headers.get("X-Page-Cache") == "hit"
    for response in (first, again):
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp
    assert "中央区" in first.text
    assert f'href="{stack.origin}/"' in first.text  # canonical link on the hub's own origin


def test_editor_cookies_are_secure_and_httponly(stack):
    session = requests.Session()
    login = session.get(stack.origin + "/admin/login/", verify=stack.ca, timeout=30)
    assert login.status_code == 200
    csrf = next(c for c in session.cookies if c.name == "csrftoken")
    assert csrf.secure and csrf.has_nonstandard_attr("HttpOnly")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    done = session.post(stack.origin + "/admin/login/", allow_redirects=False, timeout=30,
                        verify=stack.ca,
                        data={"username": "editor", "password": EDITOR_PASSWORD,
                              "csrfmiddlewaretoken": token, "next": "/admin/"},
                        headers={"Referer": stack.origin + "/admin/login/"})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"
    sessionid = next(c for c in session.cookies if c.name == "sessionid")
    assert sessionid.secure and sessionid.has_nonstandard_attr("HttpOnly")
    assert session.get(stack.origin + "/admin/", verify=stack.ca, timeout=30).status_code == 200


def test_static_files_have_hashed_names_and_far_future_caching(stack):
    page = stack.get("/").text
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet is not linked under its hashed name"
    first = stack.get(css.group(1))
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/css")
    cache_control = first.headers["Cache-Control"]
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= 365 * 24 * 3600
    assert stack.get(css.group(1)).headers["X-Cache"] == "HIT"  # nginx keeps a copy


def test_chat_api_says_the_assistant_is_down_with_the_fallback(stack):
    response = requests.post(stack.origin + "/api/chat/", verify=stack.ca, timeout=30,
                             json={"sender": "smoke", "message": "粗大ごみを出したい"})
    assert response.status_code == 503
    reply = response.json()["replies"][0]
    assert reply["url"].startswith("/search/?q=") and reply["text"]


def test_push_api_gives_the_key_and_takes_a_subscription(stack):
    key = stack.get("/api/push/vapid-public-key")
    assert key.status_code == 200 and len(key.json()["publicKey"]) >= 86
    browser_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    body = {"subscription": {"endpoint": "https://fcm.googleapis.com/fcm/send/smoke-" + secrets.token_hex(8),
                             "keys": {"p256dh": b64(browser_key), "auth": b64(os.urandom(16))}},
            "topics": ["bosai"], "areas": [], "lang": "ja"}
    created = requests.post(stack.origin + "/api/push/subscriptions", json=body,
                            verify=stack.ca, timeout=30)
    assert created.status_code == 201, created.text
    again = requests.post(stack.origin + "/api/push/subscriptions", json=body,
                          verify=stack.ca, timeout=30)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]


def test_healthz_through_nginx(stack):
    response = stack.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    expected = "postgresql" if "postgres" in stack.hub.database_url else "sqlite"
    assert body["database"]["vendor"] == expected
