# awgbox -- one Makefile.  See README.md.
#
#   make                    static musl build: build/awgbox, build/bin/<applet>
#   make LIBC=glibc         dynamic glibc development build: build/glibc/awgbox
#   make LIBC=glibc SANITIZE=1   with ASan + UBSan (build/asan/)
#   make defconfig | tinyconfig | oldconfig | menuconfig
#   make size               size of the binary and what each applet adds
#   make bench              size, speed and memory against the upstream tools (scripts/bench/run)
#   make tests              build the unit-test programs
#   make check              build, then run the test suite (tests/run)
#   make install PREFIX=/usr DESTDIR=...
#   make dist               reproducible tarballs in build/dist/; make dist-check
#   V=1                     show the commands
#
# Everything a build makes goes below $(B); several builds (musl, glibc,
# sanitizers, the size probes of scripts/size.sh) live side by side.

VERSION   := $(shell cat VERSION)
LIBC      ?= musl
PREFIX    ?= /usr
BINDIR    ?= $(PREFIX)/bin
KCONFIG_CONFIG ?= .config
SANITIZE  ?= 0
# Static musl builds use libmnl.a when one is found, else core/mnl.c.
MNL       ?= auto
# Static musl builds link the libsodium scripts/deps.sh builds (own), or with
# SODIUM=system the libsodium.a pkg-config --static finds (Alpine's
# libsodium-static; then scripts/deps.sh, which needs apt, is not run).
SODIUM    ?= own

ifeq ($(V),1)
Q :=
echo-cmd = @:
else
Q := @
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
echo-cmd = @:
else
echo-cmd = @printf '  %-8s %s\n'
endif
endif

ifeq ($(LIBC),musl)
  ifeq ($(origin CC),default)
    # musl-gcc (Debian's musl-tools), or cc where it targets musl (Alpine)
    CC := $(shell if ! command -v musl-gcc >/dev/null 2>&1 && \
                     cc -dumpmachine 2>/dev/null | grep -q musl; then echo cc; else echo musl-gcc; fi)
  endif
  B      ?= build
  DEPS   := build/deps/musl
  LDSTATIC := -static -Wl,-z,noseparate-code -Wl,-z,norelro
  # musl-gcc does not see the kernel headers: give it a directory of links
  KHDR   := build/kheaders
  CPPFLAGS_LIBC := -isystem $(KHDR)
  ifeq ($(MNL),auto)
    # a libmnl.a that this compiler links (Alpine's libmnl-static), found
    # through pkg-config --static; Debian ships none, so we use core/mnl.c
    MNL := $(shell pkg-config --static --exists libmnl 2>/dev/null && \
             test -f "$$($(CC) -print-file-name=libmnl.a)" && echo system || echo own)
  endif
  ifeq ($(SODIUM),system)
    SODIUM_LIBS := $(shell pkg-config --static --libs libsodium)
  else
    SODIUM_LIBS := $(DEPS)/lib/libsodium.a
    DEPS_READY  := $(DEPS)/.ready
  endif
  LIBS   := $(if $(filter system,$(MNL)),$(shell pkg-config --static --libs libmnl),) \
            $(SODIUM_LIBS)
  OPTFLAGS := -Oz
else ifeq ($(LIBC),glibc)
  ifeq ($(origin CC),default)
    CC := gcc
  endif
  DEPS   := build/deps/glibc
  DEPS_READY := $(DEPS)/.ready
  LDSTATIC :=
  KHDR   :=
  CPPFLAGS_LIBC :=
  ifeq ($(MNL),auto)
    MNL := system
  endif
  LIBS   := $(if $(filter system,$(MNL)),$(shell pkg-config --libs libmnl),) \
            $(shell pkg-config --libs libsodium)
  OPTFLAGS := -O2 -g
  ifeq ($(SANITIZE),1)
    B        ?= build/asan
    OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
    LDSAN    := -fsanitize=address,undefined
  else
    B        ?= build/glibc
  endif
else
  $(error LIBC must be musl or glibc)
endif

G        := $(B)/gen
export AWGBOX_GEN := $(G)
CFLAGS   ?= $(OPTFLAGS)
WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-sign-compare -Wno-comment
CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -DAWGBOX_VERSION='"$(VERSION)"' \
            -I$(G) -Icore -Iapplets -I$(DEPS)/include $(CPPFLAGS_LIBC) \
            $(if $(filter own,$(MNL)),-Icore/mnl,)
ALL_CFLAGS := $(CPPFLAGS_ALL) $(WARN) -ffunction-sections -fdata-sections \
            -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-stack-protector \
            -ffile-prefix-map=$(CURDIR)/= -MMD -MP $(CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS := $(LDSTATIC) -Wl,--gc-sections -Wl,--build-id=none $(LDSAN) $(LDFLAGS)

.DEFAULT_GOAL := all

# Rebuild everything when the compiler or its flags change.
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LIBS)
ifneq ($(file <$(B)/flags),$(FLAGS_NOW))
$(shell mkdir -p $(B))
$(file >$(B)/flags,$(FLAGS_NOW))
endif

# ---- configuration ----------------------------------------------------------
# APPLET_SRCS may be narrowed on the command line (scripts/size.sh does, to
# prove that a disabled applet costs nothing).
APPLET_SRCS ?= $(filter-out applets/awgbox.c,$(sort $(wildcard applets/*.c)))

$(G)/applets.mk: $(APPLET_SRCS) scripts/gen-applets
	$(echo-cmd) GEN $(G)/applets.h
	$(Q)scripts/gen-applets $(G) $(APPLET_SRCS)
	$(Q)touch $@

$(KCONFIG_CONFIG): $(G)/applets.mk Kconfig
	$(Q)if [ -f $@ ]; then scripts/kconfig oldconfig Kconfig $@; \
	else echo "  no $@: using config/defconfig"; \
	     scripts/kconfig defconfig Kconfig $@ config/defconfig; fi

-include $(KCONFIG_CONFIG)
-include $(G)/applets.mk

$(G)/autoconf.h: $(KCONFIG_CONFIG) Kconfig $(G)/Config.applets scripts/kconfig
	$(echo-cmd) GEN $@
	$(Q)scripts/kconfig autoconf Kconfig $(KCONFIG_CONFIG) $@
	$(Q)touch $@

.PHONY: defconfig tinyconfig oldconfig menuconfig
defconfig: $(G)/applets.mk
	scripts/kconfig defconfig Kconfig $(KCONFIG_CONFIG) config/defconfig
tinyconfig: $(G)/applets.mk
	scripts/kconfig allnoconfig Kconfig $(KCONFIG_CONFIG) config/tiny_defconfig
oldconfig: $(G)/applets.mk
	scripts/kconfig oldconfig Kconfig $(KCONFIG_CONFIG)
menuconfig: $(G)/applets.mk
	@if command -v kconfig-mconf >/dev/null 2>&1; then \
		KCONFIG_CONFIG=$(KCONFIG_CONFIG) kconfig-mconf Kconfig; \
	elif python3 -c 'import kconfiglib' 2>/dev/null; then \
		KCONFIG_CONFIG=$(KCONFIG_CONFIG) python3 -m menuconfig Kconfig; \
	else \
		echo "menuconfig needs kconfig-frontends or python3-kconfiglib;" \
		     "edit $(KCONFIG_CONFIG) and run 'make oldconfig' instead" >&2; exit 1; \
	fi
	scripts/kconfig oldconfig Kconfig $(KCONFIG_CONFIG)

# ---- objects ----------------------------------------------------------------
CORE_SRCS := $(filter-out $(if $(filter own,$(MNL)),,core/mnl.c),$(sort $(wildcard core/*.c)))
CORE_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(CORE_SRCS))
OBJS := $(CORE_OBJS) $(B)/obj/applets/awgbox.o $(patsubst %.c,$(B)/obj/%.o,$(sort $(applet-src-y)))

.PHONY: all deps
all: $(B)/awgbox

deps: $(DEPS)/.ready
$(DEPS)/.ready: scripts/deps.sh
	scripts/deps.sh $(LIBC)
	@touch $@

build/kheaders/.ready:
	$(Q)mkdir -p build/kheaders
	$(Q)ma=$$(gcc -print-multiarch 2>/dev/null); \
	for d in linux asm-generic mtd; do [ -d /usr/include/$$d ] && ln -sfn /usr/include/$$d build/kheaders/$$d; done; \
	if [ -d /usr/include/$$ma/asm ]; then ln -sfn /usr/include/$$ma/asm build/kheaders/asm; \
	elif [ -d /usr/include/asm ]; then ln -sfn /usr/include/asm build/kheaders/asm; fi
	$(Q)[ -e build/kheaders/linux/netlink.h ] || { echo "kernel headers not found (apt-get install linux-libc-dev)" >&2; exit 1; }
	$(Q)touch $@

$(B)/obj/%.o: %.c $(G)/autoconf.h $(B)/flags | $(G)/applets.mk $(DEPS_READY) $(if $(KHDR),build/kheaders/.ready)
	$(echo-cmd) CC $<
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/awgbox_unstripped: $(OBJS) $(B)/flags
	$(echo-cmd) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(B)/awgbox: $(B)/awgbox_unstripped
	$(echo-cmd) STRIP $@
	$(Q)$(if $(LDSAN),cp $< $@,strip -s -R .comment -R .note -R .note.ABI-tag -o $@ $<)
	$(Q)rm -rf $(B)/bin && mkdir -p $(B)/bin
	$(Q)for a in $$($@ --list); do ln -s ../awgbox $(B)/bin/$$a; done

# ---- unit tests: tests/unit/NAME.c -> $(B)/tests/unit/NAME -------------------
# (and helper programs of other tiers: tests/netns/NAME.c -> $(B)/tests/netns/NAME)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c tests/netns/*.c))
UNIT_BINS := $(patsubst tests/%.c,$(B)/tests/%,$(UNIT_SRCS))

.PHONY: tests
tests: $(B)/awgbox $(UNIT_BINS)

$(B)/tests/%: tests/%.c tests/unit/t.h $(CORE_OBJS)
	$(echo-cmd) CC $@
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJS) $(LIBS)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)

# ---- fuzzing: tests/fuzz/NAME.c -> build/fuzz/NAME (clang, libFuzzer) ---------
FUZZ_CC ?= clang
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c))
# core/mnl.c, not the system libmnl: the netlink replies are walked by the
# code the static binary ships
FUZZ_CORE := $(wildcard core/*.c)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-std=gnu11 -D_GNU_SOURCE -Icore -Icore/mnl -Itests/fuzz

.PHONY: fuzz fuzz-build
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)
fuzz-build: $(addprefix build/fuzz/,$(FUZZ_TARGETS))
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_CORE) $(wildcard core/*.h)
	$(echo-cmd) FUZZ $@
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_CORE) $(shell pkg-config --libs libsodium)

# ---- size, bench, install, dist, tests, clean ---------------------------------------
.PHONY: size bench install dist dist-check check clean distclean
size:
	@scripts/size.sh

bench:
	scripts/bench/run

# bash completion: one file, linked by the names bash-completion looks up
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
COMPLETED := awg wg awg-quick wg-quick
install: $(B)/awgbox
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 $(B)/awgbox $(DESTDIR)$(BINDIR)/awgbox
	for a in $$($(B)/awgbox --list); do ln -sfn awgbox $(DESTDIR)$(BINDIR)/$$a; done
	install -m 0644 scripts/completion/awgbox.bash $(DESTDIR)$(COMPLETIONDIR)/awgbox
	for a in $$($(B)/awgbox --list); do case " $(COMPLETED) " in *" $$a "*) \
		ln -sfn awgbox $(DESTDIR)$(COMPLETIONDIR)/$$a;; esac; done

# reproducible source and binary tarballs in build/dist/ (scripts/dist)
dist:
	scripts/dist
# ... and the proof: two builds from the source tarball, byte for byte
dist-check:
	scripts/dist --check

check: tests
	tests/run

clean:
	rm -rf $(B)/obj $(G) $(B)/awgbox $(B)/awgbox_unstripped $(B)/bin $(B)/tests
distclean:
	rm -rf build $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old
