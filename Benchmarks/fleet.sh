#!/usr/bin/env bash
# A fleet of aggregatord processes sharing one PostgreSQL store, on the bench kit's
# loopback nginx: every feed polled exactly once per cycle, every article stored once,
# and how long a cycle takes for each fleet size.
#
#   Benchmarks/fleet.sh CORPUS FEEDS [SIZES] [MAX_PER_HOST]
#       e.g. Benchmarks/fleet.sh /tmp/aggbench/corpus-s20261129-b50 10000 "1 2 3" 16
#   Benchmarks/fleet.sh --kill CORPUS FEEDS [MAX_PER_HOST]
#       three daemons; one of them SIGKILLed mid-cycle, five times (a new one started
#       each time, as systemd's Restart= would): its feeds taken over, 0 duplicates,
#       0 lost articles.
#
# CORPUS is the kit's corpus (gen_corpus.py: CORPUS/feeds/fNNNNN.xml); FEEDS distinct URLs
# cycle over its documents: /cN/fNNNNN.xml, links to them (nginx's access log names the
# path, not the query string, so the copies must differ by path). nginx is started by
# ../shared/bench/serve.sh on port 18091, PostgreSQL by .ci/postgres-cluster.sh (a throwaway cluster: fsync off — the
# figures are the daemons', not a durable server's). Release binaries: `make release`.
# The feeds are all on 127.0.0.1, so max-per-host= (fleet-wide) bounds the whole fleet:
# the default 2 would make one host's two connections the limit, whatever the fleet size.
#
# Two cycles: the cold one (every feed new), then — once every feed is stored — a second
# started by making every feed due at once in the database (what the end of an interval
# does, without waiting an interval: the kit's documents carry ttl/sy:update hints that
# stretch some feeds' intervals, so waiting would not bring all of them back at once).
# Per cycle, from nginx's access log: requests per URL (0 doubled, 0 missed) and the span
# from the cycle's first request to its last; from the store: articles and distinct
# (feed, key) pairs, which must be equal, and the items the documents hold.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kill_mode=no
if [ "${1:-}" = --kill ]; then kill_mode=yes; shift; fi
corpus=$1 feeds=$2
if [ $kill_mode = yes ]; then sizes=3 max_per_host=${3:-16}; else sizes=${3:-"1 2 3"} max_per_host=${4:-16}; fi
port=18091
bin=$here/.build/release
work=$(mktemp -d /tmp/fleet-bench.XXXXXX)
chmod 755 "$work"
export BENCH_STATE_DIR=$work/nginx
pg=$(bash "$here/.ci/postgres-cluster.sh" start)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    bash "$here/../shared/bench/serve.sh" stop "$www" $port >/dev/null 2>&1 || true
    cp "$work/daemons.log" "${TMPDIR:-/tmp}/fleet-daemons.log" 2>/dev/null || true
    bash "$here/.ci/postgres-cluster.sh" stop "$pg"
    rm -rf "$work"
}
trap cleanup EXIT
files=$(ls "$corpus/feeds" | grep -c '\.xml$')
www=$work/www
for ((copy = 0; copy * files < feeds; copy++)); do
    mkdir -p "$www/c$copy"
    for f in "$corpus"/feeds/f*.xml*; do ln -s "$f" "$www/c$copy/"; done
done
bash "$here/../shared/bench/serve.sh" start "$www" $port >/dev/null
log=$(bash "$here/../shared/bench/serve.sh" log "$www" $port)
psql_() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$url" -c "$1"; }
now_ms() { date +%s%3N; }

start_daemon() {
    "$bin/aggregatord" --config "$work/feeds.conf" --log-level warning 2>>"$work/daemons.log" &
    pids+=($!)
}

# The access log's lines for this run's feeds: "msec uri".
requests() { awk -v since="$1" '$1 * 1000 >= since && $4 ~ /^\/c[0-9]+\// { print $1, $4 }' "$log"; }

# Waits until every feed has been asked COUNT times since SINCE (bounded).
wait_for_requests() {
    local since=$1 count=$2 limit=$3 t=0
    while [ "$(requests "$since" | wc -l)" -lt $((feeds * count)) ] && [ $t -lt $limit ]; do sleep 1; t=$((t + 1)); done
}

# Requests per URL and the span of each cycle, since SINCE.
tally() {
    requests "$1" | python3 -c '
import sys, collections
feeds = int(sys.argv[1])
times = collections.defaultdict(list)
for line in sys.stdin:
    msec, uri = line.split()
    times[uri].append(float(msec))
counts = collections.Counter(len(v) for v in times.values())
print("  URLs asked: %d of %d; asked n times: %s" % (len(times), feeds, dict(sorted(counts.items()))))
for cycle in (0, 1):
    starts = [sorted(v)[cycle] for v in times.values() if len(v) > cycle]
    if starts:
        print("  cycle %d: %d requests over %.2f s" % (cycle + 1, len(starts), max(starts) - min(starts)))
' "$feeds"
}

for size in $sizes; do
    db="f$size$RANDOM"
    createdb -h "$pg" -U aggregator "$db"
    url="postgresql://aggregator@/$db?host=$pg"
    {
        echo "default store=\"$url\" interval=1h fleet-lease=30s max-per-host=$max_per_host"
        for ((i = 0; i < feeds; i++)); do
            printf 'http://127.0.0.1:%d/c%d/f%05d.xml\n' $port $((i / files)) $((i % files))
        done
    } > "$work/feeds.conf"
    since=$(now_ms)
    pids=()
    for ((d = 0; d < size; d++)); do start_daemon; done
    if [ $kill_mode = yes ]; then
        echo "3 daemons, $feeds feeds, max-per-host=$max_per_host; one SIGKILLed mid-cycle five times"
        : > "$work/orphans"
        for round in 1 2 3 4 5; do
            sleep $((3 + RANDOM % 6))
            # The member holding the most feeds at that moment.
            victim=${pids[0]} most=-1
            for pid in "${pids[@]}"; do
                n=$(psql_ "SELECT count(*) FROM feed WHERE claimedBy LIKE '%:$pid'")
                if [ "$n" -gt "$most" ]; then victim=$pid most=$n; fi
            done
            held=$(psql_ "SELECT url FROM feed WHERE claimedBy LIKE '%:$victim'" | sed 's|^http://127.0.0.1:[0-9]*||')
            killed_at=$(now_ms)
            kill -9 "$victim"; wait "$victim" 2>/dev/null || true
            pids=($(for pid in "${pids[@]}"; do [ "$pid" = "$victim" ] || echo "$pid"; done))
            for uri in $held; do echo "$killed_at $uri" >> "$work/orphans"; done
            echo "  kill $round: pid $victim held $(echo "$held" | grep -c . || true) feeds"
            start_daemon
        done
        wait_for_requests "$since" 1 600
        # Every feed stored (the killed ones' feeds once their 30 s leases ran out).
        t=0
        while [ "$(psql_ "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL")" -lt "$feeds" ] && [ $t -lt 120 ]; do
            sleep 1; t=$((t + 1))
        done
    else
        wait_for_requests "$since" 1 900
        t=0  # the last results written
        while [ "$(psql_ "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL")" -lt "$feeds" ] && [ $t -lt 60 ]; do
            sleep 0.2; t=$((t + 1))
        done
        psql_ "UPDATE feed SET nextDueAt = extract(epoch FROM now())::bigint" >/dev/null
        wait_for_requests "$since" 2 900
        sleep 3
    fi
    echo "fleet of $size, $feeds feeds, max-per-host=$max_per_host:"
    tally "$since"
    if [ $kill_mode = yes ]; then
        # Each feed a killed member held: asked again (by another) how long after the kill.
        requests "$since" | python3 -c '
import sys, collections
asked = collections.defaultdict(list)
for line in sys.stdin:
    msec, uri = line.split()
    asked[uri].append(float(msec) * 1000)
delays = []
for line in open(sys.argv[1]):
    killed, uri = line.split()
    later = [t for t in asked[uri] if t > float(killed)]
    delays.append((min(later) - float(killed)) / 1000 if later else None)
done = [d for d in delays if d is not None]
print("  orphaned feeds: %d, asked again after the kill: %d, within %.1f s at most (lease 30 s)"
      % (len(delays), len(done), max(done) if done else 0))' "$work/orphans"
    fi
    echo "  feeds polled: $(psql_ "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") of $feeds;" \
        "polled last by $(psql_ "SELECT count(DISTINCT lastPolledBy) FROM feed") daemons"
    expected=$(python3 -c '
import json, sys
files = [f["items"] for f in json.load(open(sys.argv[1]))["files"] if f["name"].startswith("feeds/")]
print(sum(files[i % len(files)] for i in range(int(sys.argv[2]))))' "$corpus/manifest.json" "$feeds" 2>/dev/null || echo "?")
    echo "  articles: $(psql_ "SELECT count(*) FROM article"), distinct (feed, key): $(psql_ "SELECT count(*) FROM (SELECT DISTINCT feedId, dedupKey FROM article) k"), items in the documents: $expected"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
done
grep -c . "$work/daemons.log" >/dev/null 2>&1 && { echo "daemon log (warnings and errors):"; sort "$work/daemons.log" | cut -c21- | sort | uniq -c | sort -rn | head -5; } || true
