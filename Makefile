# aggregator — the two commands a newcomer needs:
#   make run    install missing system packages, build, fetch the bundled feeds.conf,
#               list what was collected, then keep polling with aggregatord (Ctrl-C stops)
#   make test   install missing system packages, run every test, check the systemd unit

SHELL := /bin/bash

PREFIX      ?= /usr/local
SYSCONFDIR  ?= /etc
UNITDIR     ?= /etc/systemd/system
SYSUSERSDIR ?= /etc/sysusers.d
DESTDIR     ?=
DATA        ?= .data

BINDIR   = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/aggregator
DOCDIR   = $(PREFIX)/share/doc/aggregator
RELEASE  = .build/release
MANDIR   = $(PREFIX)/share/man/man1
BASHDIR  = $(PREFIX)/share/bash-completion/completions
ZSHDIR   = $(PREFIX)/share/zsh/site-functions
FISHDIR  = $(PREFIX)/share/fish/vendor_completions.d
MANPAGES = .build/manpages
DEBUG    = .build/debug

# Debian packages the build links against (pkg-config finds them).
PACKAGES = libcurl4-openssl-dev libxml2-dev libsqlite3-dev libzstd-dev libdeflate-dev libbrotli-dev libssl-dev pkg-config
# What `make deb` and `make service-test` need besides (dpkg-shlibdeps; a Debian root and a real systemd).
DEB_PACKAGES = dpkg-dev
# What the tests use besides: python3's hmac checks webhook signatures independently;
# PostgreSQL for the second store's tests (a throwaway cluster, .ci/postgres-cluster.sh).
TEST_PACKAGES = python3 postgresql
SERVICE_TEST_PACKAGES = debootstrap systemd-container dpkg-dev python3

# The version the binaries report (and the .deb carries).
VERSION := $(shell sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/Fetcher/FetchTypes.swift)
DEBSTAGE = .build/deb-stage

.PHONY: all deps release run test check-systemd manpages install uninstall clean fuzz deb service-test

all: release

deps:
	@command -v swift >/dev/null || { echo "swift not found: install Swift 6 (swift.org) and put it on PATH" >&2; exit 1; }
	@missing=""; for p in $(PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Release binaries carry the Swift runtime and Foundation (--static-swift-stdlib): they
# start in half the time (no resolving of thousands of symbols from a dozen shared
# libraries), use ~6 MB less memory, and keep working when the toolchain moves or goes.
# (Product by product: a plain `swift build` would also link GRDB's dynamic library,
# which cannot take the static runtime.)
release: deps
	swift build -c release --static-swift-stdlib --product aggregatord
	swift build -c release --static-swift-stdlib --product aggregator

run: release
	@mkdir -p $(DATA)
	-$(RELEASE)/aggregator fetch --config feeds.conf --data $(DATA)
	@echo
	@echo '$$ aggregator list --since 2020-10-01'
	@$(RELEASE)/aggregator list --since 2020-10-01 --config feeds.conf --data $(DATA)
	@echo
	@echo "aggregatord is polling feeds.conf now (store: $(DATA)); Ctrl-C stops it."
	@echo "In another terminal: $(RELEASE)/aggregator list --since 2020-10-01 --data $(DATA)"
	exec $(RELEASE)/aggregatord --config feeds.conf --data $(DATA)

# swift test prints XCTest's (empty) summary and Swift Testing's; the last line here
# sums up the run in the plain "N passed, N failed" form every CI reader understands.
test:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(TEST_PACKAGES)"
	@mkdir -p .build
	@pg=$$(.ci/postgres-cluster.sh start) || exit 1; \
	trap '.ci/postgres-cluster.sh stop "'"$$pg"'"' EXIT; \
	export AGGREGATOR_TEST_POSTGRES="postgresql://aggregator@/aggregator?host=$$pg"; \
	set -o pipefail; swift test 2>&1 | tee .build/test.log
	@$(MAKE) --no-print-directory check-systemd
	@count=$$(grep -oE 'Test run with [0-9]+ tests' .build/test.log | grep -oE '[0-9]+' | tail -1); \
	echo "tests: $${count:-0} passed, 0 failed"

# The unit must verify and stay well hardened (exposure at most 1.5 on a 0–10 scale,
# i.e. --threshold=15). Skipped where systemd-analyze is missing.
check-systemd:
	@if ! command -v systemd-analyze >/dev/null; then echo "systemd-analyze not found: unit not checked"; exit 0; fi; \
	[ -x $(DEBUG)/aggregatord ] || swift build --product aggregatord; \
	prefix=$$(mktemp -d); mkdir -p $$prefix/bin; ln -s $(CURDIR)/$(DEBUG)/aggregatord $$prefix/bin/aggregatord; \
	sed "s|@PREFIX@|$$prefix|g" systemd/aggregator.service > $$prefix/aggregator.service; \
	systemd-analyze verify --man=no $$prefix/aggregator.service && \
	systemd-analyze security --offline=true --threshold=15 $$prefix/aggregator.service | tail -1; \
	status=$$?; rm -rf $$prefix; \
	if [ $$status -eq 0 ]; then echo "systemd unit: verify and security checks passed"; fi; exit $$status

# Man pages from swift-argument-parser's generate-manual tool, built with the same flags
# as the release binaries (its plugin would rebuild them without --static-swift-stdlib).
manpages: release
	swift build -c release --static-swift-stdlib --product generate-manual
	for tool in aggregator aggregatord; do \
		mkdir -p $(MANPAGES)/$$tool && $(RELEASE)/generate-manual $(RELEASE)/$$tool -o $(MANPAGES)/$$tool || exit 1; \
	done

install: release manpages
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/sample-feeds $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/aggregator $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHDIR) $(DESTDIR)$(ZSHDIR) $(DESTDIR)$(FISHDIR)
	install -m 0755 -s $(RELEASE)/aggregatord $(RELEASE)/aggregator $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MANPAGES)/aggregator/aggregator.1 $(MANPAGES)/aggregatord/aggregatord.1 $(DESTDIR)$(MANDIR)/
	$(RELEASE)/aggregator --generate-completion-script bash > $(DESTDIR)$(BASHDIR)/aggregator
	$(RELEASE)/aggregator --generate-completion-script zsh > $(DESTDIR)$(ZSHDIR)/_aggregator
	$(RELEASE)/aggregator --generate-completion-script fish > $(DESTDIR)$(FISHDIR)/aggregator.fish
	install -m 0644 docs/sample-feeds/*.xml $(DESTDIR)$(SHAREDIR)/sample-feeds/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	sed 's|@PREFIX@|$(PREFIX)|g' systemd/aggregator.service > $(DESTDIR)$(UNITDIR)/aggregator.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/aggregator.service
	install -m 0644 systemd/aggregator.sysusers $(DESTDIR)$(SYSUSERSDIR)/aggregator.conf
	@# Never overwrite the admin's feeds.conf; a new one points its samples at $(SHAREDIR).
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/aggregator/feeds.conf ]; then \
		echo "keeping the existing $(SYSCONFDIR)/aggregator/feeds.conf"; \
	else \
		sed 's|^file:docs/sample-feeds/|file://$(SHAREDIR)/sample-feeds/|' feeds.conf \
			> $(DESTDIR)$(SYSCONFDIR)/aggregator/feeds.conf; \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/aggregator/feeds.conf; \
		echo "installed $(SYSCONFDIR)/aggregator/feeds.conf"; \
	fi

# A Debian package of the release build: aggregator_$(VERSION)_amd64.deb, here. Installs the
# unit in /lib/systemd/system and the sysusers file in /usr/lib/sysusers.d; its maintainer
# scripts create the account and enable and start the service (systemd/debian/).
deb:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(DEB_PACKAGES)"
	rm -rf $(DEBSTAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEBSTAGE) PREFIX=/usr SYSCONFDIR=/etc \
		UNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d ZSHDIR=/usr/share/zsh/vendor-completions
	systemd/make-deb.sh $(DEBSTAGE) $(VERSION) .

# The service as people install it, under a real systemd in a Debian 12 container (needs
# root, a few hundred MB and some minutes; not part of `make test`). systemd/service-test.sh
# says what it checks.
service-test:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(SERVICE_TEST_PACKAGES)"
	@$(MAKE) --no-print-directory deb
	systemd/service-test.sh

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aggregatord $(DESTDIR)$(BINDIR)/aggregator
	rm -f $(DESTDIR)$(UNITDIR)/aggregator.service $(DESTDIR)$(SYSUSERSDIR)/aggregator.conf
	rm -f $(DESTDIR)$(MANDIR)/aggregator.1 $(DESTDIR)$(MANDIR)/aggregatord.1 $(DESTDIR)$(BASHDIR)/aggregator \
		$(DESTDIR)$(ZSHDIR)/_aggregator $(DESTDIR)$(FISHDIR)/aggregator.fish
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)
	@echo "left in place: $(SYSCONFDIR)/aggregator/feeds.conf and the store in /var/lib/aggregator"

clean:
	rm -rf .build $(DATA)

# libFuzzer over FeedParser, seeded with the test fixtures; FUZZ_SECONDS to run longer.
# Crashes and leaks land in Tests/Fuzz/artifacts/.
FUZZ_SECONDS ?= 600
fuzz: deps
	cd Tests/Fuzz && swift build --scratch-path ../../.build-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product FeedParserFuzzer
	mkdir -p .build-fuzz/corpus Tests/Fuzz/artifacts
	cp -n Tests/FeedParserTests/Fixtures/* Tests/EndToEndTests/Fixtures/* .build-fuzz/corpus/ 2>/dev/null || true
	# The conformance documents as seeds of their own: CSS, SVG/MathML, base64, entities, encodings.
	python3 -c 'import base64,json,sys; [open(".build-fuzz/corpus/conformance-%02d.xml" % i, "wb").write(base64.b64decode(c["base64"]) if "base64" in c else c["document"].encode()) for i, c in enumerate(json.load(open(sys.argv[1])))]' Tests/FeedParserTests/Fixtures/conformance.json
	SWIFT_BACKTRACE=enable=no .build-fuzz/debug/FeedParserFuzzer .build-fuzz/corpus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-artifact_prefix=Tests/Fuzz/artifacts/ -print_final_stats=1
