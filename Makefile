# Entry points: `make demo` (the main job end to end on this machine) and `make test` (all tests).
SHELL := /bin/bash
SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := libcurl4-openssl-dev libyaml-dev libssl-dev zlib1g-dev libdeflate-dev docker-registry skopeo apache2-utils time
PY_MODULES := jsonschema yaml cryptography

.PHONY: deps build test demo bench release install clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# Debian's docker-registry starts a service on *:5000; tests start their own on 127.0.0.1 only.
	@if command -v systemctl >/dev/null 2>&1; then systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
	@pkill -f '^/usr/bin/docker-registry serve /etc/docker/registry/config.yml' 2>/dev/null || true
	@for m in $(PY_MODULES); do python3 -c "import $$m" 2>/dev/null || { \
	  case $$m in yaml) pkg=PyYAML;; *) pkg=$$m;; esac; pip install -q $$pkg; }; done

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

demo: deps
	$(SWIFT) build
	./Tests/Support/demo.sh

clean:
	rm -rf .build

# Benchmarks (not part of `make test`): figures as ratios against baselines measured in the same run.
bench: deps
	$(SWIFT) build -c release --static-swift-stdlib
	python3 bench/bench.py $(BENCH_ARGS)
