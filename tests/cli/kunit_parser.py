#!/usr/bin/env python3
"""tests/cli/kunit_parser.py DIR FILE - read the KTAP in FILE with the
kernel's own tools/testing/kunit/kunit_parser.py (from DIR, put there by
scripts/kunit-fetch.sh) and print what it understood, one line per test,
depth-first: INDENT'NAME' STATUS passed=N failed=N skipped=N errors=N.
"""
import sys

sys.path.insert(0, sys.argv[1])
import kunit_parser  # noqa: E402  (the kernel's, from DIR)
import kunit_printer  # noqa: E402


def walk(test, depth):
    c = test.counts
    print('%s%r %s passed=%d failed=%d skipped=%d errors=%d'
          % ('  ' * depth, test.name, test.status.name, c.passed, c.failed,
             c.skipped, c.errors))
    for sub in test.subtests:
        walk(sub, depth + 1)


# The parser prints its own report as it goes: keep it off our stdout.
kunit_parser.stdout = kunit_printer.Printer(open("/dev/null", "w"))
with open(sys.argv[2]) as f:
    walk(kunit_parser.parse_run_tests(f.read().splitlines()), 0)
