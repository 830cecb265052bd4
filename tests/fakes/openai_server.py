"""A fake OpenAI-compatible server over real HTTP (loopback, ephemeral port).

`/v1/embeddings` answers with deterministic vectors; `/v1/chat/completions` answers from
a queue of reply strings (then `responder(body)` when set, then DEFAULT_REPLY), streamed as SSE in pieces of
`piece_chars` characters or as one JSON body; `/tokenize` (vLLM's, at the root) counts
characters. Every request is recorded. `failures` holds what the next requests do wrong:

- both: "500" (an error status), "malformed" (a broken JSON body / SSE chunk), "slow"
  (wait `slow_s` before the first byte)
- embeddings: "short" (one vector too few)
- chat: "400" (the request is refused), "stall" (send `stall_after` pieces, then hang until the server stops), "drop"
  (send `stall_after` pieces, then close the connection mid-body)
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = "기본 응답입니다 [1]"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # Clients that gave up (timeouts in the tests) make writes fail: expected, not news.
        pass


class FakeOpenAIServer:
    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.requests: list[dict] = []
        self.failures: deque[str] = deque()  # see the module docstring
        self.replies: deque[str] = deque()
        self.default_reply = DEFAULT_REPLY
        #: Replies from the request body once the queue is empty: for requests that arrive
        #: side by side, where a queue's order would not say which one gets which reply.
        self.responder: Callable[[dict], str] | None = None
        self.piece_chars = 4
        self.slow_s = 1.0
        self.stall_after = 2
        self.tokenize_enabled = True
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        # A short poll interval: shutdown() waits for one, and every test stops a server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def __enter__(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()  # releases stalled and slow handlers
        self._server.shutdown()
        self._server.server_close()

    def vector(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [digest[i] - 127.5 for i in range(self.dim)]

    def pieces(self, reply: str) -> list[str]:
        return [reply[i:i + self.piece_chars] for i in range(0, len(reply), self.piece_chars)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if self.path == "/tokenize":
                    return self._tokenize(body)
                failure = fake.failures.popleft() if fake.failures else None
                if self.path.endswith("/chat/completions"):
                    return self._chat(body, failure)
                if failure == "500":
                    return self._send(500, b'{"error": "overloaded"}')
                if failure == "malformed":
                    return self._send(200, b'{"data": [{"index": 0, "embedd')
                if failure == "slow":
                    fake._stopping.wait(fake.slow_s)
                inputs = body["input"][:-1] if failure == "short" else body["input"]
                data = [{"index": i, "embedding": fake.vector(t), "object": "embedding"} for i, t in enumerate(inputs)]
                self._send(200, json.dumps({"data": data, "model": body["model"]}).encode())

            def _tokenize(self, body: dict) -> None:
                if not fake.tokenize_enabled:
                    return self._send(404, b'{"detail": "Not Found"}')
                prompt = body.get("prompt", "")
                self._send(200, json.dumps({"count": len(prompt), "tokens": list(range(len(prompt))),
                                            "max_model_len": 4096}).encode())

            def _chat(self, body: dict, failure: str | None) -> None:
                if failure in ("400", "500"):
                    message = "context length exceeded" if failure == "400" else "overloaded"
                    return self._send(int(failure), json.dumps({"error": {"message": message}}).encode())
                if failure == "slow":
                    fake._stopping.wait(fake.slow_s)
                reply = (fake.replies.popleft() if fake.replies
                         else fake.responder(body) if fake.responder else fake.default_reply)
                if not body.get("stream"):
                    if failure == "malformed":
                        return self._send(200, b'{"choices": [{"message": {"cont')
                    message = {"role": "assistant", "content": reply}
                    return self._send(200, json.dumps({"object": "chat.completion", "model": body.get("model"),
                                                       "choices": [{"index": 0, "message": message,
                                                                    "finish_reason": "stop"}]}).encode())
                self._stream(body, reply, failure)

            def _stream(self, body: dict, reply: str, failure: str | None) -> None:
                # HTTP/1.1 chunked, as vLLM sends it: a dropped connection is then a
                # truncated body the client can tell from a finished one.
                self.protocol_version = "HTTP/1.1"
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                if failure == "malformed":
                    return self._event('{"choices": [{"delta": {"cont', last=True)
                self._event(self._chunk(body, {"role": "assistant", "content": ""}))
                for i, piece in enumerate(fake.pieces(reply)):
                    if failure in ("stall", "drop") and i == fake.stall_after:
                        if failure == "stall":
                            fake._stopping.wait()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self._event(self._chunk(body, {"content": piece}))
                self._event(self._chunk(body, {}, finish_reason="stop"))
                self._event("[DONE]", last=True)

            @staticmethod
            def _chunk(body: dict, delta: dict, finish_reason: str | None = None) -> str:
                return json.dumps({"object": "chat.completion.chunk", "model": body.get("model"),
                                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]},
                                  ensure_ascii=False)

            def _event(self, data: str, last: bool = False) -> None:
                payload = f"data: {data}\n\n".encode()
                self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
                if last:
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
