"""Web Push (RFC 8030/8291/8292) through pywebpush, tuned for a ward-wide fan-out.

- VAPID key: settings.VAPID_PRIVATE_KEY, else generated once into var/.
- One shared requests.Session (keep-alive to each push service).
- The VAPID Authorization header is signed once per audience (push-service origin) and
  reused until an hour before it expires; each signature gets a fresh claims dict.
- Explicit timeout, TTL, Urgency (high for disaster notices) and Topic (so a message
  resent after a crash replaces the first one at the push service).
"""

from __future__ import annotations

import base64
import os
import threading
import time
from functools import cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

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


# --- sending ----------------------------------------------------------------

_session_lock = threading.Lock()
_session: requests.Session | None = None


def session() -> requests.Session:
    global _session
    with _session_lock:
        if _session is None:
            s = requests.Session()
            pool = int(getattr(settings, "WEBPUSH_THREADS", 16)) * 2
            adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=pool,
                                                    max_retries=0)
            s.mount("https://", adapter)
            s.mount("http://", adapter)
            _session = s
        return _session


def push(endpoint: str, p256dh: str, auth: str, payload: bytes, *, ttl: int, urgency: str,
         topic: str) -> Outcome:
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    headers = {**vapid_headers(audience), "Urgency": urgency, "Topic": topic}
    try:
        pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                           requests_session=session())
        response = pusher.send(payload, headers=headers, ttl=ttl, content_encoding="aes128gcm",
                               timeout=TIMEOUT)
    except WebPushException as exc:  # bad keys stored: nothing will ever work
        return Outcome.permanent(f"invalid subscription: {exc}")
    except requests.RequestException as exc:
        return Outcome.temporary(f"{exc.__class__.__name__}: {exc}")
    code = response.status_code
    if code in (200, 201, 202):
        return Outcome.sent()
    if code in (404, 410):
        return Outcome.permanent(f"HTTP {code}: subscription expired", gone=True)
    detail = f"HTTP {code}: {response.text[:200]}"
    if code == 429 or code >= 500:
        return Outcome.temporary(detail, parse_retry_after(response.headers.get("Retry-After")))
    return Outcome.permanent(detail)
