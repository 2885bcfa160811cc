"""Example custom image for Anvil: an HTTP server on Python's standard library alone.

    GET  /               what this server is (JSON)
    GET  /health         200 {"status": "ok"}; 500 while the file UNHEALTHY_FILE (/tmp/unhealthy) exists
    POST /predict        {"data": [numbers]} -> the same plus their sum and count
    GET  /ws             WebSocket (RFC 6455, by hand): echoes each text message as "echo: <text>"
    GET  /sse?count=N    Server-Sent Events: N events `data: {"i": k}` 50 ms apart, then closes

Environment: PORT (default 8080; 0 picks a free port), UNHEALTHY_FILE. Listens on 0.0.0.0, as a
custom image must, and logs one line per request to stdout.
"""
import base64
import hashlib
import json
import os
import signal
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_BODY = 1024 * 1024
MAX_MESSAGE = 1024 * 1024
SSE_INTERVAL = 0.05
WS_IDLE_SECONDS = 300
UNHEALTHY_FILE = os.environ.get("UNHEALTHY_FILE", "/tmp/unhealthy")


class ProtocolError(Exception):
    """A WebSocket peer broke RFC 6455: close with `code`."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code


class WebSocket:
    """Server side of one WebSocket connection: reads masked client frames, writes unmasked ones."""

    def __init__(self, rfile, wfile):
        self.rfile, self.wfile = rfile, wfile

    def _read(self, n):
        data = self.rfile.read(n)
        if len(data) < n:
            raise EOFError("connection closed mid-frame")
        return data

    def read_frame(self):
        b0, b1 = self._read(2)
        fin, opcode, masked, length = b0 & 0x80, b0 & 0x0F, b1 & 0x80, b1 & 0x7F
        if b0 & 0x70:
            raise ProtocolError(1002, "reserved bits set")
        if not masked:
            raise ProtocolError(1002, "client frames must be masked")
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        if opcode >= 0x8 and (length > 125 or not fin):
            raise ProtocolError(1002, "control frames must be short and unfragmented")
        if length > MAX_MESSAGE:
            raise ProtocolError(1009, "message too big")
        mask = self._read(4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read(length)))
        return bool(fin), opcode, payload

    def send(self, opcode, payload=b""):
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.wfile.write(header + payload)
        self.wfile.flush()

    def close(self, code, reason=""):
        self.send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])

    def serve(self, on_text):
        """Runs until the peer closes: text messages go to on_text, pings get pongs, fragments are joined."""
        message, message_op = b"", None
        while True:
            fin, opcode, payload = self.read_frame()
            if opcode == OP_PING:
                self.send(OP_PONG, payload)
            elif opcode == OP_PONG:
                pass
            elif opcode == OP_CLOSE:
                return self.close(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000)
            elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                if (opcode == OP_CONT) != (message_op is not None):
                    raise ProtocolError(1002, "unexpected continuation frame")
                message_op = message_op if opcode == OP_CONT else opcode
                message += payload
                if len(message) > MAX_MESSAGE:
                    raise ProtocolError(1009, "message too big")
                if fin:
                    if message_op == OP_TEXT:
                        try:
                            on_text(self, message.decode("utf-8"))
                        except UnicodeDecodeError:
                            raise ProtocolError(1007, "text message is not UTF-8")
                    else:
                        self.send(OP_BINARY, message)
                    message, message_op = b"", None
            else:
                raise ProtocolError(1002, "unknown opcode %d" % opcode)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "anvil-example-custom/1.0"

    def log_request(self, code="-", size="-"):
        sys.stdout.write('%s %s "%s" %s\n' % (time.strftime("%Y-%m-%dT%H:%M:%S"), self.client_address[0], self.requestline, code))
        sys.stdout.flush()

    def log_message(self, format, *args):  # errors from http.server: stdout too, one line each
        sys.stdout.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), format % args))
        sys.stdout.flush()

    def reply(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/":
            return self.reply(200, {"name": "anvil-example-custom", "version": "1.0", "endpoints": [
                "GET /", "GET /health", "POST /predict", "GET /ws (WebSocket)", "GET /sse?count=N (text/event-stream)"]})
        if url.path == "/health":
            if os.path.exists(UNHEALTHY_FILE):
                return self.reply(500, {"status": "unhealthy", "reason": "%s exists" % UNHEALTHY_FILE})
            return self.reply(200, {"status": "ok"})
        if url.path == "/sse":
            return self.server_sent_events(parse_qs(url.query).get("count", ["5"])[0])
        if url.path == "/ws":
            return self.websocket()
        self.reply(404, {"error": "no route GET %s" % url.path})

    def do_POST(self):
        if urlsplit(self.path).path != "/predict":
            return self.reply(404, {"error": "no route POST %s" % self.path})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.reply(413, {"error": "body larger than %d bytes" % MAX_BODY})
        try:
            body = json.loads(self.rfile.read(length) or b"null")
            numbers = body["data"]
            if not isinstance(numbers, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in numbers):
                raise TypeError("data must be a list of numbers")
        except (ValueError, KeyError, TypeError) as e:
            return self.reply(400, {"error": 'expected {"data": [numbers]}: %s' % e})
        self.reply(200, {"data": numbers, "sum": sum(numbers), "count": len(numbers)})

    def server_sent_events(self, count):
        if not count.isdigit() or not 0 < int(count) <= 1000:
            return self.reply(400, {"error": "count must be a whole number from 1 to 1000"})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for i in range(int(count)):
                if i:
                    time.sleep(SSE_INTERVAL)
                self.wfile.write(("id: %d\ndata: %s\n\n" % (i, json.dumps({"i": i}))).encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left early

    def websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        if self.headers.get("Upgrade", "").lower() != "websocket" or "upgrade" not in self.headers.get("Connection", "").lower() or not key:
            return self.reply(400, {"error": "expected a WebSocket upgrade"})
        if self.headers.get("Sec-WebSocket-Version") != "13":
            self.send_response(426)
            self.send_header("Sec-WebSocket-Version", "13")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode("ascii")).digest()).decode("ascii")
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        self.connection.settimeout(WS_IDLE_SECONDS)
        ws = WebSocket(self.rfile, self.wfile)
        try:
            ws.serve(lambda conn, text: conn.send(OP_TEXT, ("echo: " + text).encode("utf-8")))
        except ProtocolError as e:
            ws.close(e.code, str(e))
        except (EOFError, ConnectionError, OSError):
            pass  # the peer went away without a close frame


def main():
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler)
    server.daemon_threads = True
    # docker stop sends SIGTERM; as PID 1 without a handler Python would ignore it for 10 s.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    sys.stdout.write("listening on 0.0.0.0:%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
