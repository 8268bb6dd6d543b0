"""A pass-through HTTP proxy in front of the test CKAN that counts (and can break) uploads.

Counting at the wire is how the tests know what the publisher really sent; dropping one
upload mid-run is how they see what a network failure leaves behind.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

UPLOAD_ACTIONS = ("/action/resource_create", "/action/resource_patch")  # /api/action or /api/3/action


class CountingProxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.requests: list[str] = []
        self.uploads: list[str] = []  # file names uploaded, in order
        self.drop_upload_number: int | None = None  # 1-based upload to cut off
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                proxy.requests.append(f"{self.command} {path}")
                if self.command == "POST" and path.endswith(UPLOAD_ACTIONS) and b"filename=" in body:
                    name = body.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
                    if proxy.drop_upload_number == len(proxy.uploads) + 1:
                        proxy.drop_upload_number = None
                        self.close_connection = True  # the network dies mid-upload
                        return
                    proxy.uploads.append(name)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                upstream = requests.request(self.command, proxy.target + self.path, data=body,
                                            headers=headers, timeout=60, allow_redirects=False)
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                           "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self) -> None:
        self.requests.clear()
        self.uploads.clear()

    def __enter__(self) -> CountingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
