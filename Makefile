# sm - citizen service over social media, from shell scripts and cron
# GNU make.  make; make check; make check SANITIZE=1; make install PREFIX=...

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/sm
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = jansson yaml-0.1 libpcre2-8 libutf8proc sqlite3 libexttextcat libcurl \
	libical
TEST_PKGS = cmocka

# Debian packages that provide the libraries and tools above.
DEBS = build-essential pkg-config libjansson-dev libyaml-dev libpcre2-dev \
	libutf8proc-dev libstemmer-dev libexttextcat-dev libsqlite3-dev \
	libcmocka-dev libcurl4-openssl-dev mandoc jq python3 openssl \
	dovecot-core dovecot-imapd curl libical-dev python3-aiosmtpd

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS =
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -I$(BUILD) \
	-DSM_VERSION='"$(VERSION)"' -DSM_DATADIR='"$(DATADIR)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(SANFLAGS) $(CFLAGS)
# each object's headers (and lib/html-entities.inc) as the compiler saw them
DEPFLAGS = -MMD -MP
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lstemmer -lm
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

LIB_SRC = $(wildcard lib/*.c) $(wildcard lib/platform/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/lib/builtin_rules.o \
	$(BUILD)/lib/builtin_replies.o
TOOLS = sm-classify sm-fetch sm-route sm-reply sm-report
BINS = $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)
BUILTIN_RULES = examples/rules/municipal.yaml
BUILTIN_REPLIES = examples/replies/municipal.yaml

all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The built-in rule pack is compiled into libsm so that sm-classify works
# with no configuration and without being installed.
$(BUILD)/lib/builtin_rules.c: $(BUILTIN_RULES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh sm_builtin_municipal $(BUILTIN_RULES) > $@

$(BUILD)/lib/builtin_rules.o: $(BUILD)/lib/builtin_rules.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The built-in reply templates, likewise for sm-reply.
$(BUILD)/lib/builtin_replies.c: $(BUILTIN_REPLIES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh sm_builtin_replies $(BUILTIN_REPLIES) > $@

$(BUILD)/lib/builtin_replies.o: $(BUILD)/lib/builtin_replies.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libsm.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libsm.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libsm.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/testlib.o \
    $(BUILD)/libsm.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tests/unit/testlib.o \
	    $(BUILD)/libsm.a $(LIBS) $(TEST_LIBS)

$(BUILD)/bench/template: bench/template.c $(BUILD)/libsm.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/libsm.a $(LIBS)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS)

# Tests: C unit tests (cmocka, TAP) and command tests (tests/*.t, sh).
# Tests that need the shared data sets (SHARED) skip, saying so, without it.
SHARED ?= $(CURDIR)/../shared
check: $(BINS) $(UNIT_BINS)
	SM_BUILD=$(CURDIR)/$(BUILD) SM_SRC=$(CURDIR) SM_SHARED=$(SHARED) \
	LC_ALL=C.UTF-8 TZ=UTC \
	CMOCKA_MESSAGE_OUTPUT=TAP \
	prove --exec '' $(PROVEFLAGS) $(UNIT_BINS) tests/*.t

lint-man:
	mandoc -T lint -W warning $(MAN1) $(MAN5) $(MAN7)

demo: $(BINS)
	@sh examples/demo.sh $(BUILD)/bin

bench: $(BINS) $(BUILD)/bench/jansson-loop $(BUILD)/bench/template
	sh bench/classify $(BUILD)
	sh bench/fetch $(BUILD)
	sh bench/classify-model $(BUILD)
	sh bench/route $(BUILD)
	sh bench/reply $(BUILD)
	sh bench/report $(BUILD)
	sh bench/report-memory $(BUILD)
	$(BUILD)/bench/template examples/messages.jsonl
	sh bench/rules-eval -b $(BUILD)/bin/sm-classify
	sh bench/everyday-eval -b $(BUILD)/bin/sm-classify
	sh bench/lang-eval -b $(BUILD)/bin/sm-classify

RULES = $(wildcard examples/rules/*.yaml)
REPLIES = $(wildcard examples/replies/*.yaml)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/replies
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 644 $(RULES) $(DESTDIR)$(DATADIR)/rules/
	install -m 644 $(REPLIES) $(DESTDIR)$(DATADIR)/replies/

# Removes what install put there, and the directories of ours it leaves
# empty; nothing else.
uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%)
	rm -f $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -f $(MAN7:man/%=$(DESTDIR)$(MANDIR)/man7/%)
	rm -f $(RULES:examples/rules/%=$(DESTDIR)$(DATADIR)/rules/%)
	rm -f $(REPLIES:examples/replies/%=$(DESTDIR)$(DATADIR)/replies/%)
	-rmdir $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/replies \
		$(DESTDIR)$(DATADIR) 2>/dev/null

# Installs the Debian packages that are missing (as root), or says how.
deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "all dependencies are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
		echo "missing packages; run as root:" >&2; \
		echo "  apt-get install$$missing" >&2; exit 1; \
	fi

clean:
	rm -rf build build-san

.PHONY: all check lint-man demo bench install uninstall deps clean
.SECONDARY:
