# SPDX-License-Identifier: GPL-2.0
#
#   make                      build for the running kernel
#   make KVER=<release>       build for another installed kernel
#   make KDIR=<headers dir>   build against a headers tree (KVER is read from it)
#   make W=1 SR_WERROR=1      what CI builds: extra warnings, all fatal
#
# scripts/conftest.sh looks at the target first; on a kernel that needs no
# arbitration (before 6.3, or 7.1 and later) it says why and stops.

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

modules: conftest
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

clean:
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean 2>/dev/null || true
	rm -rf $(GEN)

.PHONY: all conftest modules clean
