# linli — a thin wrapper over Meson and npm. `make run` and `make test` work on a fresh machine.
#   make run     install what is missing, build, create the demo community, serve on :8080
#   make test    every test: C unit tests, API tests on SQLite and PostgreSQL, browser tests, OpenAPI lint
#   make bench   wrk against the server on 127.0.0.1 (see docs/benchmarks.md)
#   make fuzz    the libFuzzer targets in fuzz/, each for FUZZ_SECONDS (default 60)
DATA ?= data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build release web run test bench fuzz clean

all: build release web

deps:
	@scripts/deps.sh

# build/: debug build with AddressSanitizer and UBSan, used by the tests.
build: deps
	@[ -f build/build.ninja ] || meson setup build -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@ninja -C build >build/ninja.log 2>&1 || { cat build/ninja.log; exit 1; }

# build-release/: optimised, no sanitizers; used by `make run` and `make bench`.
release: deps
	@[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
	@ninja -C build-release >build-release/ninja.log 2>&1 || { cat build-release/ninja.log; exit 1; }

web: deps
	@cd web && npm run build --silent >/dev/null

run: release web
	@scripts/run.sh "$(DATA)" "$(LISTEN)"

test: build release web
	@tests/run-all.sh

bench: release web
	@scripts/bench.sh

fuzz: deps
	@scripts/fuzz.sh

clean:
	rm -rf build build-release build-fuzz web/dist
