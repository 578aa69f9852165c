"""schemathesis's `st`, with `ast.parse` taken by one thread at a time.

CPython 3.11 keeps the AST converter's recursion depth in per-interpreter state, so two
threads parsing at once can fail with `SystemError: AST constructor recursion depth mismatch`
(python/cpython#106905, fixed in 3.12). Hypothesis parses a lambda's whole source file to
describe the strategies schemathesis filters with it, and with `--workers 2` two workers do
that at once: the fuzz stage then reports an error that is not the API's. A lock around
`ast.parse` costs nothing measurable (each file is parsed once and cached).
"""

import ast
import sys
import threading

_lock = threading.Lock()
_parse = ast.parse


def _parse_alone(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_alone

from schemathesis.cli import schemathesis  # noqa: E402  (after the patch, on purpose)

if __name__ == "__main__":
    sys.argv[0] = "st"
    sys.exit(schemathesis())
