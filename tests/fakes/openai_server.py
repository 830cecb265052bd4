"""A fake OpenAI-compatible server over real HTTP (loopback, ephemeral port). It answers
`/v1/embeddings` with deterministic vectors and can be told to fail the next requests."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAIServer:
    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.requests: list[dict] = []
        self.failures: deque[str] = deque()  # "500", "malformed", "short", "slow"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def vector(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [digest[i] - 127.5 for i in range(self.dim)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                failure = fake.failures.popleft() if fake.failures else None
                if failure == "500":
                    return self._send(500, b'{"error": "overloaded"}')
                if failure == "malformed":
                    return self._send(200, b'{"data": [{"index": 0, "embedd')
                if failure == "slow":
                    threading.Event().wait(1.0)
                inputs = body["input"][:-1] if failure == "short" else body["input"]
                data = [{"index": i, "embedding": fake.vector(t), "object": "embedding"} for i, t in enumerate(inputs)]
                self._send(200, json.dumps({"data": data, "model": body["model"]}).encode())

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
