#!/usr/bin/env bash
# Resident memory of aggregatord over many poll cycles.
#
#   Benchmarks/daemon_memory.sh BASE_URL FILES FEEDS SECONDS [INTERVAL] [MEMORY]
#       e.g. Benchmarks/daemon_memory.sh http://127.0.0.1:18090 500 2000 90 10s
#
# Writes a feeds.conf with FEEDS feeds, cycling over FILES documents served at
# BASE_URL/feeds/fNNNNN.xml (e.g. the bench kit's nginx: ../shared/bench/serve.sh start
# CORPUS 18090), each URL made distinct with ?copy=N, and `default memory=MEMORY` when
# given (normal or small); runs the release aggregatord with interval=INTERVAL (default
# 10s) for SECONDS, printing every 10 s its resident memory (VmRSS), split into anonymous
# memory (heap, stacks) and file pages (the program's and libraries' code and constants),
# and the peak (VmHWM); then the article count. The first cycle stores everything; later
# ones are conditional GETs. For 100,000 feeds use daemon_scale.sh.
set -euo pipefail
base=$1 files=$2 feeds=$3 seconds=$4 interval=${5:-10s} memory=${6:-}
bin=$(cd "$(dirname "$0")/.." && pwd)/.build/release
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
{
    [ -n "$memory" ] && echo "default memory=$memory"
    for ((i = 0; i < feeds; i++)); do
        printf '%s/feeds/f%05d.xml?copy=%d interval=%s\n' "$base" $((i % files)) $((i / files)) "$interval"
    done
} > "$work/feeds.conf"
"$bin/aggregatord" --config "$work/feeds.conf" --data "$work/data" --log-level warning &
pid=$!
field() { awk -v name="$1:" '$1 == name {print int($2 / 1024)}' /proc/$pid/status; }
for ((t = 0; t <= seconds; t += 10)); do
    echo "t=${t}s rss=$(field VmRSS) MB (anon $(field RssAnon), file $(field RssFile)) peak=$(field VmHWM) MB"
    sleep 10
done
kill -TERM $pid; wait $pid || true
echo "store: $(du -sh "$work/data" | cut -f1), $(sqlite3 -readonly "$work/data/aggregator.sqlite" 'SELECT count(*) FROM article') articles"
