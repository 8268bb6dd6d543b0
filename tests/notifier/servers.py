"""Protocol-faithful stand-ins for the services the notifier talks to, on 127.0.0.1.

PushService: a Web Push service (RFC 8030) that checks the VAPID JWT (RFC 8292: ES256
signature with the key in `k=`, aud = its own origin, exp ≤ 24 h), decrypts the
aes128gcm body (RFC 8291) with the subscriber's private key, and applies `Topic`
replacement (a new message with the topic of a still-queued one replaces it).

LineApi: the LINE Messaging API endpoints the hub uses (multicast, reply, push), checking
the bearer token, the X-Line-Retry-Key (a UUID; an accepted key answers 409) and the body
against LINE's documented message limits (text ≤ 5,000 UTF-16 code units, ≤ 5 messages,
quick reply ≤ 13 items, labels ≤ 20), and failing on request (500, 429 with Retry-After,
a hang past the client's timeout). Reply tokens can be marked expired (400, as LINE).

Faults for one subscriber (PushService.behave): every request to that endpoint answers a
given status (404, 410, 413, 429 with Retry-After in seconds or as an HTTP-date, 500), or
hangs, or has its connection reset — while every other endpoint is served normally.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import socket
import struct
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Headers(dict):
    """Request headers, looked up case-insensitively as HTTP wants."""

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)

    def __getitem__(self, name: str):
        return super().__getitem__(name.lower())

    def __contains__(self, name) -> bool:
        return super().__contains__(str(name).lower())


class _Request:
    """One parsed HTTP/1.1 request and the way to answer it on its connection."""

    def __init__(self, connection: _Connection, path: str, headers: _Headers):
        self.connection, self.path, self.headers = connection, path, headers

    def reply(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body or {}).encode()
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
                 "Content-Type: application/json", f"Content-Length: {len(data)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.connection.send(("\r\n".join(lines) + "\r\n\r\n").encode() + data)


class _Connection(asyncio.Protocol):
    """A lean HTTP/1.1 server connection: keep-alive, Content-Length bodies, one request
    at a time. Requests are parsed on the event loop; handlers that may block (a delay,
    an injected hang) run on a thread so other connections keep being served."""

    def __init__(self, service: _Base):
        self.service, self.buffer, self.busy = service, bytearray(), False
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def _next(self) -> None:
        if self.busy:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers = _Headers()
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        try:
            method, target, _version = head[0].split(" ")
            length = int(headers.get("content-length") or 0)
        except ValueError:
            self.transport.close()
            return
        if len(self.buffer) < end + 4 + length:
            return  # the body is still arriving
        body = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        self.close_after = headers.get("connection", "").lower() == "close"
        self.busy = True
        request = _Request(self, target, headers)
        if method != "POST":
            request.reply(405, {"error": "POST only"})
        elif self.service.may_block():
            self.loop.run_in_executor(self.service.executor, self.service.handle, request, body)
        else:
            self.service.handle(request, body)

    def reset(self) -> None:
        """Abort the connection with a TCP RST, as a crashing or hostile server does."""
        if threading.current_thread() is not self.service.thread:
            self.loop.call_soon_threadsafe(self.reset)
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def send(self, data: bytes) -> None:
        if threading.current_thread() is not self.service.thread:
            self.loop.call_soon_threadsafe(self.send, data)
            return
        if self.transport.is_closing():
            return
        self.transport.write(data)
        self.busy = False
        if self.close_after:
            self.transport.close()
        else:
            self._next()


class _Base:
    """A service on 127.0.0.1 with its own event loop thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures: list[dict] = []  # consumed one per request
        self.executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix=type(self).__name__)
        self.loop = asyncio.new_event_loop()
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.origin = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _Connection(self), sock=self.socket))
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())

    def may_block(self) -> bool:
        """Whether the next request's handler may sleep (so must not run on the loop)."""
        return True

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
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.executor.shutdown(wait=False, cancel_futures=True)


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
        self.behaviours: dict[str, dict] = {}  # sub id -> the fault it always shows
        self.delay = 0.0  # seconds every push takes (a slow push service)
        self.attempts_by_sub: dict[str, list[float]] = defaultdict(list)  # monotonic times

    def may_block(self) -> bool:
        # an injected hang or delay sleeps; everything else is quick
        return (bool(self.failures) or self.delay > 0
                or any(b.get("hang") for b in self.behaviours.values()))

    def behave(self, endpoint_or_id: str, status: int | None = None, retry_after: str | None = None,
               hang: float = 0.0, reset: bool = False) -> None:
        """From now on, every request to this subscription shows this fault."""
        sub_id = endpoint_or_id.rsplit("/", 1)[-1]
        with self.lock:
            self.behaviours[sub_id] = {"status": status, "retry_after": retry_after,
                                       "hang": hang, "reset": reset}

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
        with self.lock:
            self.attempts_by_sub[sub_id].append(time.monotonic())
            behaviour = self.behaviours.get(sub_id)
        if self.delay:
            time.sleep(self.delay)
        if behaviour:
            if behaviour["hang"]:
                time.sleep(behaviour["hang"])
            if behaviour["reset"]:
                return request.connection.reset()
            if behaviour["status"]:
                headers = {"Retry-After": behaviour["retry_after"]} if behaviour["retry_after"] else {}
                return request.reply(behaviour["status"], {"error": "injected fault"}, headers)
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


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def line_message_problem(messages: object) -> str | None:
    """What LINE's API would answer 400 for in a messages array (documented limits)."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return "messages must be 1 to 5 message objects"
    for m in messages:
        if not isinstance(m, dict) or m.get("type") != "text" or not m.get("text"):
            return "only non-empty text messages are used by the hub"
        if utf16_units(m["text"]) > 5000:
            return f"text is {utf16_units(m['text'])} characters (UTF-16), more than 5000"
        items = ((m.get("quickReply") or {}).get("items")) or []
        if len(items) > 13:
            return "quickReply has more than 13 items"
        for item in items:
            action = item.get("action") or {}
            if len(action.get("label") or "") > 20:
                return "action label longer than 20"
            for key in ("data", "displayText", "text"):
                if len(action.get(key) or "") > 300:
                    return f"action {key} longer than 300"
    return None


class LineApi(_Base):
    def __init__(self, access_token: str = "test-line-token"):
        super().__init__()
        self.access_token = access_token
        self.accepted_keys: dict[str, str] = {}
        self.by_user: dict[str, list[dict]] = defaultdict(list)
        self.attempts: list[tuple[str | None, int]] = []  # (retry key, status)
        self.replies: list[dict] = []
        self.pushes: list[dict] = []
        self.expired_reply_tokens: set[str] = set()
        self.reply_delay = 0.0  # seconds each reply takes (a slow LINE)
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
            if self.reply_delay:
                time.sleep(self.reply_delay)
            if problem := line_message_problem(data.get("messages")):
                return request.reply(400, {"message": problem})
            if not data.get("replyToken") or data["replyToken"] in self.expired_reply_tokens:
                return request.reply(400, {"message": "Invalid reply token"})
            with self.lock:
                self.replies.append(data)
                self.expired_reply_tokens.add(data["replyToken"])  # a token works once
            return request.reply(200, {"sentMessages": []})
        if request.path == "/v2/bot/message/push":
            key = request.headers.get("X-Line-Retry-Key")
            if problem := line_message_problem(data.get("messages")):
                return request.reply(400, {"message": problem})
            if not LINE_USER_ID.fullmatch(str(data.get("to") or "")):
                return request.reply(400, {"message": "Invalid 'to'"})
            with self.lock:
                if key and key in self.accepted_keys:
                    return request.reply(409, {"message": "The retry key is already accepted"})
                if key:
                    self.accepted_keys[key] = uuid.uuid4().hex
                self.pushes.append(data)
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
        if problem := line_message_problem(messages):
            self.attempts.append((key, 400))
            return request.reply(400, {"message": problem})
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


class Rasa(_Base):
    """Rasa's HTTP channel as the hub calls it (POST /webhooks/hub/webhook), answering
    after `delay` seconds: a slow assistant."""

    def __init__(self, delay: float = 0.0, text: str = "粗大ごみは予約制です。"):
        super().__init__()
        self.delay, self.text = delay, text
        self.questions: list[dict] = []

    def handle(self, request, body: bytes) -> None:
        if request.path != "/webhooks/hub/webhook":
            return request.reply(404, {"error": "not found"})
        data = json.loads(body)
        with self.lock:
            self.questions.append(data)
        time.sleep(self.delay)
        request.reply(200, {"messages": [{"recipient_id": data.get("sender"), "text": self.text}],
                            "intent": {"name": "faq", "confidence": 0.95}})


def line_user_id(n: int) -> str:
    return "U" + f"{n:032x}"
