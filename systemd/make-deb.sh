#!/usr/bin/env bash
# Builds aggregator_VERSION_ARCH.deb from a tree `make install` staged for Debian's layout
# (the Makefile's `deb` target stages it and calls this; `make service-test` also packages an
# older build's tree this way, to test upgrades).
#
#   systemd/make-deb.sh STAGE VERSION OUTDIR
#
# Depends: comes from dpkg-shlibdeps over the binaries (the libraries they link, at the
# versions this machine's Debian provides), plus what the maintainer scripts use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stage="$(cd "$1" && pwd)"; version="$2"; outdir="$3"
arch="$(dpkg --print-architecture)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# Laid out as a source package's build tree, where dpkg-shlibdeps expects the binaries.
root="$work/src/debian/aggregator"
mkdir -p "$work/src/debian"

cp -a "$stage" "$root"
# Debian's conventions: compressed man pages and changelog, a copyright file.
find "$root/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +
doc="$root/usr/share/doc/aggregator"
install -d "$doc"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
{
    echo "aggregator ($version) stable; urgency=medium"
    echo
    echo "  * Built from $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo 'a source tree')."
    echo
    echo " -- aggregator developers <aggregator@localhost>  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n > "$doc/changelog.Debian.gz"

# The libraries the binaries link, as package dependencies.
install -d -m 0755 "$root/DEBIAN"
printf 'Source: aggregator\n\nPackage: aggregator\nArchitecture: any\n' > "$work/src/debian/control"
shlibs="$(cd "$work/src" && dpkg-shlibdeps -O debian/aggregator/usr/bin/aggregator debian/aggregator/usr/bin/aggregatord \
    | sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { echo "make-deb: dpkg-shlibdeps found no libraries" >&2; exit 1; }

cat > "$root/DEBIAN/control" <<CONTROL
Package: aggregator
Version: $version
Architecture: $arch
Maintainer: aggregator developers <aggregator@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $shlibs, systemd | adduser, init-system-helpers (>= 1.54)
Section: net
Priority: optional
Homepage: https://github.com/aggregator/aggregator
Description: headless RSS/Atom feed aggregator (daemon and command line)
 aggregatord polls the feeds listed in /etc/aggregator/feeds.conf with libcurl,
 parses RSS, Atom and JSON Feed with libxml2, deduplicates the articles and keeps
 them in SQLite, as a hardened systemd service. The aggregator command lists,
 searches, shows and exports what was collected; members of the group
 "aggregator" may read the system store.
CONTROL
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"
install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's|  \./|  |') \
    > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$outdir"
deb="$outdir/aggregator_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
