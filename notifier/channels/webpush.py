"""Web Push (RFC 8030/8291/8292), tuned for a ward-wide fan-out.

- VAPID key: settings.VAPID_PRIVATE_KEY, else generated once into var/ (py_vapid, the
  library under pywebpush).
- The VAPID Authorization header is signed once per audience (push-service origin) and
  reused until an hour before it expires; each signature gets a fresh claims dict.
- Encryption is RFC 8291 aes128gcm done here with `cryptography`, exactly what pywebpush
  does through http_ece (the test push service decrypts with http_ece), minus its
  per-call overhead: a fresh ephemeral P-256 key and a fresh salt for every message.
- HTTP/1.1 keep-alive connections from the standard library, one per sending thread and
  push service (a pooled requests.Session cost ~8× the CPU per request, and at 88,000
  pushes that CPU is what a 2-core server runs out of). Explicit connect and read
  timeouts; a connection the push service closed while idle is reopened before use.
- TTL, Urgency (high for disaster notices) and Topic (so a message resent after a crash
  replaces the first one at the push service) on every request.
"""

from __future__ import annotations

import base64
import http.client
import os
import select
import ssl
import threading
import time
from functools import cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from py_vapid import Vapid02

from .outcome import Outcome, parse_retry_after

TIMEOUT = (3.05, 10)  # connect, read (seconds)
MAX_PAYLOAD = 3800  # bytes of JSON before encryption; the push limit is 4096 after it
VAPID_LIFETIME = 12 * 3600  # exp must be ≤ 24 h (RFC 8292 §2)

# Push services of the browsers residents use (endpoint host, or suffix with a dot).
KNOWN_PUSH_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet
    "android.googleapis.com",
    "updates.push.services.mozilla.com",  # Firefox
    "web.push.apple.com",  # Safari (macOS, iOS ≥ 16.4)
    ".notify.windows.com",  # Edge on Windows (WNS)
)


class InvalidEndpoint(ValueError):
    pass


def check_endpoint(endpoint: str) -> None:
    """Only real push services (https), or loopback when tests explicitly allow it."""
    if not isinstance(endpoint, str) or len(endpoint) > 2048:
        raise InvalidEndpoint("endpoint must be a URL of at most 2048 characters")
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if settings.WEBPUSH_ALLOW_LOOPBACK and host == "127.0.0.1" and parts.scheme in ("http", "https"):
        return
    if parts.scheme != "https":
        raise InvalidEndpoint("endpoint must be an https URL of a browser push service")
    if not any(host == h or (h.startswith(".") and host.endswith(h)) for h in KNOWN_PUSH_HOSTS):
        raise InvalidEndpoint(f"{host or 'this host'} is not a known browser push service")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_keys(p256dh: str, auth: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        point = b64url_decode(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        secret = b64url_decode(auth)
    except Exception as exc:
        raise ValueError("keys.p256dh must be a base64url P-256 public key") from exc
    if len(point) != 65:
        raise ValueError("keys.p256dh must be an uncompressed P-256 point (65 bytes)")
    if len(secret) != 16:
        raise ValueError("keys.auth must be 16 bytes, base64url")


# --- VAPID ------------------------------------------------------------------

_key_lock = threading.Lock()


@cache
def vapid() -> Vapid02:
    if settings.VAPID_PRIVATE_KEY:
        return Vapid02.from_string(settings.VAPID_PRIVATE_KEY)
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
    return Vapid02.from_pem(path.read_bytes())


def public_key() -> str:
    """base64url of the uncompressed P-256 point (the applicationServerKey)."""
    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


_vapid_headers: dict[str, tuple[float, dict[str, str]]] = {}
_vapid_lock = threading.Lock()


def vapid_headers(audience: str) -> dict[str, str]:
    now = time.time()
    with _vapid_lock:
        cached = _vapid_headers.get(audience)
        if cached and cached[0] - now > 3600:
            return cached[1]
        exp = int(now) + VAPID_LIFETIME
        claims = {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": exp}  # fresh dict
        headers = vapid().sign(claims)
        _vapid_headers[audience] = (exp, headers)
        return headers


# --- encryption (RFC 8291 / RFC 8188) -------------------------------------------

RECORD_SIZE = 4096  # one record holds the whole message (MAX_PAYLOAD + padding + tag < rs)
_X962 = serialization.Encoding.X962
_UNCOMPRESSED = serialization.PublicFormat.UncompressedPoint


def _hkdf(secret: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, info).derive(secret)


def encrypt(p256dh: str, auth: str, payload: bytes) -> bytes:
    """The aes128gcm body only this subscription's browser can read. Raises ValueError
    for keys that are not a P-256 point and a 16-byte secret (nothing will ever work)."""
    receiver_bytes = b64url_decode(p256dh)
    auth_secret = b64url_decode(auth)
    if len(auth_secret) != 16:
        raise ValueError("auth secret must be 16 bytes")
    receiver = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), receiver_bytes)
    ephemeral = ec.generate_private_key(ec.SECP256R1())  # never reused: forward secrecy
    sender_bytes = ephemeral.public_key().public_bytes(_X962, _UNCOMPRESSED)
    ikm = _hkdf(ephemeral.exchange(ec.ECDH(), receiver), auth_secret,
                b"WebPush: info\x00" + receiver_bytes + sender_bytes, 32)
    salt = os.urandom(16)
    key = _hkdf(ikm, salt, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(ikm, salt, b"Content-Encoding: nonce\x00", 12)
    record = AESGCM(key).encrypt(nonce, payload + b"\x02", None)  # 0x02: last record
    header = salt + RECORD_SIZE.to_bytes(4, "big") + bytes([len(sender_bytes)]) + sender_bytes
    return header + record


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
            conn.sock.settimeout(READ_TIMEOUT)
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
    try:
        body = encrypt(p256dh, auth, payload)
    except ValueError as exc:  # bad keys stored: nothing will ever work
        return Outcome.permanent(f"invalid subscription: {exc}")
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    headers = {**vapid_headers(audience), "TTL": str(ttl), "Urgency": urgency, "Topic": topic,
               "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    key = (parts.scheme, parts.hostname, parts.port)
    try:
        conn = _connections.get(*key)
        conn.request("POST", path or "/", body, headers)
        response = conn.getresponse()
        text = response.read()
        if response.will_close:
            _connections.drop(key)
    except (OSError, http.client.HTTPException) as exc:  # incl. timeouts, refused, TLS
        _connections.drop(key)
        return Outcome.temporary(f"{exc.__class__.__name__}: {exc}")
    code = response.status
    if code in (200, 201, 202):
        return Outcome.sent()
    if code in (404, 410):
        return Outcome.permanent(f"HTTP {code}: subscription expired", gone=True)
    detail = f"HTTP {code}: {text[:200].decode(errors='replace')}"
    if code == 429 or code >= 500:
        return Outcome.temporary(detail, parse_retry_after(response.getheader("Retry-After")))
    return Outcome.permanent(detail)
