/*
 * backend/agent/fl_agent.c - fl-agent: the host backend's scenario
 * processes as a program of their own.  It speaks the agent protocol
 * (backend/host_proto.h, docs/host.md "agent protocol") on its standard
 * input and output: the runner's frames in, one reply frame each out.
 *
 * Built static, for this machine and, cross-compiled, for another
 * architecture (scripts/cross-agent.sh): a guest kernel runs it as the
 * judge's hands, with the same code the host backend runs here.
 *
 * Usage: fl-agent            serve frames on stdin/stdout until EOF
 *        fl-agent --version  print the protocol version
 * Exit: 0 at EOF, 1 when the stream broke (a frame without the magic).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "backend/host_link.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("fl-agent protocol %d\n", HOST_AGENT_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: fl-agent [--version] (frames on stdin/stdout)\n");
		return 2;
	}
	/* A runner that went away is EOF to read, not a SIGPIPE to die of. */
	signal(SIGPIPE, SIG_IGN);
	return fl_host_agent_serve(0, 1) ? 1 : 0;
}
