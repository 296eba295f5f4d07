#!/usr/bin/env python3
"""tests/cli/ktap_check.py [FILE] - a strict reader of KTAP version 1.

Why our own: the kernel's tools/testing/kunit/kunit_parser.py cannot be
fetched at test time here (no network but Debian's mirror), so this reads
KTAP as the kernel's Documentation/dev-tools/ktap.rst specifies it, and
fails where kunit_parser would misread the output:

  - a version line "KTAP version 1" opens every test list, top or nested;
  - a plan "1..N" follows it, and N results follow at that level, numbered
    1, 2, ... in order;
  - a result line is "ok|not ok NUMBER [DESCRIPTION][ # [DIRECTIVE] [DATA]]";
    the description cannot hold '#' (a '#' starts the directive), so a
    name with '#' in it would be cut: this reader refuses a description
    that a '#' ends before a known directive;
  - directives: SKIP, TODO, XFAIL, TIMEOUT, ERROR (TIMEOUT and ERROR only
    with "not ok");
  - diagnostic lines "# ..." belong to the result line that follows them
    (the spec: "diagnostic lines regarding a test are directly before the
    test result line"); a diagnostic after a test's result cannot explain it;
  - a nested list is indented two spaces per level, from its version line
    to the last line before the parent's result; a parent with a failed
    subtest must fail;
  - a kselftest totals line "# Totals: pass:N fail:N xfail:N xpass:N
    skip:N error:N", when present, must count the top-level results.

Prints the tree as JSON (name, result, directive, diagnostics, subtests)
and exits 0, or prints one line "ktap_check: LINE: what is wrong" and
exits 1.
"""
import json
import re
import sys

RESULT = re.compile(r'^(ok|not ok) ([0-9]+)(?: ([^#]*))?(?:#(.*))?$')
PLAN = re.compile(r'^1\.\.([0-9]+)$')
TOTALS = re.compile(r'^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) '
                    r'xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)$')
DIRECTIVES = ('SKIP', 'TODO', 'XFAIL', 'TIMEOUT', 'ERROR')


class Bad(Exception):
    pass


def indent_of(line):
    n = len(line) - len(line.lstrip(' '))
    if n % 2:
        raise Bad('indentation of %d spaces is not a multiple of two' % n)
    return n // 2


def parse_result(text):
    m = RESULT.match(text)
    if not m:
        return None
    res = {'result': m.group(1), 'number': int(m.group(2)),
           'name': (m.group(3) or '').strip(), 'directive': None, 'data': '',
           'diagnostics': [], 'subtests': []}
    rest = m.group(4)
    if rest is not None:
        rest = rest.strip()
        word = rest.split(' ', 1)[0] if rest else ''
        if word in DIRECTIVES:
            res['directive'] = word
            res['data'] = rest[len(word):].strip()
        else:
            # "name#more" or "a # b": either a '#' in the name or data with no
            # directive; a kunit-style reader takes the name up to the '#'.
            if m.group(3) and not m.group(3).endswith(' '):
                raise Bad("a '#' inside the test name %r" % (m.group(3) + '#' + rest))
            res['data'] = rest
    if res['directive'] in ('TIMEOUT', 'ERROR') and res['result'] != 'not ok':
        raise Bad('%s needs "not ok"' % res['directive'])
    return res


def failed(t):
    return t['result'] == 'not ok' and t['directive'] not in ('SKIP', 'TODO', 'XFAIL')


def parse_list(lines, i, level):
    """The test list opened by the version line lines[i] at LEVEL."""
    tests, pending, plan = [], [], None
    i += 1
    while i < len(lines):
        no, raw = lines[i]
        if not raw.strip():
            i += 1
            continue
        lvl = indent_of(raw)
        text = raw.strip()
        if lvl > level:
            if text != 'KTAP version 1':
                raise Bad('line %d: an indented line outside a nested list' % no)
            if lvl != level + 1:
                raise Bad('line %d: a nested list must be indented one level (two spaces)' % no)
            sub, i = parse_list(lines, i, lvl)
            pending_sub = sub
            # the parent's diagnostics, then its result line, at this level
            while (i < len(lines) and indent_of(lines[i][1]) == level and
                   lines[i][1].strip().startswith('#')):
                pending.append(lines[i][1].strip()[1:].strip())
                i += 1
            if i >= len(lines):
                raise Bad('end of input: a nested list without its parent result')
            no2, raw2 = lines[i]
            res = parse_result(raw2.strip()) if indent_of(raw2) == level else None
            if res is None:
                raise Bad('line %d: expected the result of the test whose subtests end here' % no2)
            res['subtests'] = pending_sub
            res['diagnostics'] = pending
            pending = []
            if any(failed(s) for s in pending_sub) and not failed(res):
                raise Bad('line %d: %r passes with a failed subtest' % (no2, res['name']))
            tests.append((no2, res))
            i += 1
            continue
        if lvl < level:
            break
        if text == 'KTAP version 1':
            raise Bad('line %d: a version line inside a list must be indented' % no)
        m = PLAN.match(text)
        if m:
            if plan is not None or tests:
                raise Bad('line %d: a plan after results or a second plan' % no)
            plan = int(m.group(1))
            i += 1
            continue
        if text.startswith('# Subtest:') and plan is None and not tests and not pending:
            i += 1              # the list's header (KUnit prints it): not a diagnostic
            continue
        if text.startswith('#'):
            pending.append(text[1:].strip())
            i += 1
            continue
        res = parse_result(text)
        if res is None:
            raise Bad('line %d: not a KTAP line: %r' % (no, text))
        res['diagnostics'] = pending
        pending = []
        tests.append((no, res))
        i += 1
    for k, (no, t) in enumerate(tests):
        if t['number'] != k + 1:
            raise Bad('line %d: result number %d, expected %d' % (no, t['number'], k + 1))
    if plan is not None and plan != len(tests):
        raise Bad('plan 1..%d with %d results (level %d)' % (plan, len(tests), level))
    result = [t for _, t in tests]
    if pending:
        result.append({'trailing_diagnostics': pending})
    return result, i


def totals(tests):
    c = dict(pass_=0, fail=0, xfail=0, xpass=0, skip=0, error=0)
    for t in tests:
        if 'result' not in t:
            continue
        if t['directive'] == 'SKIP':
            c['skip'] += 1
        elif t['directive'] == 'ERROR':
            c['error'] += 1
        elif t['directive'] == 'XFAIL':
            c['xfail' if t['result'] == 'not ok' else 'xpass'] += 1
        elif t['result'] == 'ok':
            c['pass_'] += 1
        else:
            c['fail'] += 1
    return c


def check(text):
    raw = text.split('\n')
    if raw and raw[-1] == '':
        raw.pop()
    lines = list(enumerate(raw, 1))
    if not lines or lines[0][1] != 'KTAP version 1':
        raise Bad('line 1: expected "KTAP version 1"')
    tests, i = parse_list(lines, 0, 0)
    if i != len(lines):
        raise Bad('line %d: after the top-level list' % lines[i][0])
    trailing = tests[-1].get('trailing_diagnostics', []) if tests else []
    got = [TOTALS.match('# ' + d) for d in trailing]
    got = [m for m in got if m]
    if got:
        m = got[-1]
        c = totals(tests)
        want = (c['pass_'], c['fail'], c['xfail'], c['xpass'], c['skip'], c['error'])
        if tuple(int(x) for x in m.groups()) != want:
            raise Bad('totals line %r, the results give %r' % (m.group(0), want))
    return tests


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    try:
        tree = check(text)
    except Bad as e:
        print('ktap_check: %s' % e)
        return 1
    json.dump(tree, sys.stdout, indent=1)
    print()
    return 0


if __name__ == '__main__':
    sys.exit(main())
