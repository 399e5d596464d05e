#!/usr/bin/env bash
# Resident memory of aggregatord over many poll cycles.
#
#   Benchmarks/daemon_memory.sh BASE_URL FILES FEEDS SECONDS [INTERVAL]
#
# Writes a feeds.conf with FEEDS feeds, cycling over FILES documents served at
# BASE_URL/feeds/fNNNNN.xml (e.g. the bench kit's nginx: ../shared/bench/serve.sh start
# CORPUS 18090), each URL made distinct with ?copy=N; runs the release aggregatord with
# interval=INTERVAL (default 10s) for SECONDS, printing its RSS every 10 s, then the
# article count. The first cycle stores everything; later ones are conditional GETs.
set -euo pipefail
base=$1 files=$2 feeds=$3 seconds=$4 interval=${5:-10s}
bin=$(cd "$(dirname "$0")/.." && pwd)/.build/release
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for ((i = 0; i < feeds; i++)); do
    printf '%s/feeds/f%05d.xml?copy=%d interval=%s\n' "$base" $((i % files)) $((i / files)) "$interval"
done > "$work/feeds.conf"
"$bin/aggregatord" --config "$work/feeds.conf" --data "$work/data" --log-level warning &
pid=$!
for ((t = 0; t <= seconds; t += 10)); do
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    echo "t=${t}s rss=$((rss / 1024)) MB peak=$((hwm / 1024)) MB"
    sleep 10
done
kill -TERM $pid; wait $pid || true
echo "store: $(du -sh "$work/data" | cut -f1)"
