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
"$agent" --version | grep -q '^fl-agent protocol 2$' || bad "no version line"
printf 'these bytes are no frame at all....' | "$agent" >"$tmp/out"
[ $? -eq 1 ] || bad "a stream without the magic should end the agent with exit 1"
[ -s "$tmp/out" ] && bad "the agent answered garbage: $(od -c "$tmp/out" | head -3)"

# 2. The host corpus through the agent: the same verdicts as without it.
# A mismatch prints each side's DIFFER blocks and skips: the file, line and
# observable that differed are what finds a race, not the summaries.
"$fl" diff tests/host/*.fl >"$tmp/direct" 2>&1
FAULTLINE_HOST_AGENT="$agent" "$fl" diff tests/host/*.fl >"$tmp/through" 2>&1
direct=$(tail -1 "$tmp/direct")
through=$(tail -1 "$tmp/through")
not_agreed() { grep -v '^agree\|^       \|^faultline: judge' "$1"; }
echo "$through" | grep -Eq '^[1-9][0-9]* agree, 0 disagree, [0-9]+ skipped$' ||
	bad "through the agent: $through
$(not_agreed "$tmp/through")"
[ "$direct" = "$through" ] || bad "direct '$direct' but through the agent '$through'
--- direct:
$(not_agreed "$tmp/direct")
--- through the agent:
$(not_agreed "$tmp/through")"
FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host -q tests/host/store-straddle.fl \
	>"$tmp/out" || bad "store-straddle through the agent: $(cat "$tmp/out")"

# 3. The agent's own statement timeout kills its process group, and says so.
printf 'kernel host\nmmap big 64m rw private\nstore big 64m fill=0x11\n' >"$tmp/slow.fl"
FAULTLINE_HOST_AGENT="$agent" FAULTLINE_HOST_TIMEOUT_MS=1 \
	"$fl" run --backend host "$tmp/slow.fl" >"$tmp/out" 2>&1
grep -q 'process p did not answer within 1 ms; its process group was killed' "$tmp/out" ||
	bad "no timeout through the agent: $(cat "$tmp/out")"

# 3b. Through an agent the kernel that is not the scenario's is the judge's
# (a VM guest's, docs/vm.md), not "the running kernel".
printf 'kernel 5.18\nmmap b 1p rw private\n' >"$tmp/old.fl"
FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host "$tmp/old.fl" 2>&1 |
	grep -q "'kernel 5.18' (line 1) is not the judge's kernel (" ||
	bad "through the agent, an old kernel line is not refused as the judge's"

# 4. A refusal is decided before the scenario runs: a command that cannot
# run is not run.  The judge is asked first (its version is what `kernel
# host` means), so an agent that cannot start is said so, exit 3.
printf 'kernel host\nmmap b 1p rw private\ncall copy_to_user b 8\n' >"$tmp/ctu.fl"
out=$(FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host "$tmp/ctu.fl")
[ $? -eq 3 ] || bad "a refused scenario should be unsupported (exit 3): $out"
echo "$out" | grep -q "'call copy_to_user' (line 3) has no system-call equivalent" ||
	bad "refusal through the agent: $out"
out=$(FAULTLINE_HOST_AGENT=/nonexistent/agent "$fl" run --backend host "$tmp/ctu.fl" 2>&1)
[ $? -eq 3 ] || bad "an agent that cannot start: want exit 3: $out"
echo "$out" | grep -q "run: the judge did not start: agent '/nonexistent/agent'" ||
	bad "an agent that cannot start is not named: $out"

# 4b. The GUP calls run only where the judge's kernel loaded our pin module
# (docs/vm.md "The pin module"): on this machine they have no system call;
# through an agent without the module the refusal names the kernel and
# the command that builds it (an agent of this machine has no name to
# give); a module that did not load says its errno.
printf 'kernel host\nmmap b 1p rw private\ncall pin_user_pages b 1 longterm as=pin\n' >"$tmp/pin.fl"
out=$("$fl" run --backend host "$tmp/pin.fl")
[ $? -eq 3 ] || bad "a pin on this machine: want exit 3: $out"
echo "$out" | grep -q "'call pin_user_pages' (line 3) has no system-call equivalent (a VM judge runs it with the faultline_pin module" ||
	bad "a pin on this machine: the refusal names no reason: $out"
out=$(FAULTLINE_HOST_AGENT="exec '$agent' # kernels agent 'debian-6.1-amd64'" \
	"$fl" run --backend host "$tmp/pin.fl")
[ $? -eq 3 ] || bad "a pin through an agent without the module: want exit 3: $out"
echo "$out" | grep -q "'call pin_user_pages' (line 3): no faultline_pin module for debian-6.1-amd64: run 'faultline kernels pin debian-6.1-amd64'" ||
	bad "a pin through an agent without the module: $out"
out=$(FAULTLINE_HOST_AGENT="$agent" "$fl" run --backend host "$tmp/pin.fl")
[ $? -eq 3 ] || bad "a pin through an agent of this machine: want exit 3: $out"
echo "$out" | grep -q "'call pin_user_pages' (line 3): the agent's kernel has no faultline_pin module; a VM judge loads one" ||
	bad "a pin through an agent of this machine names no kernel, not 'NAME': $out"
out=$(FAULTLINE_HOST_AGENT="FL_PIN_ERR=8 exec '$agent'" "$fl" run --backend host "$tmp/pin.fl")
[ $? -eq 3 ] || bad "a pin module that did not load: want exit 3: $out"
echo "$out" | grep -q "'call pin_user_pages' (line 3): the judge's kernel did not load faultline_pin.ko (Exec format error)" ||
	bad "a pin module that did not load: its errno is not said: $out"

# 5. One agent serves the whole batch (a guest boots once): started once for N files.
FAULTLINE_HOST_AGENT="echo started >>'$tmp/starts'; exec '$agent'" \
	"$fl" diff tests/host/read-straddle.fl tests/host/write-straddle.fl \
	tests/host/cow-fork.fl >"$tmp/out" 2>&1 || bad "diff through one agent: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/starts")" -eq 1 ] || bad "the agent was started $(wc -l <"$tmp/starts") times for 3 files"
rm -f "$tmp/starts"
FAULTLINE_HOST_AGENT="echo started >>'$tmp/starts'; exec '$agent'" \
	"$fl" run --backend host -q tests/host/read-straddle.fl tests/host/write-straddle.fl \
	>"$tmp/out" 2>&1 || bad "run through one agent: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/starts")" -eq 1 ] || bad "run started the agent $(wc -l <"$tmp/starts") times for 2 files"

# 6. An agent that dies mid-batch (it gets 300 bytes of frames, then EOF)
# is an error reported once, naming it, and the rest is not run: no hang.
FAULTLINE_HOST_AGENT="dd bs=1 count=300 status=none | '$agent'" "$fl" diff tests/host/read-straddle.fl \
	tests/host/write-straddle.fl tests/host/cow-fork.fl >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] || bad "a dead agent: exit $rc, not 1: $(cat "$tmp/out")"
[ "$(grep -c 'the judge is gone' "$tmp/out")" -eq 1 ] || bad "a dead agent not reported once: $(cat "$tmp/out")"
grep -q "agent 'dd bs=1 count=300 status=none | .*' (Linux [0-9.]*.*) stopped answering at a scenario's line [0-9]*: it exited; [12] files\? not run" \
	"$tmp/out" || bad "the dead agent's message: $(cat "$tmp/out")"
FAULTLINE_HOST_AGENT=false "$fl" diff tests/host/read-straddle.fl >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 3 ] || bad "an agent that never answers: exit $rc, not 3"
grep -q "diff: the judge did not start: agent 'false' stopped answering: it exited" "$tmp/out" ||
	bad "an agent that never answers: $(cat "$tmp/out")"

# 6b. What an agent's command says of its end on the fd FAULTLINE_AGENT_TAIL_FD
# names (`kernels agent`: the guest's last console lines) is in the message,
# whether it ends before its HELLO or mid-batch (read after it is reaped).
FAULTLINE_HOST_AGENT='echo "the guest went away; console: Out of memory: Killed process 1" >&$FAULTLINE_AGENT_TAIL_FD' \
	"$fl" diff tests/host/read-straddle.fl >"$tmp/out" 2>&1
grep -q "diff: the judge did not start: agent '.*' stopped answering: it exited: the guest went away; console: Out of memory: Killed process 1$" \
	"$tmp/out" || bad "an agent's own reason before its HELLO: $(cat "$tmp/out")"
FAULTLINE_HOST_AGENT="dd bs=1 count=300 status=none | '$agent'; echo 'QEMU exited: Kernel panic' >&\$FAULTLINE_AGENT_TAIL_FD" \
	"$fl" diff tests/host/read-straddle.fl tests/host/write-straddle.fl >"$tmp/out" 2>&1
grep -q "stopped answering at a scenario's line [0-9]*: it exited: QEMU exited: Kernel panic; [12] files\? not run" \
	"$tmp/out" || bad "an agent's own reason mid-batch: $(cat "$tmp/out")"

# 7. The userfaultfd permission and $TMPDIR's file system are the agent's
# (its HELLO caps, backend/host_env.c), not this machine's: an agent that
# may not use userfaultfd makes the uffd file a counted skip naming the
# judge; one that may makes it run even where the runner may not.
FAULTLINE_HOST_AGENT="FAULTLINE_HOST_NO_UFFD=1 exec '$agent'" \
	"$fl" diff tests/host/uffd_api_register.fl >"$tmp/out" 2>&1
grep -q "^skip .*needs userfaultfd permission.*the judge's agent may not use userfaultfd" \
	"$tmp/out" || bad "uffd through an agent that may not: $(cat "$tmp/out")"
if "$fl" diff tests/host/uffd_api_register.fl | grep -q '^agree'; then
	FAULTLINE_HOST_NO_UFFD=1 FAULTLINE_HOST_AGENT="FAULTLINE_HOST_NO_UFFD= exec '$agent'" \
		"$fl" diff tests/host/uffd_api_register.fl >"$tmp/out" 2>&1
	grep -q '^agree' "$tmp/out" || bad "uffd through an agent that may: $(cat "$tmp/out")"
fi
printf 'kernel host\nfile f 1p fs=btrfs\n' >"$tmp/btrfs.fl"
FAULTLINE_HOST_AGENT="TMPDIR=/proc exec '$agent'" "$fl" run --backend host "$tmp/btrfs.fl" \
	>"$tmp/out" 2>&1
grep -q "'file ... fs=btrfs' (line 2): the judge's \$TMPDIR, /tmp and its disks are not on btrfs" "$tmp/out" ||
	bad "fs=btrfs through an agent whose TMPDIR is /proc: $(cat "$tmp/out")"
exit $fail
