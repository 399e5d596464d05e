#!/usr/bin/env bash
# The PostgreSQL store at scale: a SQLite store (e.g. store-bench's 1M articles) copied into
# a throwaway PostgreSQL cluster by `aggregator store copy`, against a floor measured on the
# same server in the same run — psql's COPY of the very same rows into a table made LIKE
# the store's article table (same columns, search column and indexes, GIN included) — then
# the size against the text held, and `list`, `feeds` and `search` as process wall time
# (median of 5). Usage, from the project root after `make release`:
#     Benchmarks/postgres_store.sh SQLITE_STORE_DIR [SEARCH_WORD=innovation]
# The cluster is .ci/postgres-cluster.sh's: fsync off, so both sides skip the disk flushes.
set -euo pipefail
store=${1:?a SQLite store folder, e.g. one store-bench made}
word=${2:-innovation}
bin=${AGG_BIN:-$PWD/.build/release/aggregator}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cluster=$(.ci/postgres-cluster.sh start)
trap '.ci/postgres-cluster.sh stop "$cluster"' EXIT
url="postgresql://aggregator@/aggregator?host=$cluster"
sql() { "$pgbin/psql" -X -A -t -v ON_ERROR_STOP=1 -d "$url" -c "$1"; }
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

copy_ms=$(ms "$bin" store copy --from "$store" --to "$url")
rows=$(sql "SELECT count(*) FROM article")
columns=$(sql "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
               WHERE table_name = 'article' AND column_name <> 'search'")
dump=$cluster/article.tsv
chmod 777 "$cluster"
sql "COPY (SELECT $columns FROM article) TO STDOUT" > "$dump"
sql "CREATE TABLE article_floor (LIKE article INCLUDING ALL)" > /dev/null
floor_ms=$(ms sql "COPY article_floor ($columns) FROM STDIN" < "$dump")
sql "VACUUM ANALYZE" >/dev/null
size=$(sql "SELECT pg_total_relation_size('article')")
text=$(sql "SELECT sum(coalesce(octet_length(title),0) + coalesce(octet_length(summary),0) + coalesce(octet_length(content),0)
                       + coalesce(octet_length(link),0) + coalesce(octet_length(author),0) + coalesce(octet_length(guid),0)) FROM article")
newest=$(sql "SELECT to_char(to_timestamp(max(sortDate)) - interval '2 days', 'YYYY-MM-DD') FROM article")
list=$(for _ in 1 2 3 4 5; do ms "$bin" list --store "$url" --since "$newest" --limit 50; done | median)
feeds=$(for _ in 1 2 3 4 5; do ms "$bin" feeds --store "$url"; done | median)
search=$(for _ in 1 2 3 4 5; do ms "$bin" search --store "$url" "$word"; done | median)
echo "articles:                $rows"
echo "store copy (ingest, tsvector + GIN): ${copy_ms} ms = $(( rows * 1000 / (copy_ms > 0 ? copy_ms : 1) )) articles/s"
echo "floor (psql COPY, same rows, same table and indexes): ${floor_ms} ms = $(( rows * 1000 / (floor_ms > 0 ? floor_ms : 1) )) articles/s"
awk -v a="$copy_ms" -v b="$floor_ms" 'BEGIN { printf "ingest / floor:          %.2fx\n", b / a }'
awk -v s="$size" -v t="$text" 'BEGIN { printf "article table + indexes: %.0f MB for %.0f MB of text (%.2fx)\n", s/1e6, t/1e6, s/t }'
echo "list --since $newest --limit 50: ${list} ms; feeds: ${feeds} ms; search $word: ${search} ms (process wall, median of 5)"
