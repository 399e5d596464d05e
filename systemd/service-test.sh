#!/usr/bin/env bash
# `make service-test`: the service as people install it, under a real systemd 252 in a
# Debian 12 container (systemd-nspawn -b), checked with the commands a person would type.
# Needs root. `make service-test` builds the .deb first; this script expects it here.
#
# Two containers, each a fresh copy of a cached minimal Debian root (debootstrap, kept in
# .build/service-test/roots; delete it to start over):
#
#  1. from source, as the README says: `make install` into the root, then inside it
#     systemd-sysusers, daemon-reload, `systemctl enable --now aggregator`; a person in
#     group aggregator (member) and one outside it (outsider). Checks: nothing collected
#     yet before the first start; active with a STATUS line; member lists while running,
#     after 3 clean stops, after kill -9 and while it restarts; an edit of feeds.conf and
#     `systemctl reload` picked up; the outsider told the permission and the fix; a short
#     WatchdogSec= drop-in causes no restart in 20 s; the journal holds nothing but
#     aggregatord's own lines; `systemctl stop` is clean.
#  2. the .deb on a Debian 12 with nothing else installed: `apt-get install ./…deb` leaves
#     the service enabled and running; `apt-get remove` stops it and keeps data and
#     config; `apt-get purge` removes them; an upgrade from an older build's .deb
#     (UPGRADE_FROM, built once from git and cached) keeps every article.
#
# Network: the containers share the host's network namespace; the feed added by the
# edit is served by a python3 http.server on 127.0.0.1, and apt reaches Debian's mirror
# as the host does.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

[ "$(id -u)" -eq 0 ] || { echo "service-test: needs root (debootstrap, systemd-nspawn)" >&2; exit 1; }
for tool in debootstrap systemd-nspawn nsenter python3 dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "service-test: $tool not found (make service-test installs it)" >&2; exit 1; }
done

CACHE="${SERVICE_TEST_CACHE:-$PWD/.build/service-test}"
RUN="$CACHE/run"
VERSION="$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/Fetcher/FetchTypes.swift)"
ARCH="$(dpkg --print-architecture)"
DEB="$PWD/aggregator_${VERSION}_${ARCH}.deb"
# The build an upgrade starts from: the last one before the package existed (0.1.0).
UPGRADE_FROM="${UPGRADE_FROM:-9eba3f5cd39fc6e5585fb8ef5082420feb8e93fa}"
UPGRADE_VERSION="${UPGRADE_VERSION:-0.1.0}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ -f "$DEB" ] || { echo "service-test: $DEB not found (make deb builds it)" >&2; exit 1; }

passed=0; failed=0; failures=()
ok() { passed=$((passed + 1)); echo "  ok    $1"; }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "  FAIL  $1${2:+: $2}"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local what="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
# eventually SECONDS DESCRIPTION COMMAND...: passes when the command succeeds within SECONDS.
eventually() {
    local seconds="$1" what="$2"; shift 2
    local deadline=$(($(date +%s) + seconds))
    while ! "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then bad "$what" "not within ${seconds} s"; return 1; fi
        sleep 0.5
    done
    ok "$what"
}

# --- Cached Debian roots -------------------------------------------------------------------

root_cache_used=yes
cached_root() {  # NAME PACKAGES: a minbase bookworm with PACKAGES, made once
    local dir="$CACHE/roots/$1" packages="$2"
    if [ ! -f "$dir/.complete" ] || [ "$(cat "$dir/.complete")" != "$packages" ]; then
        root_cache_used=no
        echo "service-test: debootstrap $1 ($packages), once"
        rm -rf "$dir"; mkdir -p "$CACHE/roots"
        if ! debootstrap --variant=minbase --include="$packages" bookworm "$dir" "$MIRROR" > "$CACHE/roots/$1.log" 2>&1; then
            echo "service-test: debootstrap failed; see $CACHE/roots/$1.log" >&2; exit 1
        fi
        echo "$packages" > "$dir/.complete"
    fi
}
fresh_root() {  # NAME BASE: a working copy of a cached root
    rm -rf "${RUN:?}/$1"; mkdir -p "$RUN"
    cp -a --reflink=auto "$CACHE/roots/$2" "$RUN/$1"
    rm -f "$RUN/$1/.complete"
}

# --- A booted container -------------------------------------------------------------------

NSPAWN_PID=""; CT_PID=""
boot() {  # ROOT NAME
    systemd-nspawn -q -D "$1" -M "$2" -b --keep-unit --register=no < /dev/null > "$RUN/$2.console" 2>&1 &
    NSPAWN_PID=$!
    CT_PID=""
    for _ in $(seq 1 200); do
        CT_PID="$(pgrep -P "$NSPAWN_PID" -x systemd || true)"
        [ -n "$CT_PID" ] && break
        sleep 0.1
    done
    [ -n "$CT_PID" ] || { echo "service-test: $2 did not boot; see $RUN/$2.console" >&2; exit 1; }
    # systemctl answers only once systemd listens on its socket; then --wait waits for
    # the boot to finish.
    local state=""
    for _ in $(seq 1 120); do
        state="$(ct timeout 90 systemctl is-system-running --wait 2>/dev/null)"
        case "$state" in running | degraded) break ;; esac
        sleep 0.5
    done
    echo "service-test: $2 booted ($state)"
}
# ct COMMAND...: runs COMMAND in the container as root, with a clean environment.
ct() {
    nsenter -t "$CT_PID" -m -u -i -n -p -r -w -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb TZ=UTC "$@"
}
# as USER COMMAND...: COMMAND as a person (a login environment, as runuser gives it).
as() { local user="$1"; shift; ct runuser -l "$user" -c "$*"; }
shutdown_container() {
    [ -n "$NSPAWN_PID" ] || return 0
    ct systemctl poweroff >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$NSPAWN_PID" 2>/dev/null || true
    wait "$NSPAWN_PID" 2>/dev/null || true
    NSPAWN_PID=""; CT_PID=""
}

SERVER_PID=""
cleanup() {
    shutdown_container
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    return 0
}
trap cleanup EXIT

# --- Helpers on the service ---------------------------------------------------------------

prop() { ct systemctl show -p "$1" --value aggregator; }
is_active() { [ "$(ct systemctl is-active aggregator)" = active ]; }
# member_lists: member's `aggregator list` shows a sample article, without --data.
member_lists() { as member aggregator list --since 2020-10-01 | grep -q "China to keep its door open"; }
article_ids() { ct aggregator list --all --format jsonl --data /var/lib/aggregator | python3 -c '
import json, sys
print("\n".join(sorted(str(json.loads(line)["id"]) for line in sys.stdin if line.strip())))'; }
journal_since() { ct journalctl -u aggregator -o json --no-pager --since "@$1"; }
status_says_polling() { [[ "$(prop StatusText)" == "polling 2 feeds"* ]]; }
member_lists_extra() { as member aggregator list --since 2020-10-01 | grep -q "An extra story"; }
reloaded_since() { ct journalctl -u aggregator --since "@$1" --no-pager | grep -q "received SIGHUP" && is_active; }
restarted_since() { [ "$(prop NRestarts)" -gt "$1" ] && is_active; }
not_active() { ! is_active; }
conffile_listed() { ct dpkg-query -W -f='${Conffiles}' aggregator | grep -q /etc/aggregator/feeds.conf; }
has_articles() { [ "$(ct aggregator list --all --format jsonl --data /var/lib/aggregator | wc -l)" -gt 0 ]; }
no_priority_noise() { ! grep -q "Failed to set thread priority" "$1"; }

# ======================================================================================
echo "service-test: aggregator $VERSION"
cached_root base "systemd,dbus"
cached_root base-libs "systemd,dbus,libcurl4,libxml2,libsqlite3-0,libzstd1,libdeflate0,libbrotli1"

# A feed on the host's loopback, for the edit of feeds.conf.
mkdir -p "$RUN/www"
cat > "$RUN/www/extra.rss" <<'RSS'
<?xml version="1.0"?><rss version="2.0"><channel><title>Extra</title>
<item><guid>extra-1</guid><title>An extra story</title><link>http://example.org/extra-1</link>
<pubDate>Sat, 31 Oct 2020 08:00:00 GMT</pubDate></item></channel></rss>
RSS
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$RUN/www" "$PORT" > "$RUN/www.log" 2>&1 &
SERVER_PID=$!

# ======================================================================================
echo "== 1. installed from source (make install), enabled with systemctl =="
fresh_root source base-libs
ROOT="$RUN/source"
# As the README's `sudo make install` does it, into the container's root.
make --no-print-directory install DESTDIR="$ROOT" > "$RUN/install.log" 2>&1 \
    || { echo "service-test: make install failed; see $RUN/install.log" >&2; exit 1; }
cat > "$ROOT/etc/aggregator/feeds.conf" <<'CONF'
# the bundled samples (file: feeds work without a network)
default interval=10m
file:///usr/local/share/aggregator/sample-feeds/xinhua-china.rss.xml title="Xinhua | China"
file:///usr/local/share/aggregator/sample-feeds/xinhua-scitech.atom.xml
CONF
boot "$ROOT" aggregator-source
ct systemd-sysusers >/dev/null && ct systemctl daemon-reload
ct useradd -m -s /bin/bash member && ct usermod -aG aggregator member
ct useradd -m -s /bin/bash outsider

out="$(as member aggregator list 2>&1)"; status=$?
if [ "$status" -eq 66 ] && grep -q "nothing collected yet" <<<"$out"; then ok "before the first start: member told 'nothing collected yet' (exit 66)"
else bad "before the first start: member told 'nothing collected yet'" "exit $status: $out"; fi

t_enable=$(date +%s)
check "systemctl enable --now aggregator" ct systemctl enable --now aggregator
eventually 15 "the service is active" is_active
check "the service is enabled" test "$(ct systemctl is-enabled aggregator)" = enabled
eventually 10 "STATUS= says what it polls" status_says_polling
echo "        status: $(prop StatusText)"
eventually 10 "a member lists (daemon running)" member_lists
out="$(as member aggregator list -v --limit 1 2>&1 >/dev/null)"
if grep -q "store /var/lib/aggregator (the system store)" <<<"$out"; then ok "without --data a member reads the system store (--verbose says so)"
else bad "without --data a member reads the system store" "$out"; fi

# An edit of feeds.conf is picked up by itself; `systemctl reload` re-reads it.
echo "http://127.0.0.1:$PORT/extra.rss title=Extra interval=10m" >> "$ROOT/etc/aggregator/feeds.conf"
eventually 10 "an edit of feeds.conf is picked up (the new feed is requested)" grep -q "GET /extra.rss" "$RUN/www.log"
eventually 10 "the new feed's article is listed" member_lists_extra
t_reload=$(date +%s)
check "systemctl reload aggregator" ct systemctl reload aggregator
eventually 10 "the reload is logged and the service stays active" reloaded_since "$t_reload"

# An exec hook as the shipped unit runs it: as the service user, inside the sandbox
# (the system read-only, no home directories), the article as JSON on stdin.
cat > "$ROOT/usr/local/bin/sandbox-hook" <<'SH'
#!/bin/sh
out=/var/lib/aggregator/hook-test
mkdir -p "$out"
{
    echo "user=$(id -un)"
    echo "event=$AGGREGATOR_EVENT"
    if touch /etc/aggregator/hook-was-here 2>/dev/null; then echo "etc=writable"; else echo "etc=read-only"; fi
    if [ -n "$(ls -A /home 2>/dev/null)" ]; then echo "home=visible"; else echo "home=hidden"; fi
} > "$out/result.tmp"
cat > "$out/article.json"
mv "$out/result.tmp" "$out/result"
SH
chmod 755 "$ROOT/usr/local/bin/sandbox-hook"
sed 's/extra-1/hooked-1/; s/An extra story/A hooked story/' "$RUN/www/extra.rss" > "$RUN/www/hooked.rss"
echo "http://127.0.0.1:$PORT/hooked.rss exec=/usr/local/bin/sandbox-hook hook-backlog=yes" >> "$ROOT/etc/aggregator/feeds.conf"
hook_ran() { test -f "$ROOT/var/lib/aggregator/hook-test/result"; }
eventually 15 "an exec hook ran for the new feed's article" hook_ran
result="$(cat "$ROOT/var/lib/aggregator/hook-test/result" 2>/dev/null | tr '\n' ' ')"
if [ "$result" = "user=aggregator event=new etc=read-only home=hidden " ] \
    && grep -q '"title":"A hooked story"' "$ROOT/var/lib/aggregator/hook-test/article.json"; then
    ok "the hook ran as aggregator, /etc read-only, /home hidden, the article on stdin"
else bad "the hook ran as aggregator inside the sandbox" "$result"; fi

# Read in every state.
for round in 1 2 3; do
    check "clean stop $round: systemctl stop" ct systemctl stop aggregator
    check "clean stop $round: a member lists the stopped service's store" member_lists
    check "clean stop $round: systemctl start" ct systemctl start aggregator
    eventually 10 "clean stop $round: a member lists after the start" member_lists
done
restarts_before=$(prop NRestarts)
check "kill -9: systemctl kill -s KILL" ct systemctl kill -s KILL aggregator
sleep 1
check "kill -9: a member lists the killed service's store" member_lists
check "kill -9: systemd is restarting it (activating, auto-restart)" test "$(prop SubState)" = auto-restart
check "kill -9: a member lists while it restarts" member_lists
eventually 20 "kill -9: restarted (Restart=on-failure)" restarted_since "$restarts_before"
eventually 10 "kill -9: a member lists after the restart" member_lists

out="$(as outsider aggregator list 2>&1)"; status=$?
if [ "$status" -eq 77 ] && grep -q "permission denied: outsider may not read the store in /var/lib/aggregator" <<<"$out" \
    && grep -q "sudo usermod -aG aggregator outsider" <<<"$out"; then
    ok "an outsider is told: permission denied, and the usermod that fixes it (exit 77)"
else bad "an outsider is told the permission and the fix" "exit $status: $out"; fi
echo "$out" | sed 's/^/        /'

# The watchdog, with a short interval: keep-alives in time, no restart.
mkdir -p "$ROOT/etc/systemd/system/aggregator.service.d"
printf '[Service]\nWatchdogSec=2s\n' > "$ROOT/etc/systemd/system/aggregator.service.d/watchdog.conf"
ct systemctl daemon-reload
t_watchdog=$(date +%s)
check "WatchdogSec=2s drop-in: restart" ct systemctl restart aggregator
eventually 10 "WatchdogSec=2s: active" is_active
restarts_before=$(prop NRestarts)
sleep 20
if [ "$(prop NRestarts)" = "$restarts_before" ] && is_active \
    && ! journal_since "$t_watchdog" | grep -q -i "watchdog timeout"; then
    ok "WatchdogSec=2s: no watchdog timeout, no restart in 20 s"
else bad "WatchdogSec=2s: no restart in 20 s" "NRestarts $restarts_before -> $(prop NRestarts), $(ct systemctl is-active aggregator)"; fi
rm -f "$ROOT/etc/systemd/system/aggregator.service.d/watchdog.conf"; ct systemctl daemon-reload

check "systemctl stop aggregator" ct systemctl stop aggregator
check "the stop was clean (Result=success, exit status 0)" test "$(prop Result)/$(prop ExecMainStatus)" = "success/0"

# The journal: every line the service's processes wrote is aggregatord's own (its stderr,
# through journald's stdout transport); nothing from libdispatch or any other library.
journal_since "$t_enable" > "$RUN/journal.json"
summary="$(python3 - "$RUN/journal.json" <<'PY'
import json, sys
own = foreign = 0
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry.get("_PID") == "1":          # systemd's own lines about the unit
        continue
    if entry.get("_TRANSPORT") == "stdout" and entry.get("SYSLOG_IDENTIFIER") == "aggregatord":
        own += 1
    else:
        foreign += 1
        print("foreign:", entry.get("_TRANSPORT"), entry.get("SYSLOG_IDENTIFIER"), entry.get("MESSAGE"), file=sys.stderr)
print(own, foreign)
PY
)"
read -r own foreign <<<"$summary"
if [ "${own:-0}" -gt 0 ] && [ "${foreign:-1}" -eq 0 ]; then ok "journalctl -u aggregator: $own lines, all aggregatord's own"
else bad "journalctl -u aggregator holds only aggregatord's lines" "$own own, $foreign others"; fi
check "journalctl -u aggregator: no 'Failed to set thread priority'" no_priority_noise "$RUN/journal.json"
shutdown_container

# ======================================================================================
echo "== 2. the Debian package on a Debian 12 with nothing else installed =="
# The older build the upgrade starts from, built once from git and cached.
OLD_DEB="$CACHE/old/aggregator_${UPGRADE_VERSION}_${ARCH}.deb"
if [ ! -f "$OLD_DEB" ]; then
    echo "service-test: building $UPGRADE_VERSION ($UPGRADE_FROM) for the upgrade check, once (several minutes)"
    rm -rf "$CACHE/old"; mkdir -p "$CACHE/old/src"
    if git archive "$UPGRADE_FROM" | tar -x -C "$CACHE/old/src" \
        && make -C "$CACHE/old/src" install DESTDIR="$CACHE/old/stage" PREFIX=/usr SYSCONFDIR=/etc \
            UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d ZSHDIR=/usr/share/zsh/vendor-completions \
            > "$CACHE/old/build.log" 2>&1 \
        && systemd/make-deb.sh "$CACHE/old/stage" "$UPGRADE_VERSION" "$CACHE/old" >> "$CACHE/old/build.log" 2>&1; then
        rm -rf "$CACHE/old/src/.build"
    else
        echo "service-test: could not build $UPGRADE_FROM; see $CACHE/old/build.log" >&2; exit 1
    fi
fi

fresh_root package base
ROOT="$RUN/package"
cp "$DEB" "$OLD_DEB" "$ROOT/root/"
boot "$ROOT" aggregator-package
ct useradd -m -s /bin/bash member
check "apt-get update" ct apt-get update -qq
if ct sh -c "cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$(basename "$DEB")" > "$RUN/apt-install.log" 2>&1; then
    ok "apt-get install ./$(basename "$DEB")"
else bad "apt-get install ./$(basename "$DEB")" "see $RUN/apt-install.log"; fi
check "installed: the service is enabled" test "$(ct systemctl is-enabled aggregator)" = enabled
eventually 15 "installed: the service is running" is_active
check "installed: aggregator --version says $VERSION" test "$(ct aggregator --version)" = "$VERSION"
check "installed: man pages and completions" ct test -f /usr/share/man/man1/aggregator.1.gz -a -f /usr/share/man/man1/aggregatord.1.gz \
    -a -f /usr/share/bash-completion/completions/aggregator -a -f /usr/share/zsh/vendor-completions/_aggregator \
    -a -f /usr/share/fish/vendor_completions.d/aggregator.fish
check "installed: /etc/aggregator/feeds.conf is a conffile" conffile_listed
ct usermod -aG aggregator member
eventually 20 "installed: a member of group aggregator lists the collected articles" member_lists
collected="$(article_ids | wc -l)"

check "apt-get remove aggregator" ct env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq aggregator
check "removed: the service is stopped" not_active
check "removed: the store and feeds.conf are kept" ct test -f /var/lib/aggregator/aggregator.sqlite -a -f /etc/aggregator/feeds.conf
check "reinstalled: apt-get install" ct sh -c "cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$(basename "$DEB")"
eventually 15 "reinstalled: running again" is_active
check "reinstalled: the $collected articles are all still there" test "$(article_ids | wc -l)" -ge "$collected"
check "apt-get purge aggregator" ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq aggregator
check "purged: /var/lib/aggregator and /etc/aggregator are gone" ct test ! -e /var/lib/aggregator -a ! -e /etc/aggregator

# Upgrade: an older build's package collects, the new one replaces it.
check "upgrade: apt-get install the $UPGRADE_VERSION package" ct sh -c "cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$(basename "$OLD_DEB")"
eventually 15 "upgrade: $UPGRADE_VERSION running" is_active
eventually 20 "upgrade: $UPGRADE_VERSION collected articles" has_articles
article_ids > "$RUN/before-upgrade.ids"
check "upgrade: apt-get install the $VERSION package over it" ct sh -c "cd /root && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$(basename "$DEB")"
eventually 15 "upgrade: $VERSION running" is_active
check "upgrade: aggregator --version says $VERSION" test "$(ct aggregator --version)" = "$VERSION"
article_ids > "$RUN/after-upgrade.ids"
kept="$(comm -23 "$RUN/before-upgrade.ids" "$RUN/after-upgrade.ids" | wc -l)"
check "upgrade: every one of the $(wc -l < "$RUN/before-upgrade.ids") articles is kept (missing: $kept)" test "$kept" -eq 0
eventually 10 "upgrade: a member lists the upgraded store" member_lists
shutdown_container

# ======================================================================================
elapsed=$(($(date +%s) - started))
echo
echo "service-test: $passed checks passed, $failed failed in ${elapsed} s (cached Debian roots: $root_cache_used)"
for failure in "${failures[@]}"; do echo "  failed: $failure"; done
[ "$failed" -eq 0 ]
