"""Anvil's Python model server: serves one model package under the ModelArts contract (guide §4.1).

Environment: ANVIL_MODEL_DIR (the package's `model` folder), PORT (default 8080),
ANVIL_MODEL_NAME, ANVIL_MODEL_TYPE (config.json model_type). Serves POST on the `apis` urls
(default `/`) with application/json or multipart/form-data, bodies framed by Content-Length or
Transfer-Encoding: chunked (up to 12 MB), and GET /health.
"""
import importlib.util
import inspect
import io
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import types
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_service.model_service import SingleNodeService  # noqa: E402
from model_service.python_model_service import XgSkServingBaseService  # noqa: E402

MAX_BODY = 12 * 1024 * 1024
MAX_CHUNK_LINE = 4096
CHUNK_SIZE = re.compile(rb"^[0-9A-Fa-f]{1,16}$")
# A lone CR ends a line in an event stream too: left inside a data line it would cut the event.
SSE_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Engines whose self.model_path is the model file rather than the directory (guide §4.1.3).
MODEL_FILE_SUFFIXES = {
    "PyTorch": (".pth", ".pt"),
    "Scikit_Learn": (".m", ".pkl", ".joblib", ".npz"),
    "XGBoost": (".m", ".model", ".bst", ".npz"),
}


def log(msg):
    """Informational lines go to stdout: Anvil reads the last stderr line as the reason a start failed."""
    sys.stdout.write("[anvil-model-server] %s\n" % msg)
    sys.stdout.flush()


def resolve_model_path(model_dir, model_type):
    suffixes = MODEL_FILE_SUFFIXES.get(model_type)
    if not suffixes:
        return model_dir
    found = sorted(f for f in os.listdir(model_dir) if f.endswith(suffixes))
    return os.path.join(model_dir, found[0]) if len(found) == 1 else model_dir


def load_service_class(model_dir):
    sys.path.insert(0, model_dir)  # sibling modules of customize_service.py import directly
    spec = importlib.util.spec_from_file_location("customize_service", os.path.join(model_dir, "customize_service.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    candidates = [c for _, c in inspect.getmembers(module, inspect.isclass)
                  if issubclass(c, SingleNodeService) and c.__module__ == module.__name__]
    if len(candidates) != 1:
        raise RuntimeError("customize_service.py must define exactly one subclass of a model_service base class, found %d"
                           % len(candidates))
    return candidates[0]


def build_service(model_dir, model_name, model_type):
    cls = load_service_class(model_dir)
    model_path = resolve_model_path(model_dir, model_type)
    if issubclass(cls, XgSkServingBaseService):
        return cls(model_path)
    return cls(model_name, model_path)


def parse_multipart(content_type, body):
    """multipart/form-data -> {field: {filename: file-like}} (GUIDE-INDEX §A decision 9)."""
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValueError("malformed multipart body")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename() or name
        fields.setdefault(name, {})[filename] = io.BytesIO(part.get_payload(decode=True) or b"")
    return fields


class BodyError(Exception):
    """A request body that cannot be read: the status to answer and why."""

    def __init__(self, status, message):
        Exception.__init__(self, message)
        self.status = status


def read_chunked(rfile, limit):
    """A `Transfer-Encoding: chunked` body (RFC 9112 §7.1): extensions ignored, trailers consumed."""
    body = bytearray()
    while True:
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if len(line) > MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise BodyError(400, "malformed chunked body: chunk-size line too long or cut off")
        size_text = line.split(b";", 1)[0].strip()
        if not CHUNK_SIZE.match(size_text):
            raise BodyError(400, "malformed chunked body: %r is not a hexadecimal chunk size" % size_text.decode("latin-1"))
        size = int(size_text, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise BodyError(413, "Request body is larger than 12 MB")
        data = rfile.read(size)
        if len(data) != size:
            raise BodyError(400, "malformed chunked body: the body ends inside a chunk")
        if rfile.read(2) != b"\r\n":
            raise BodyError(400, "malformed chunked body: a chunk is longer than its size")
        body += data
    while True:  # trailer fields, up to the empty line
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if len(line) > MAX_CHUNK_LINE or not line.endswith(b"\n"):
            raise BodyError(400, "malformed chunked body: trailer line too long or cut off")
        if line in (b"\r\n", b"\n"):
            return bytes(body)


def is_predict_analysis(request):
    return isinstance(request, dict) and ("meta" in request or isinstance(request.get("data"), dict)
                                          and "req_data" in request["data"])


def with_meta(request, result):
    """Predict-analysis mode (guide §3.1.4.2.1): wrap a bare list as data.resp_data and echo meta.uuid."""
    if not is_predict_analysis(request):
        return result
    if isinstance(result, list):
        result = {"data": {"resp_data": result}}
    if isinstance(result, dict):
        meta = request.get("meta") if isinstance(request.get("meta"), dict) else {}
        result.setdefault("meta", {})
        if isinstance(result["meta"], dict):
            result["meta"]["uuid"] = meta.get("uuid", "")
    return result


def is_stream(result):
    """A generator or iterator (not a dict, list or string) is streamed as events."""
    return isinstance(result, types.GeneratorType) or (hasattr(result, "__next__") and not isinstance(result, (str, bytes, dict, list)))


def primed(events):
    """Runs a generator up to its first item, so a model that fails at once is answered 500, not 200 and an error event."""
    try:
        first = next(events)
    except StopIteration:
        return iter(())

    def resumed():
        yield first
        yield from events  # closing this closes the model's generator too
    return resumed()


def sse_event(item, event=None):
    """One event: text as is, anything else as JSON; each line of it a `data:` line (the SSE format)."""
    text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, default=str)
    lines = (["event: %s" % event] if event else []) + ["data: %s" % line for line in SSE_LINE_BREAK.split(text)]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    server_version = "AnvilModelServer/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive clients wait ~40 ms for an ACK.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # request lines are the gateway's to log
        pass

    def reply(self, status, payload):
        body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # Status line, headers and body in one write: one packet for a small answer.
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self.flush_headers()

    def stream(self, events):
        """A generator's items as Server-Sent Events (guide §3.1.4.5), each sent the moment it is yielded."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream;charset=UTF-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        try:
            self.end_headers()
            try:
                for item in events:
                    self.write_chunk(sse_event(item))
            except (BrokenPipeError, ConnectionResetError):
                raise
            except Exception as e:  # the model failed mid-stream: say so in the stream, then end it
                traceback.print_exc()
                self.write_chunk(sse_event("%s: %s" % (type(e).__name__, e), event="error"))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left: stop the model's generator
        finally:
            close = getattr(events, "close", None)
            if close:
                close()

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def error(self, status, code, msg):
        self.reply(status, {"error_code": code, "error_msg": msg})

    def do_GET(self):
        if self.path.split("?")[0] == "/health":
            self.reply(200, {"status": "OK"})
        else:
            self.error(404, "ModelArts.4404", "No GET route %s; this model serves POST on %s" % (self.path, ", ".join(self.server.urls)))

    def read_body(self):
        """The body framed by Transfer-Encoding: chunked (the gateway streams as it receives) or Content-Length."""
        encodings = [e.strip().lower() for e in self.headers.get("Transfer-Encoding", "").split(",") if e.strip()]
        if encodings:
            if encodings[-1] != "chunked" or any(e not in ("chunked", "identity") for e in encodings):
                raise BodyError(400, "unsupported Transfer-Encoding %s" % self.headers.get("Transfer-Encoding"))
            return read_chunked(self.rfile, MAX_BODY)
        text = (self.headers.get("Content-Length") or "0").strip()
        if not re.match(r"^[0-9]{1,12}$", text):
            raise BodyError(400, "invalid Content-Length %r" % text)
        if int(text) > MAX_BODY:
            raise BodyError(413, "Request body is larger than 12 MB")
        body = self.rfile.read(int(text))
        if len(body) != int(text):
            raise BodyError(400, "the body ends before its Content-Length")
        return body

    def do_POST(self):
        path = self.path.split("?")[0]
        try:
            body = self.read_body()
        except BodyError as e:
            # The rest of the stream cannot be framed any more: answer and close.
            self.close_connection = True
            return self.error(e.status, "ModelArts.4413" if e.status == 413 else "ModelArts.4400", str(e))
        if path not in self.server.urls:
            return self.error(404, "ModelArts.4404", "No API at %s; config.json apis declare %s" % (path, ", ".join(self.server.urls)))
        content_type = self.headers.get("Content-Type", "application/json")
        service = self.server.model
        try:
            if content_type.startswith("multipart/form-data"):
                request = parse_multipart(content_type, body)
                data = request
            else:
                text = body.decode("utf-8")
                request = json.loads(text)
                data = text if service.json_input == "text" else request
        except (ValueError, UnicodeDecodeError) as e:
            return self.error(400, "ModelArts.4400", "Cannot parse the %s request body: %s" % (content_type.split(";")[0], e))
        try:
            result = service.inference(data)
            if is_stream(result):
                result = primed(result)
        except Exception as e:  # the model's own failure: report it, keep serving
            traceback.print_exc()
            return self.error(500, "ModelArts.4500", "Model inference failed: %s: %s" % (type(e).__name__, e))
        if is_stream(result):
            return self.stream(result)
        self.reply(200, with_meta(request, result))


def exit_when_orphaned():
    """Anvil owns this process: if Anvil dies, so does the instance (no orphans)."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main():
    logging.basicConfig(stream=sys.stdout, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    model_dir = os.environ["ANVIL_MODEL_DIR"]
    port = int(os.environ.get("PORT", "8080"))
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    urls = [a.get("url", "/") for a in config.get("apis") or []] or ["/"]
    threading.Thread(target=exit_when_orphaned, daemon=True).start()
    started = time.time()
    model = build_service(model_dir, os.environ.get("ANVIL_MODEL_NAME", "model"), config.get("model_type", ""))
    server = ThreadingHTTPServer((os.environ.get("ANVIL_BIND_HOST", "127.0.0.1"), port), Handler)
    server.daemon_threads = True
    server.model = model
    server.urls = urls
    log("model loaded in %.2fs, serving %s on port %d" % (time.time() - started, ", ".join(urls), port))
    server.serve_forever()


if __name__ == "__main__":
    main()
