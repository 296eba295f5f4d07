#!/bin/sh
# tests/cli/json.sh FAULTLINE - the JSON of run, diff and explore is what
# docs/json.md says: every document validates against the JSON Schema
# docs/faultline.schema.json (python3-jsonschema), has the version head
# and the same summary keys, errno as number and name, the bytes a store
# moved as a field, and what a kernel call wrote to user memory.
set -u
fl=${1:?usage: json.sh FAULTLINE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

cat >"$tmp/obs.fl" <<'FL'
file f 1p
mmap buf 1p rw private
store buf+1p-4 "abcdefgh"
expect outcome sigsegv
call read f buf+1p 16
expect errno EFAULT
FL
cat >"$tmp/clobber.fl" <<'FL'
kernel 5.10
arch arm64
mmap buf 2p rw private
mprotect buf+1p 1p none
call copy_to_user buf+1p-10 20
FL
"$fl" run --json examples/*.fl >"$tmp/run.json" 2>/dev/null
"$fl" run --json "$tmp/obs.fl" >"$tmp/obs.json" 2>/dev/null || bad "obs.fl does not pass"
"$fl" run --json "$tmp/clobber.fl" >"$tmp/clobber.json" 2>/dev/null || bad "clobber.fl does not pass"
"$fl" diff --json tests/host/store-straddle.fl tests/host/read-efault.fl >"$tmp/diff.json"
"$fl" explore --json examples/mte-granule-sweep.fl >"$tmp/explore.json"
python3 - "$tmp" >"$tmp/err" 2>&1 <<'PY' || bad "$(cat "$tmp/err")"
import json, sys
import jsonschema
d = sys.argv[1]
schema = json.load(open('docs/faultline.schema.json'))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
docs = {}
for name in ('run', 'obs', 'clobber', 'diff', 'explore'):
    doc = json.load(open('%s/%s.json' % (d, name)))
    errs = sorted(v.iter_errors(doc), key=str)
    assert not errs, '%s: %s' % (name, errs[0].message)
    assert doc['version'] == 1, name
    docs[name] = doc
keys = {n: sorted(docs[n]['summary']) for n in docs}
assert len(set(map(tuple, keys.values()))) == 1, keys
for n, doc in docs.items():
    s = doc['summary']
    assert s['total'] == s['pass'] + s['fail'] + s['skip'] + s['error'], (n, s)
runs = docs['run']['scenarios']
assert docs['run']['summary']['total'] == len(runs)
st = docs['obs']['scenarios'][0]['statements']
store = [x for x in st if x['statement'].startswith('store')][0]
assert store['bytes'] == 4 and store['outcome'] == 'sigsegv', store
assert store['signal'] == 11 and store['signal_name'] == 'SIGSEGV', store
read = [x for x in st if x['statement'].startswith('call read')][0]
assert read['errno'] == 14 and read['errno_name'] == 'EFAULT', read
# a kernel call's bytes are the ones it wrote, not its return value read
# back: 5.10 arm64 copy_to_user reports nothing copied and wrote 8
cp = [x for x in docs['clobber']['scenarios'][0]['statements']
      if x['statement'].startswith('call copy_to_user')][0]
assert cp['ret'] == 20 and cp['to_user'] == 8 and cp['from_user'] == 0, cp
# the schema is not a rubber stamp: a document without its version fails
bad = dict(docs['diff']); del bad['version']
assert list(v.iter_errors(bad)), 'a document without version validates'
bad = dict(docs['explore']); bad['summary'] = {'pass': 1}
assert list(v.iter_errors(bad)), 'a summary without its keys validates'
PY
exit $fail
