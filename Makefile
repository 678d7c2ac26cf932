# SPDX-License-Identifier: GPL-2.0
#
#   make                      build for the running kernel
#   make KVER=<release>       build for another installed kernel
#   make KDIR=<headers dir>   build against a headers tree (KVER is read from it)
#   make W=1 SR_WERROR=1      what CI builds: extra warnings, all fatal
#   make layout               print every private field the pair needs as the
#                             target's BTF has it ("would it build here?")
#   make tool                 the dax-hmem-sr command (needs libkmod-dev);
#                             TOOL_OUT=<dir> puts it elsewhere than tool/
#
# scripts/conftest.sh looks at the target first; on a kernel that needs no
# arbitration (before 6.3, or 7.1 and later), or that it cannot serve (6.3
# and 6.4, or no BTF to read private layouts from), it says why and stops.

KVER ?= $(or $(KERNELRELEASE),$(shell uname -r))
KDIR ?= /lib/modules/$(KVER)/build
ifneq ($(origin KDIR),file)
ifeq ($(origin KVER),file)
KVER := $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	  $(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(KVER))
endif
endif

GEN := generated

all: modules

conftest:
	@scripts/conftest.sh "$(KDIR)" "$(KVER)" "$(CURDIR)/$(GEN)"

layout:
	@scripts/conftest.sh --layout "$(KDIR)" "$(KVER)"

modules: conftest
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

clean:
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean 2>/dev/null || true
	rm -rf $(GEN) tool

# The user-space tool: not part of "all", so DKMS builds need no libkmod-dev.
TOOL_OUT ?= tool
TOOL_SRC := $(wildcard src/tool/*.c)
# Recursive (=), so pkg-config runs only for "make tool": a module build on a
# machine without libkmod-dev (DKMS) must not print its complaints.
TOOL_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Werror $(shell pkg-config --cflags libkmod)
TOOL_LIBS = $(shell pkg-config --libs libkmod)

tool: $(TOOL_OUT)/dax-hmem-sr

$(TOOL_OUT)/dax-hmem-sr: $(TOOL_SRC) $(wildcard src/tool/*.h)
	@mkdir -p $(TOOL_OUT)
	$(CC) $(TOOL_CFLAGS) $(CPPFLAGS) $(CFLAGS) -o $@ $(TOOL_SRC) $(TOOL_LIBS) $(LDFLAGS)

.PHONY: all conftest layout modules clean tool
