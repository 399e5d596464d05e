#!/usr/bin/env bash
# One aggregatord with many feeds (100,000 by default) on the bench kit's loopback nginx:
# does it keep up, what does it hold, how fast do feeds.conf and the reading commands go.
#
#   Benchmarks/daemon_scale.sh CORPUS [FEEDS] [INTERVAL] [CYCLES]
#       e.g. Benchmarks/daemon_scale.sh /tmp/aggbench/corpus-s20261129-b50 100000 30m 2
#
# CORPUS is the kit's corpus (gen_corpus.py: CORPUS/feeds/fNNNNN.xml). FEEDS distinct URLs
# cycle over its documents as /cN/fNNNNN.xml, where each cN links to CORPUS/feeds (nginx's
# access log names the path, not the query string, so copies differ by path). nginx
# (../shared/bench/serve.sh, port 18092) answers 304 to the daemon's validators, so after
# the cold cycle most polls are 304s. Release binaries: `make release`. Takes the cold
# cycle plus CYCLES intervals (about 65 minutes at 30m and 2).
#
# Prints, with the command that measured each:
#   - feeds.conf of FEEDS lines: `aggregator check-config` wall time (the whole load);
#   - the cold cycle: every URL asked once, how long it took, resident memory;
#   - CYCLES steady cycles: for each, every feed due in it (its nextDueAt read from the
#     store when the cycle starts) and when nginx saw its request: how late the poll
#     started (the goal: every one within 60 s), and feeds not polled at all;
#   - a one-line edit during a cycle: the daemon's own "reloaded ... in N ms" and the
#     time from the write to nginx's request for the new feed;
#   - `aggregator feeds` and `aggregator list --limit 50` wall times on that store;
#   - resident memory (VmRSS) every 10 s: the peak and the steady maximum after the cold cycle.
#
# KEEP_STORE=DIR moves the store (feeds.conf and data/) to DIR at the end, to measure the
# reading commands on it again (CYCLES=0 builds one after the cold cycle only).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$1 feeds=${2:-100000} interval=${3:-30m} cycles=${4:-2}
port=18092
bin=$here/.build/release
work=$(mktemp -d /tmp/daemon-scale.XXXXXX)
chmod 755 "$work"
export BENCH_STATE_DIR=$work/nginx
www=$work/www
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null || true
    bash "$here/../shared/bench/serve.sh" stop "$www" $port >/dev/null 2>&1 || true
    cp "$work/daemon.log" "${TMPDIR:-/tmp}/daemon-scale.log" 2>/dev/null || true
    if [ -n "${KEEP_STORE:-}" ] && [ -d "$work/data" ]; then
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
        mkdir -p "$KEEP_STORE" && mv "$work/data" "$work/feeds.conf" "$KEEP_STORE/"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
seconds_of() {  # 30m -> 1800
    local n=${1%[smhd]}
    case $1 in *s) echo "$n";; *m) echo $((n * 60));; *h) echo $((n * 3600));; *d) echo $((n * 86400));; *) echo "$1";; esac
}
interval_s=$(seconds_of "$interval")
files=$(ls "$corpus/feeds" | grep -c '\.xml$')
mkdir -p "$www"
for ((copy = 0; copy <= feeds / files + 1; copy++)); do ln -s "$corpus/feeds" "$www/c$copy"; done
bash "$here/../shared/bench/serve.sh" start "$www" $port >/dev/null
log=$(bash "$here/../shared/bench/serve.sh" log "$www" $port)
# The kit's nginx caches 20,000 open files, as many as it may open here: with 100,000
# distinct paths it ran out ("Too many open files") and answered 404. A smaller cache.
sed -i 's/open_file_cache max=[0-9]*/open_file_cache max=1000/' "$work/nginx/nginx.conf"
"${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}" -c "$work/nginx/nginx.conf" -s reload
sleep 1
for ((i = 0; i < feeds; i++)); do
    printf 'http://127.0.0.1:%d/c%d/f%05d.xml interval=%s\n' $port $((i / files)) $((i % files)) "$interval"
done > "$work/feeds.conf"
now_ms() { date +%s%3N; }
# The access log's requests for this run's feeds since SINCE (ms): "seconds uri".
requests() { awk -v since="$1" '$1 * 1000 >= since && $4 ~ /^\/c[0-9]+\// { print $1, $4 }' "$log"; }

echo "== $feeds feeds, interval=$interval, $cycles steady cycles (nginx 127.0.0.1:$port)"
start=$(now_ms)
"$bin/aggregator" check-config --config "$work/feeds.conf" >/dev/null
echo "feeds.conf load: \`aggregator check-config\` on $feeds lines: $(( $(now_ms) - start )) ms"

"$bin/aggregatord" --config "$work/feeds.conf" --data "$work/data" --log-level notice 2>"$work/daemon.log" &
pid=$!
started=$(now_ms)
( while kill -0 "$pid" 2>/dev/null; do
      echo "$(date +%s) $(awk '/VmRSS|VmHWM/ {printf "%d ", $2 / 1024}' /proc/$pid/status 2>/dev/null)"
      sleep 10
  done ) > "$work/rss" &
sampler=$!

# The cold cycle: every URL asked once (bounded by 30 minutes).
for ((t = 0; t < 1800; t++)); do
    [ "$(requests "$started" | wc -l)" -ge "$feeds" ] && break
    sleep 1
done
asked=$(requests "$started" | awk '{print $2}' | sort -u | wc -l)
last=$(requests "$started" | awk 'END {print $1}')
echo "cold cycle: $asked of $feeds URLs asked, the last $(python3 -c "print(round($last - $started / 1000, 1))") s after start"
sleep 20  # the last results written
cold_done=$(date +%s)

# The steady cycles: what the store says is due in the next interval (+10% jitter), then
# when each of those was asked.
for ((cycle = 1; cycle <= cycles; cycle++)); do
    snap=$(date +%s)
    horizon=$((snap + interval_s * 11 / 10))
    sqlite3 -readonly "$work/data/aggregator.sqlite" \
        "SELECT replace(url, 'http://127.0.0.1:$port', ''), nextDueAt FROM feed WHERE inConfig = 1 AND nextDueAt <= $horizon" \
        | tr '|' ' ' > "$work/due.$cycle"
    echo "cycle $cycle: $(wc -l < "$work/due.$cycle") feeds due within $((horizon - snap)) s (the rest: the documents' ttl/sy:updatePeriod hints stretch their interval)"
    if [ "$cycle" = 1 ]; then
        # A one-line edit a minute into the cycle: a new feed at the end of the file.
        sleep 60
        new="/c$((feeds / files + 1))/f00000.xml"
        edit=$(now_ms)
        echo "http://127.0.0.1:$port$new interval=$interval" >> "$work/feeds.conf"
        for ((t = 0; t < 300; t++)); do
            grep -q " $new\$" <(requests "$edit") && break
            sleep 0.1
        done
        seen=$(requests "$edit" | awk -v u="$new" '$2 == u {print $1; exit}')
        echo "one-line edit: $(grep -o 'reloaded.*' "$work/daemon.log" | tail -1); new feed requested" \
            "$([ -n "$seen" ] && python3 -c "print(round(($seen * 1000 - $edit)))" || echo never) ms after the write"
    fi
    sleep $((horizon - $(date +%s) + 90))
    requests "$((snap * 1000))" | python3 -c '
import sys
due = {}
for line in open(sys.argv[1]):
    uri, at = line.split()
    due[uri] = int(at)
first = {}
for line in sys.stdin:
    at, uri = line.split()
    if uri in due and uri not in first and float(at) >= due[uri] - 5:
        first[uri] = float(at)
late = sorted(first[u] - due[u] for u in first)
missing = len(due) - len(first)
if late:
    pct = lambda p: late[min(len(late) - 1, int(p * len(late)))]
    print("  polled: %d of %d due; start after due time: median %.1f s, p99 %.1f s, max %.1f s; "
          "later than 60 s: %d; not polled: %d" % (len(first), len(due), pct(0.5), pct(0.99), late[-1],
          sum(1 for x in late if x > 60), missing))
else:
    print("  nothing polled of %d due" % len(due))
' "$work/due.$cycle"
done

start=$(now_ms); n=$("$bin/aggregator" feeds --config "$work/feeds.conf" --data "$work/data" | wc -l)
echo "\`aggregator feeds\`: $n lines in $(( $(now_ms) - start )) ms"
for attempt in 1 2 3; do
    start=$(now_ms); "$bin/aggregator" list --config "$work/feeds.conf" --data "$work/data" --limit 50 >/dev/null
    echo "\`aggregator list --limit 50\`: $(( $(now_ms) - start )) ms"
done
echo "store: $(du -sh "$work/data" | cut -f1), $(sqlite3 -readonly "$work/data/aggregator.sqlite" 'SELECT count(*) FROM article') articles"
# /proc/PID/status lists VmHWM (the peak) before VmRSS.
awk -v cold="$cold_done" '{ if ($2 > peak) peak = $2; if ($1 >= cold && $3 > steady) steady = $3 }
    END { printf "resident: peak (VmHWM) %d MB; after the cold cycle (VmRSS every 10 s) at most %d MB\n", peak, steady }' "$work/rss"
echo "nginx answers other than 200/304: $(awk '$4 ~ /^\/c[0-9]+\// && $2 != 200 && $2 != 304' "$log" | wc -l)"
echo "the daemon's warnings and errors: $(grep -cE 'warning|error|critical' "$work/daemon.log" || true)"
grep -E 'warning|error|critical' "$work/daemon.log" | head -3 || true
