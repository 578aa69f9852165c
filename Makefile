# The two commands: `make run` (the whole portal locally, with demo data) and `make test`
# (every test). Both install what they need into the project first.

.PHONY: run test lint setup events

run: setup
	cargo run -p atrium-local

test: setup
	scripts/test

lint: setup
	scripts/lint

setup:
	scripts/setup

# Rewrites events/ from template.yaml's routes.
events:
	ATRIUM_WRITE_EVENTS=1 cargo test -p atrium-tests --test routes
