"""Web Push (RFC 8030/8291/8292), tuned for a ward-wide fan-out.

- VAPID key: settings.VAPID_PRIVATE_KEY, else generated once into var/ (py_vapid, the
  library under pywebpush).
- The VAPID Authorization header is signed once per audience (push-service origin) and
  reused until an hour before it expires; each signature gets a fresh claims dict.
- Encryption is RFC 8291 aes128gcm by http_ece (what pywebpush uses), with a fresh
  ephemeral P-256 key and a fresh salt for every message; the whole message is one
  record of at most 4,096 bytes, the limit push services accept.
- HTTP/1.1 keep-alive connections from the standard library, one per sending thread and
  push service (a pooled requests.Session cost ~8× the CPU per request, and at 88,000
  pushes that CPU is what a 2-core server runs out of). Explicit connect and read
  timeouts; a connection the push service closed while idle is reopened before use.
- TTL, Urgency (high for disaster notices) and Topic (so a message resent after a crash
  replaces the first one at the push service) on every request.
- Subscriptions are checked at the door (contract §3a) and again before each send, so
  one stored before the check existed fails alone, permanently, with its reason.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import select
import ssl
import threading
import time
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

from cms.core.links import absolute_url

from .base import ChannelClient, InvalidAddress, Recipient, notice_text
from .outcome import Outcome, from_http_status
from .text import fit

RECORD_SIZE = 4096  # bytes push services accept (RFC 8291 §4: one record)
# RFC 8188 header (salt 16 + rs 4 + idlen 1 + 65-byte key) and the record's tag (16) and
# delimiter (1) leave this much for the JSON the service worker reads.
MAX_PAYLOAD = RECORD_SIZE - (16 + 4 + 1 + 65) - 16 - 1
MAX_ENDPOINT = 1000  # contract §3a
VAPID_LIFETIME = 12 * 3600  # exp must be ≤ 24 h (RFC 8292 §2)

# Push services of the browsers residents use (endpoint host, or suffix with a dot).
KNOWN_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet
    "android.googleapis.com",
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari (macOS, iOS ≥ 16.4)
    ".notify.windows.com",  # Edge on Windows (WNS)
)


class InvalidEndpoint(InvalidAddress):
    pass


def _is_loopback_for_tests(scheme: str, host: str) -> bool:
    return bool(settings.WEBPUSH_ALLOW_LOOPBACK) and host == "127.0.0.1" and scheme in ("http", "https")


def check_endpoint(endpoint: object) -> None:
    """Contract §3a: https, no port (or 443), no userinfo, ASCII, ≤ 1,000 characters,
    on a known push service (loopback only when tests explicitly allow it)."""
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidEndpoint("endpoint must be the URL the browser's push service gave")
    if len(endpoint) > MAX_ENDPOINT:
        raise InvalidEndpoint(f"endpoint must be at most {MAX_ENDPOINT} characters")
    if not endpoint.isascii() or not endpoint.isprintable() or any(c.isspace() for c in endpoint):
        raise InvalidEndpoint("endpoint must be a plain ASCII URL")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as exc:
        raise InvalidEndpoint(f"endpoint is not a valid URL ({exc})") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if _is_loopback_for_tests(scheme, host):
        return
    if scheme != "https":
        raise InvalidEndpoint("endpoint must be an https URL of a browser push service")
    if "@" in parts.netloc:
        raise InvalidEndpoint("endpoint must not contain a user name or password")
    if port not in (None, 443) or parts.netloc.endswith(":"):
        raise InvalidEndpoint("endpoint must not name a port (push services use 443)")
    if parts.fragment or endpoint.endswith("#"):
        raise InvalidEndpoint("endpoint must not have a #fragment")
    if not any(host == h or (h.startswith(".") and host.endswith(h)) for h in KNOWN_PUSH_HOSTS):
        raise InvalidEndpoint(f"endpoint: {host or 'this host'} is not a known browser push service")


def origin(endpoint: str) -> str:
    """The endpoint's origin (RFC 6454 §4): lowercase scheme and host, the default port
    dropped, no userinfo — the VAPID `aud` push services compare with (RFC 8292 §2)."""
    parts = urlsplit(endpoint)
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    default = {"https": 443, "http": 80}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def strict_b64url(text: object, what: str) -> bytes:
    """base64url (RFC 4648 §5) and nothing else: no other characters, canonical bits."""
    if not isinstance(text, str) or not text.isascii() or not _B64URL.fullmatch(text):
        raise InvalidAddress(f"{what} must be base64url")
    bare = text.rstrip("=")
    if len(text) != len(bare) and len(text) % 4:
        raise InvalidAddress(f"{what} has wrong base64url padding")
    try:
        data = b64url_decode(bare)
    except ValueError as exc:
        raise InvalidAddress(f"{what} must be base64url") from exc
    if b64url(data) != bare:
        raise InvalidAddress(f"{what} must be canonical base64url")
    return data


def check_keys(p256dh: object, auth: object) -> None:
    point = strict_b64url(p256dh, "keys.p256dh")
    if len(point) != 65 or point[0] != 4:
        raise InvalidAddress("keys.p256dh must be an uncompressed P-256 point (65 bytes)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise InvalidAddress("keys.p256dh is not a point on the P-256 curve") from exc
    if len(strict_b64url(auth, "keys.auth")) != 16:
        raise InvalidAddress("keys.auth must be 16 bytes, base64url")


# --- VAPID ------------------------------------------------------------------

_key_lock = threading.Lock()
_SUBJECT = re.compile(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^\s/]+\.[^\s]+")


def check_vapid_subject(subject: str) -> None:
    """RFC 8292 §2.1: a mailto: or https: URI where the push service can reach us."""
    if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
        raise ImproperlyConfigured(
            f"VAPID_SUBJECT must be mailto:<the ward's contact address> or an https:// URL "
            f"(RFC 8292 §2.1); it is {subject!r}")


@cache
def vapid() -> Vapid02:
    if settings.VAPID_PRIVATE_KEY:
        try:
            return Vapid02.from_string(settings.VAPID_PRIVATE_KEY)
        except Exception as exc:  # py_vapid raises several kinds for a bad key
            raise ImproperlyConfigured(
                "VAPID_PRIVATE_KEY must be a base64url raw or DER P-256 private key "
                f"({exc.__class__.__name__})") from exc
    path = settings.VAR_DIR / "vapid_private.pem"
    with _key_lock:
        if not path.exists():
            key = Vapid02()
            key.generate_keys()
            pem = key.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            # O_EXCL: two processes starting together must not end with two different keys.
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
    try:
        return Vapid02.from_pem(path.read_bytes())
    except Exception as exc:
        raise ImproperlyConfigured(f"{path} is not a P-256 private key in PEM") from exc


def public_key() -> str:
    """base64url of the uncompressed P-256 point (the applicationServerKey)."""
    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


_vapid_headers: dict[str, tuple[float, dict[str, str], str]] = {}
_vapid_lock = threading.Lock()


def vapid_headers(audience: str) -> dict[str, str]:
    now = time.time()
    with _vapid_lock:
        cached = _vapid_headers.get(audience)
        if cached and cached[0] - now > 3600 and cached[2] == settings.VAPID_SUBJECT:
            return cached[1]
        check_vapid_subject(settings.VAPID_SUBJECT)
        exp = int(now) + VAPID_LIFETIME
        claims = {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": exp}  # fresh dict
        headers = vapid().sign(claims)
        _vapid_headers[audience] = (exp, headers, settings.VAPID_SUBJECT)
        return headers


# --- encryption (RFC 8291 / RFC 8188) -------------------------------------------

def encrypt(p256dh: str, auth: str, payload: bytes) -> bytes:
    """The aes128gcm body only this subscription's browser can read."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())  # never reused: forward secrecy
    return http_ece.encrypt(payload, salt=os.urandom(16), private_key=ephemeral,
                            dh=b64url_decode(p256dh), auth_secret=b64url_decode(auth),
                            version="aes128gcm", rs=RECORD_SIZE)


# --- sending ----------------------------------------------------------------

CONNECT_TIMEOUT, READ_TIMEOUT = 3.05, 10.0  # seconds
TIMEOUT = (CONNECT_TIMEOUT, READ_TIMEOUT)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the push service's certificate


class _Connections(threading.local):
    """This thread's open connection to each push service (scheme, host, port)."""

    def __init__(self) -> None:
        self.open: dict[tuple, http.client.HTTPConnection] = {}

    def get(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port)
        conn = self.open.get(key)
        if conn is not None and _closed_by_peer(conn):
            self.drop(key)
            conn = None
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(host, port, timeout=CONNECT_TIMEOUT,
                                                   context=_tls())
            else:
                conn = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
            conn.connect()
            conn.sock.settimeout(float(getattr(settings, "WEBPUSH_READ_TIMEOUT", READ_TIMEOUT)))
            self.open[key] = conn
        return conn

    def drop(self, key: tuple) -> None:
        if conn := self.open.pop(key, None):
            conn.close()


_connections = _Connections()


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that is readable has been closed (or broken) by the
    push service; sending on it would fail after the fact, so open a new one first."""
    if conn.sock is None:
        return True
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return bool(poller.poll(0))


def push(endpoint: str, p256dh: str, auth: str, payload: bytes, *, ttl: int, urgency: str,
         topic: str) -> Outcome:
    body = encrypt(p256dh, auth, payload)
    if len(body) > RECORD_SIZE:  # render() keeps within it; never send what will be refused
        return Outcome.permanent(f"encrypted message is {len(body)} bytes (> {RECORD_SIZE})")
    parts = urlsplit(endpoint)
    headers = {**vapid_headers(origin(endpoint)), "TTL": str(ttl), "Urgency": urgency,
               "Topic": topic, "Content-Encoding": "aes128gcm",
               "Content-Type": "application/octet-stream"}
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    key = (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
    try:
        conn = _connections.get(*key)
        conn.request("POST", path or "/", body, headers)
        response = conn.getresponse()
        text = response.read()
        if response.will_close:
            _connections.drop(key)
    except (OSError, http.client.HTTPException) as exc:  # incl. timeouts, refused, TLS, reset
        _connections.drop(key)
        return Outcome.temporary(f"{exc.__class__.__name__}: {exc}")
    code = response.status
    if code in (200, 201, 202):
        return Outcome.sent()
    if code in (404, 410):
        return Outcome.permanent(f"HTTP {code}: subscription expired", gone=True)
    if code == 413:
        return Outcome.permanent("HTTP 413: the push service refused the message size")
    return from_http_status(code, text[:200].decode(errors="replace"),
                            response.getheader("Retry-After"))


# --- the channel ------------------------------------------------------------------

def _payload(notice, title: str, body: str, url: str) -> bytes:
    data = {"id": notice.pk, "tag": f"notice-{notice.pk}", "title": title, "body": body,
            "url": url, "severity": notice.severity, "topics": notice.topics}
    return json.dumps(data, ensure_ascii=False).encode()


def push_payload(notice, lang: str = "ja") -> bytes:
    """JSON the service worker shows; its encrypted record fits the 4,096 bytes."""
    title, body = notice_text(notice, lang)
    url = absolute_url(notice.url)
    return fit(lambda b: _payload(notice, title, b, url), len, body, MAX_PAYLOAD)


class WebPushChannel(ChannelClient):
    name = "webpush"
    label = "Web Push"
    address_fields = ("endpoint", "p256dh", "auth")
    chunk_setting = "NOTIFIER_WEBPUSH_CHUNK"
    threads_setting = "WEBPUSH_THREADS"

    def validate_address(self, address: dict[str, Any]) -> None:
        check_endpoint(address.get("endpoint"))
        check_keys(address.get("p256dh"), address.get("auth"))

    def render(self, notice, lang: str) -> dict:
        urgent = notice.severity == "urgent"
        return {"payload": push_payload(notice, lang),
                "ttl": 6 * 3600 if urgent else 24 * 3600,
                "urgency": "high" if urgent else "normal", "topic": f"notice-{notice.pk}"}

    def check_configuration(self) -> None:
        check_vapid_subject(settings.VAPID_SUBJECT)
        if settings.VAPID_PRIVATE_KEY or (settings.VAR_DIR / "vapid_private.pem").exists():
            vapid()

    def send_one(self, notice, rendered: dict, recipient: Recipient) -> Outcome:
        a = recipient.address
        return push(a["endpoint"], a["p256dh"], a["auth"], rendered["payload"],
                    ttl=rendered["ttl"], urgency=rendered["urgency"], topic=rendered["topic"])
