#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb into a new temporary folder as an
# unprivileged user, listening only on a Unix socket in that folder, fsync off (tests
# only: a crash here loses nothing anyone keeps).
#
#   .ci/postgres-cluster.sh start   prints the folder; the store URL is
#                                   postgresql://aggregator@/aggregator?host=FOLDER
#   .ci/postgres-cluster.sh stop FOLDER
#   .ci/postgres-cluster.sh pause FOLDER    the server stopped, its data kept (an outage)
#   .ci/postgres-cluster.sh resume FOLDER   started again
#
# Needs Debian's postgresql package (make test installs it). As root, the cluster runs as
# `nobody`; otherwise as whoever runs this.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else "$@"; fi
}
case "${1:-}" in
start)
    dir=$(mktemp -d /tmp/aggregator-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U aggregator --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -U aggregator aggregator
    echo "$dir"
    ;;
stop)
    dir=${2:?which cluster folder}
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
pause)
    dir=${2:?which cluster folder}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    dir=${2:?which cluster folder}
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
    ;;
*) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
