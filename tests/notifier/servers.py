"""Protocol-faithful stand-ins for the services the notifier talks to, on 127.0.0.1.

PushService: a Web Push service (RFC 8030) that checks the VAPID JWT (RFC 8292: ES256
signature with the key in `k=`, aud = its own origin, exp ≤ 24 h), decrypts the
aes128gcm body (RFC 8291) with the subscriber's private key, and applies `Topic`
replacement (a new message with the topic of a still-queued one replaces it).

LineApi: the LINE Messaging API endpoints the hub uses (multicast, reply), checking the
bearer token, the X-Line-Retry-Key (a UUID; an accepted key answers 409) and the body,
and failing on request (500, 429 with Retry-After, a hang past the client's timeout).
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the crash test) is expected, not news


class _Base:
    def __init__(self):
        self.lock = threading.Lock()
        self.failures: list[dict] = []  # consumed one per request
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def fail_next(self, count: int = 1, status: int = 500, retry_after: int | None = None,
                  hang: float = 0.0, after_accept: bool = False) -> None:
        with self.lock:
            self.failures.extend([{"status": status, "retry_after": retry_after, "hang": hang,
                                   "after_accept": after_accept}] * count)

    def _next_failure(self) -> dict | None:
        with self.lock:
            return self.failures.pop(0) if self.failures else None

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status: int, body: dict | None = None, headers: dict | None = None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                service.handle(self, body)

        return Handler


class PushService(_Base):
    """A browser push service. Each subscription has its own keys, made by the test."""

    def __init__(self, decrypt_every: int = 1):
        super().__init__()
        self.decrypt_every = decrypt_every  # the bench may sample decryption (CPU)
        self.keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        self.queued: dict[str, dict[str, dict]] = defaultdict(dict)  # sub -> topic -> message
        self.untopiced: dict[str, list[dict]] = defaultdict(list)
        self.received = 0  # every accepted POST, replaced or not
        self.replaced = 0
        self.gone: set[str] = set()
        self.errors: list[str] = []
        self.verified_tokens: dict[str, dict] = {}
        self.last_headers: dict[str, str] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None

    def subscription(self, sub_id: str | None = None) -> dict:
        """What PushManager.subscribe() would hand the page: endpoint + keys."""
        sub_id = sub_id or uuid.uuid4().hex
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        with self.lock:
            self.keys[sub_id] = (private, auth)
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{sub_id}",
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def add_known_subscription(self, sub_id: str, private_pem: bytes, auth: bytes) -> None:
        key = serialization.load_pem_private_key(private_pem, None)
        with self.lock:
            self.keys[sub_id] = (key, auth)

    def messages(self, endpoint_or_id: str) -> list[dict]:
        sub_id = endpoint_or_id.rsplit("/", 1)[-1]
        with self.lock:
            return list(self.queued[sub_id].values()) + list(self.untopiced[sub_id])

    def message_counts(self) -> dict[str, int]:
        with self.lock:
            ids = set(self.queued) | set(self.untopiced)
            return {i: len(self.queued[i]) + len(self.untopiced[i]) for i in ids}

    def _check_vapid(self, authorization: str) -> str | None:
        match = re.fullmatch(r"vapid t=([^,]+),\s*k=([A-Za-z0-9_-]+)", authorization or "")
        if not match:
            return "Authorization must be 'vapid t=<jwt>,k=<key>'"
        token, k = match.groups()
        cached = self.verified_tokens.get(authorization)
        now = time.time()
        if cached is None:
            try:
                key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(k))
                claims = jwt.decode(token, key, algorithms=["ES256"], audience=self.origin,
                                    options={"require": ["exp", "aud", "sub"]})
            except Exception as exc:
                return f"VAPID JWT rejected: {exc}"
            if claims["exp"] > now + 24 * 3600:
                return "VAPID exp more than 24 hours ahead"
            if not str(claims["sub"]).startswith(("mailto:", "https://")):
                return "VAPID sub must be mailto: or https:"
            self.verified_tokens[authorization] = cached = claims
        if cached["exp"] < now:
            return "VAPID JWT expired"
        return None

    def handle(self, request, body: bytes) -> None:
        match = re.fullmatch(r"/push/([0-9a-zA-Z_-]+)", request.path)
        if not match:
            return request.reply(404, {"error": "no such path"})
        sub_id = match.group(1)
        if sub_id in self.gone:
            return request.reply(410, {"error": "subscription expired"})
        with self.lock:
            keys = self.keys.get(sub_id)
        if keys is None:
            return request.reply(404, {"error": "unknown subscription"})
        failure = self._next_failure()
        if failure:
            if failure["hang"]:
                time.sleep(failure["hang"])
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return request.reply(failure["status"], {"error": "injected failure"}, headers)
        if problem := self._check_vapid(request.headers.get("Authorization")):
            self.errors.append(problem)
            return request.reply(401, {"error": problem})
        for header in ("TTL", "Urgency", "Topic"):
            if request.headers.get(header) is None:
                self.errors.append(f"missing {header}")
                return request.reply(400, {"error": f"missing {header} header"})
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return request.reply(415, {"error": "Content-Encoding must be aes128gcm"})
        if len(body) > 4096:
            return request.reply(413, {"error": "payload over 4096 bytes"})
        with self.lock:
            self.received += 1
            number = self.received
            self.last_headers = dict(request.headers)
        if self.decrypt_every == 1 or number % self.decrypt_every == 1:
            try:
                plain = http_ece.decrypt(body, private_key=keys[0], auth_secret=keys[1],
                                         version="aes128gcm")
                message = json.loads(plain)
            except Exception as exc:
                self.errors.append(f"cannot decrypt: {exc!r}")
                return request.reply(400, {"error": "cannot decrypt"})
        else:
            message = {"undecrypted": True}
        message["_urgency"] = request.headers.get("Urgency")
        message["_ttl"] = request.headers.get("TTL")
        topic = request.headers.get("Topic")
        with self.lock:
            if topic in self.queued[sub_id]:
                self.replaced += 1
            self.queued[sub_id][topic] = message
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
        request.reply(201, {}, {"Location": f"{self.origin}/message/{uuid.uuid4().hex}"})


LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")


class LineApi(_Base):
    def __init__(self, access_token: str = "test-line-token"):
        super().__init__()
        self.access_token = access_token
        self.accepted_keys: dict[str, str] = {}
        self.by_user: dict[str, list[dict]] = defaultdict(list)
        self.attempts: list[tuple[str | None, int]] = []  # (retry key, status)
        self.replies: list[dict] = []
        self.delay = 0.0  # seconds each multicast takes before it is accepted
        self.first_at: float | None = None
        self.last_at: float | None = None

    def messages(self, user_id: str) -> list[dict]:
        with self.lock:
            return list(self.by_user[user_id])

    def message_counts(self) -> dict[str, int]:
        with self.lock:
            return {u: len(m) for u, m in self.by_user.items()}

    def handle(self, request, body: bytes) -> None:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return request.reply(401, {"message": "Authentication failed"})
        try:
            data = json.loads(body)
        except ValueError:
            return request.reply(400, {"message": "The request body has 1 error(s)"})
        if request.path == "/v2/bot/message/reply":
            if not data.get("replyToken") or not 1 <= len(data.get("messages") or []) <= 5:
                return request.reply(400, {"message": "Invalid reply"})
            with self.lock:
                self.replies.append(data)
            return request.reply(200, {"sentMessages": []})
        if request.path != "/v2/bot/message/multicast":
            return request.reply(404, {"message": "Not found"})
        key = request.headers.get("X-Line-Retry-Key")
        try:
            uuid.UUID(key or "")
        except ValueError:
            self.attempts.append((key, 400))
            return request.reply(400, {"message": "The retry key must be a UUID"})
        to, messages = data.get("to") or [], data.get("messages") or []
        if not 1 <= len(to) <= 500 or not all(LINE_USER_ID.fullmatch(u) for u in to):
            self.attempts.append((key, 400))
            return request.reply(400, {"message": "Invalid 'to'"})
        if not 1 <= len(messages) <= 5 or any(m.get("type") != "text" or not m.get("text") for m in messages):
            self.attempts.append((key, 400))
            return request.reply(400, {"message": "Invalid messages"})
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            accepted = self.accepted_keys.get(key)
        if accepted:
            self.attempts.append((key, 409))
            return request.reply(409, {"message": "The retry key is already accepted"},
                                 {"x-line-accepted-request-id": accepted})
        failure = self._next_failure()
        if failure and not failure["after_accept"]:
            if failure["hang"]:
                time.sleep(failure["hang"])
            self.attempts.append((key, failure["status"]))
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return request.reply(failure["status"], {"message": "injected failure"}, headers)
        with self.lock:
            self.accepted_keys[key] = uuid.uuid4().hex
            for user in to:
                self.by_user[user].extend(messages)
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
        if failure:  # accepted, but the answer is lost (hang past the client's timeout)
            self.attempts.append((key, 0))
            time.sleep(failure["hang"])
            return request.reply(500, {"message": "late"})
        self.attempts.append((key, 200))
        request.reply(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})


def line_user_id(n: int) -> str:
    return "U" + f"{n:032x}"
