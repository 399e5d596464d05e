#!/usr/bin/env bash
# Hook deliveries per second to a loopback webhook receiver: FEEDS local feeds of ITEMS
# items each, hook-backlog=yes so the first poll queues every article, delivered by
# `aggregator fetch` (which sends what it queued before it ends). The receiver is a
# threaded Python server answering 200; the rate is deliveries over the time from the
# first to the last one it received. Usage, from the project root after `make release`:
#     Benchmarks/hook_throughput.sh [FEEDS=20] [ITEMS=100] [MAX_DELIVERIES=4]
set -euo pipefail
feeds=${1:-20}; items=${2:-100}; parallel=${3:-4}
bin=${AGG_BIN:-.build/release/aggregator}
work=$(mktemp -d); trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/receiver.py" <<'PY'
import http.server, sys, threading, time
times = []
lock = threading.Lock()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            times.append(time.monotonic())
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        with lock:
            body = f"{len(times)} {times[0] if times else 0} {times[-1] if times else 0}".encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$work/receiver.py" > "$work/port" & server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")
{
  echo "default webhook=http://127.0.0.1:$port/hook hook-backlog=yes max-deliveries=$parallel"
  for f in $(seq "$feeds"); do
    { echo "<rss version=\"2.0\"><channel><title>Feed $f</title>"
      for i in $(seq "$items"); do echo "<item><guid>f$f-$i</guid><title>Feed $f item $i</title><description>Text of item $i, feed $f.</description></item>"; done
      echo "</channel></rss>"; } > "$work/feed$f.xml"
    echo "file:feed$f.xml"
  done
} > "$work/feeds.conf"
"$bin" fetch --config "$work/feeds.conf" --data "$work/data" > /dev/null
read -r count first last < <(curl -s "http://127.0.0.1:$port/stats"; echo) || true
python3 -c "import sys; n,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'{n} deliveries in {b-a:.2f} s: {n/(b-a):.0f} per second (max-deliveries=$parallel)')" "$count" "$first" "$last"
