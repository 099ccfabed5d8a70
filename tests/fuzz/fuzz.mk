# Fuzz harnesses (tests/fuzz/README.md), included by the Makefile after
# LIBOBJS.  Each tests/fuzz/fuzz_<name>.c is linked two ways against the
# project's objects (main.o left out):
#   $(BUILD)/tests/test_fuzz_replay_<name>   with replay_main.c and the
#       normal compiler and flags: replays the committed corpus and
#       regressions as TAP for make test (ASan/UBSan under SANITIZE=1);
#   $(BUILD)/bin/fuzz_<name>                 with libFuzzer, built by
#       scripts/fuzz as  make BUILD=build/fuzz CC=clang-14 CFLAGS=… fuzzers
#       (the objects then carry -fsanitize=fuzzer-no-link,address,undefined).

FZ_NAMES   = $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FZ_REPLAY  = $(FZ_NAMES:%=$(BUILD)/tests/test_fuzz_replay_%)
FZ_BINS    = $(FZ_NAMES:%=$(BUILD)/bin/fuzz_%)
FZ_HELPERS = $(filter-out tests/fuzz/fuzz_%.c,$(wildcard tests/fuzz/*.c tests/fuzz/*.h))

# Per harness: extra helper sources, objects to leave out, symbols to wrap
# (ld --wrap: calls from the project's objects go to __wrap_<symbol>).
FZ_WRAP_ALL = log_info log_warn log_err
FZ_EXTRA_json_routes = tests/fuzz/fakereq.c
FZ_WRAP_json_routes = MHD_lookup_connection_value db_acquire db_release manage_load \
	db_match_settings db_reg_json db_match_profile_by_reg db_match_profile_get \
	db_match_expire db_meeting_get db_match_opp_json auth_hash_password auth_verify_password
FZ_EXTRA_route = tests/fuzz/fakereq.c
FZ_WRAP_route = MHD_lookup_connection_value db_acquire db_release
# fuzz_time.c includes src/timeutil.c (for its static TZif and TZ-string readers).
FZ_OMIT_time = timeutil.o
# fuzz_http.c includes src/http.c itself (for the daemon and the event loop).
FZ_OMIT_http = http.o

fz_comma := ,
fz_objs  = $(filter-out $(patsubst %,$(BUILD)/%,$(FZ_OMIT_$*)),$(LIBOBJS))
fz_wraps = $(patsubst %,-Wl$(fz_comma)--wrap=%,$(FZ_WRAP_ALL) $(FZ_WRAP_$*))
fz_cc    = $(CC) $(CFLAGS_W) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS_ALL) \
	-Itests/fuzz -DFZ_NAME=\"$*\"

$(BUILD)/tests/test_fuzz_replay_%: tests/fuzz/fuzz_%.c $(FZ_HELPERS) $(LIBOBJS) | $(BUILD)
	$(fz_cc) $(LDFLAGS) -o $@ $< tests/fuzz/replay_main.c tests/fuzz/common.c \
	    $(FZ_EXTRA_$*) $(fz_objs) $(fz_wraps) $(LDLIBS_ALL)

$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(FZ_HELPERS) $(LIBOBJS) | $(BUILD)
	@mkdir -p $(BUILD)/bin
	$(fz_cc) -fsanitize=fuzzer,address,undefined -o $@ $< tests/fuzz/common.c \
	    $(FZ_EXTRA_$*) $(fz_objs) $(fz_wraps) $(LDLIBS_ALL)

.PHONY: fuzzers fuzz-replay
fuzzers: $(FZ_BINS)
fuzz-replay: $(FZ_REPLAY)
