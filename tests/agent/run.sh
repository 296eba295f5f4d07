#!/bin/sh
# tests/agent/run.sh FAULTLINE FL_AGENT - the host backend through its
# agent (docs/host.md "agent protocol"): fl-agent speaks the protocol on
# its standard input and output, the runner drives it over that one byte
# stream, and every tests/host file gives what it gives without the agent:
# the same agreement with the model, the same timeout, the same refusals.
set -u
fl=${1:?usage: run.sh path/to/faultline path/to/fl-agent}
agent=${2:?usage: run.sh path/to/faultline path/to/fl-agent}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# 1. The agent says its protocol version, and refuses a stream that is not frames.
"$agent" --version | grep -q '^fl-agent protocol 1$' || bad "no version line"
printf 'these bytes are no frame at all....' | "$agent" >"$tmp/out"
[ $? -eq 1 ] || bad "a stream without the magic should end the agent with exit 1"
[ -s "$tmp/out" ] && bad "the agent answered garbage: $(od -c "$tmp/out" | head -3)"

# 2. The host corpus through the agent: the same verdicts as without it.
direct=$("$fl" diff tests/host/*.fl | tail -1)
through=$(FAULTLINE_HOST_AGENT="$agent" "$fl" diff tests/host/*.fl | tail -1)
echo "$through" | grep -Eq '^[1-9][0-9]* agree, 0 disagree, [0-9]+ skipped$' ||
	bad "through the agent: $through"
[ "$direct" = "$through" ] || bad "direct '$direct' but through the agent '$through'"
FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host -q tests/host/store-straddle.fl \
	>"$tmp/out" || bad "store-straddle through the agent: $(cat "$tmp/out")"

# 3. The agent's own statement timeout kills its process group, and says so.
printf 'kernel host\nmmap big 64m rw private\nstore big 64m fill=0x11\n' >"$tmp/slow.fl"
FAULTLINE_HOST_AGENT="$agent" FAULTLINE_HOST_TIMEOUT_MS=1 \
	"$fl" run --backend host "$tmp/slow.fl" >"$tmp/out" 2>&1
grep -q 'process p did not answer within 1 ms; its process group was killed' "$tmp/out" ||
	bad "no timeout through the agent: $(cat "$tmp/out")"

# 4. A refusal is decided before the agent starts: a command that cannot run is not run.
printf 'kernel host\nmmap b 1p rw private\ncall copy_to_user b 8\n' >"$tmp/ctu.fl"
out=$(FAULTLINE_HOST_AGENT=/nonexistent/agent "$fl" run --backend host "$tmp/ctu.fl")
[ $? -eq 3 ] || bad "a refused scenario should be unsupported (exit 3): $out"
echo "$out" | grep -q "'call copy_to_user' (line 3) has no system-call equivalent" ||
	bad "refusal through the agent: $out"
exit $fail
