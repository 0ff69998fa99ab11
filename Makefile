# da-gen — `make run` builds and generates the example; `make test` runs every test.
.PHONY: all install build run test bench clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json

build: install
	npx tsc -p tsconfig.json

run: build
	node dist/bin.js examples/encoder.json -o out/encoder.v --verbose
	node dist/bin.js sim examples/encoder.json --vectors 2000
	@echo "Verilog: out/encoder.v   manifest: out/encoder.json"

test: build
	npx tsc -p tsconfig.test.json
	npx vitest run

bench: build
	node bench/run.mjs

clean:
	rm -rf dist out
