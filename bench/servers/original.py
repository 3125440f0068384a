"""A stand-in of the system Luz replaces, for a same-run comparison of getFatura (issue 17).

The original lab server kept every reading in a Python list in memory, answered HTTP with a thread
per request, and computed an invoice by scanning every reading at the flat R$ 1.07/kWh. This does
the same with the standard library only, and nothing more (no authorization, no durability): it is
the bar a user comparing the two systems sees. Its figures are checked against the
issue's side-by-side ones (903 req/s at c1, 321 req/s at c16) in PERFORMANCE.md. The bench seeds it through POST /postConsumo.

Usage: python3 original.py  -> prints {"ready": true, "port": N} once listening on 127.0.0.1.
"""
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TARIFF = 1.07
readings = []  # (cpf, meter, kwh, timestamp), as the original kept them
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    # The standard library's defaults, as a hand-rolled server has them: HTTP/1.0 (a connection per
    # request) and a listen backlog of 5. Only the answer is written whole, in one send, as a server
    # that builds its response string does (two sends would meet Nagle and delayed ACKs: +40 ms).
    wbufsize = 1 << 16

    def log_message(self, *args):  # the original printed nothing per request either
        pass

    def fields(self):
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        return {**query, **body}

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        fields = self.fields()
        if urlsplit(self.path).path != "/postConsumo":
            return self.answer(404, {"error": "not found"})
        with lock:
            readings.append((str(fields["id"]), int(fields["id_medidor"]), float(fields["valor"]), float(fields["timestamp"])))
        self.answer(201, {"ok": True})

    def do_GET(self):
        fields = self.fields()
        if urlsplit(self.path).path != "/getFatura":
            return self.answer(404, {"error": "not found"})
        cpf = str(fields.get("id"))
        kwh = sum(value for (owner, _meter, value, _time) in list(readings) if owner == cpf)
        self.answer(200, {"id": cpf, "kwh": round(kwh, 3), "valor_total": round(kwh * TARIFF, 2)})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(json.dumps({"ready": True, "port": server.server_address[1]}), flush=True)
server.serve_forever()
