# The two commands: `make run` (the whole portal locally, with demo data) and `make test`
# (every test). Both install what they need into the project first.

.PHONY: run test lint setup operations bench sam-build web-figures

run: setup
	cargo run -p atrium-local

test: setup
	scripts/test

lint: setup
	scripts/lint

# Init time, warm CPU per request, AWS round trips, binary sizes, peak RSS of every function
# (target/bench/report.md). Its own command: not part of `make test`.
bench: setup
	scripts/bench

# The Lambda artifacts for `sam deploy` (docs/deploy.md): cargo-lambda and Zig from .venv.
sam-build: setup
	scripts/sam-build

setup:
	scripts/setup

# The web app's figures: gzipped JS of the first screen, Lighthouse performance and
# accessibility for the sign-in page and the client dashboard (test-artifacts/web-figures.md).
web-figures: setup
	cargo build --quiet -p atrium-local
	cd web && { [ -d node_modules/lighthouse ] || npm install --no-save --no-audit --no-fund --loglevel=error lighthouse@12.8.2; } && node scripts/figures.mjs

# Writes what is made from the operations' declarations (OPERATIONS in each capability) and
# the OpenAPI area files: template.yaml's function blocks, the missing sample events in
# events/, and openapi/openapi.yaml's list of paths (docs/architecture.md, "Adding an
# operation"). `ATRIUM_WRITE_OPERATIONS=all` also rewrites every existing event.
operations:
	ATRIUM_WRITE_OPERATIONS=$${ATRIUM_WRITE_OPERATIONS:-1} cargo test -p atrium-tests --test routes --test openapi
