# Confero — build, run, test.  See README.md.
.SUFFIXES:

VERSION  = 0.1.0
CC      ?= cc
PKGS     = libmicrohttpd libmariadb libcjson libqrencode libsodium libpng libidn2 xlsxwriter \
           icu-uc icu-i18n
CFLAGS_W = -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wno-format-nonliteral \
           -Wvla -Wimplicit-fallthrough \
           -fstack-protector-strong -fstack-clash-protection
CFLAGS  ?= -O2 -g
# Full RELRO and immediate binding (ASVS 14.1.2); Debian's gcc makes PIE.
LDFLAGS += -Wl,-z,relro,-z,now
CPPFLAGS_ALL = -D_GNU_SOURCE -DCONFERO_VERSION=\"$(VERSION)\" -Isrc -Ibuild \
           $(shell pkg-config --cflags $(PKGS)) $(CPPFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS)) -lesmtp -lhpdf -lglpk -lpthread -lm -ldl $(LDLIBS)

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD    = build/san
else
BUILD    = build/rel
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif

SRCS     = $(sort $(wildcard src/*.c))
OBJS     = $(patsubst src/%.c,$(BUILD)/%.o,$(SRCS)) $(BUILD)/sql_embed.o $(BUILD)/po_embed.o
LIBOBJS  = $(filter-out $(BUILD)/main.o,$(OBJS))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
include tests/fuzz/fuzz.mk
SQL      = $(sort $(wildcard sql/*.sql))
PO       = $(sort $(wildcard po/*.po))
MO       = $(patsubst po/%.po,build/po/%.mo,$(PO))

.PHONY: all run test unit bench clean deps format confero web po fuzz
all: confero

confero: $(BUILD)/confero
	@ln -sf $(BUILD)/confero confero

$(BUILD)/confero: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS_ALL)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(CFLAGS_W) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

build/sql_embed.c: $(SQL) scripts/embed-sql
	@mkdir -p build
	sh scripts/embed-sql $(SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/sql_embed.o: build/sql_embed.c | $(BUILD)
	$(CC) $(CFLAGS_W) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

# Translations: each po/<lang>.po checked and compiled by msgfmt, then
# embedded (the list of languages is the list of catalogs).
build/po/%.mo: po/%.po
	@mkdir -p build/po
	msgfmt --check --output-file=$@.tmp $< && mv $@.tmp $@

build/po_embed.c: $(MO) scripts/embed-po
	@mkdir -p build
	sh scripts/embed-po $(MO) > $@.tmp && mv $@.tmp $@

$(BUILD)/po_embed.o: build/po_embed.c | $(BUILD)
	$(CC) $(CFLAGS_W) $(CFLAGS) $(CPPFLAGS_ALL) -c -o $@ $<

$(BUILD):
	@mkdir -p $(BUILD)/tests

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS)
	$(CC) $(CFLAGS_W) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS_ALL) $(shell pkg-config --cflags cmocka) \
	    $(LDFLAGS) -o $@ $< $(LIBOBJS) $(shell pkg-config --libs cmocka) $(LDLIBS_ALL)

unit: $(UNIT_BINS) $(FZ_REPLAY)

deps:
	@sh scripts/install-deps

web:
	@sh scripts/web-build

# Regenerate po/confero.pot from the sources and merge it into every catalog.
po:
	@/usr/bin/python3 scripts/po.py update

run: deps
	@$(MAKE) --no-print-directory confero web
	@sh scripts/run

test: deps
	@$(MAKE) --no-print-directory confero unit web
	@sh scripts/test $(BUILD)

BENCH_BINS = $(BUILD)/bench/loadgen $(BUILD)/bench/dblimit $(BUILD)/bench/smtplimit \
             $(BUILD)/bench/matchbench

# The scheduler on generated events: linked like the unit tests, without cmocka.
$(BUILD)/bench/matchbench: tests/bench/matchbench.c $(LIBOBJS)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS_W) $(CFLAGS) $(CPPFLAGS_ALL) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LDLIBS_ALL)

$(BUILD)/bench/smtplimit: tests/bench/smtplimit.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

$(BUILD)/bench/loadgen: tests/bench/loadgen.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

$(BUILD)/bench/dblimit: tests/bench/dblimit.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $(shell pkg-config --cflags libmariadb) \
	    -o $@ $< $(shell pkg-config --libs libmariadb) -lpthread

# libFuzzer + ASan + UBSan (clang-14) on every harness of tests/fuzz for
# FUZZ_SECONDS each (default 60); see tests/fuzz/README.md.
fuzz:
	@sh scripts/fuzz $(FUZZ_SECONDS)

cluster:
	@sh scripts/cluster

# The cluster's guarantees checked by program (tests/cluster/run.py): a
# throwaway cluster on free ports; last line "N passed, N failed".
.PHONY: cluster test-cluster
test-cluster:
	@sh scripts/install-deps cluster
	@$(MAKE) --no-print-directory confero
	@CONFERO_BIN=$(CURDIR)/$(BUILD)/confero /usr/bin/python3 tests/cluster/run.py

bench: deps
	@$(MAKE) --no-print-directory confero $(BENCH_BINS)
	@sh scripts/bench $(BUILD)

# Registration and check-in through one instance on one plain MariaDB, one
# instance on the Galera writer and three behind HAProxy (scripts/cluster),
# in one run; wsrep counters, CPU per request and the failover gap.
.PHONY: bench-cluster
bench-cluster: deps
	@$(MAKE) --no-print-directory $(BUILD)/confero $(BUILD)/bench/loadgen
	@sh scripts/bench-cluster $(BUILD)

# The full fault scenarios (tests/faults/): MariaDB killed and frozen, SMTP
# failures, slowhttptest, a full disk; last line "N passed, N failed".
# The short versions run inside `make test` (test_faults_short.py).
.PHONY: faults
faults: deps
	@$(MAKE) --no-print-directory confero
	@sh scripts/faults $(BUILD)

format:
	clang-format -i src/*.c src/*.h

clean:
	rm -rf build confero
