/*
 * cli/out_json.c - the JSON documents of `run`, `diff` and `explore`
 * (jansson).  Every document opens with the same head (version, faultline,
 * command) and carries a summary with the same keys; docs/json.md
 * describes every key and docs/faultline.schema.json is the JSON Schema a
 * test validates the three commands' output against (tests/cli/json.sh).
 *
 * Observables are written as numbers AND names where the kernel has names
 * for them: errno 14 and "EFAULT", signal 11 and "SIGSEGV", the outcome of
 * an access by its `expect outcome` word.
 */
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"

json_t *fl_json_doc(const char *command)
{
	return json_pack("{s:i,s:s,s:s}", "version", FL_JSON_VERSION, "faultline", FL_VERSION,
			 "command", command);
}

json_t *fl_json_summary(uint64_t pass, uint64_t fail, uint64_t skip, uint64_t error)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)(pass + fail + skip + error),
			 "pass", (json_int_t)pass, "fail", (json_int_t)fail,
			 "skip", (json_int_t)skip, "error", (json_int_t)error);
}

void fl_json_print(json_t *doc, bool compact)
{
	json_dumpf(doc, stdout, compact ? JSON_COMPACT | JSON_PRESERVE_ORDER :
		   JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

const char *fl_outcome_word(enum fl_outcome o)
{
	static const char *const words[] = {
		[FL_OUTCOME_OK] = "ok", [FL_OUTCOME_LIVELOCK] = "livelock",
		[FL_OUTCOME_SIGSEGV] = "sigsegv", [FL_OUTCOME_SIGBUS] = "sigbus",
		[FL_OUTCOME_NO_PROGRESS] = "no-progress", [FL_OUTCOME_LEAK] = "leak",
		[FL_OUTCOME_BLOCKED] = "blocked", [FL_OUTCOME_TIMEOUT] = "timeout",
		[FL_OUTCOME_SIGPIPE] = "sigpipe",
	};

	return (unsigned)o < sizeof(words) / sizeof(words[0]) && words[o] ? words[o] : "?";
}

/* The observables of step S into O. */
static void obs_json(json_t *o, const struct fl_step *s)
{
	const struct fl_obs *ob = &s->obs;
	enum fl_sc_verb verb = s->st->verb;
	const char *name;
	char sig[16];

	if (ob->has_ret)
		json_object_set_new(o, "ret", json_integer(ob->ret));
	if (ob->err) {
		name = fl_sc_errno_name(ob->err);
		json_object_set_new(o, "errno", json_integer(ob->err));
		json_object_set_new(o, "errno_name", name ? json_string(name) : json_null());
	}
	if (ob->has_copy)
		json_object_set_new(o, "copy", json_integer(ob->copy));
	if (ob->has_msg_flags)
		json_object_set_new(o, "msg_flags", json_integer(ob->msg_flags));
	if (verb == FL_SC_STORE || verb == FL_SC_LOAD || ob->outcome != FL_OUTCOME_OK)
		json_object_set_new(o, "outcome", json_string(fl_outcome_word(ob->outcome)));
	if (verb == FL_SC_STORE || verb == FL_SC_LOAD)
		json_object_set_new(o, "bytes", json_integer((json_int_t)ob->moved));
	if (ob->has_uaccess) {
		json_object_set_new(o, "to_user", json_integer((json_int_t)ob->uaccess.to_user));
		json_object_set_new(o, "from_user", json_integer((json_int_t)ob->uaccess.from_user));
	}
	if (ob->sig.sig) {
		name = sigabbrev_np(ob->sig.sig);
		snprintf(sig, sizeof(sig), "SIG%s", name ? name : "?");
		json_object_set_new(o, "signal", json_integer(ob->sig.sig));
		json_object_set_new(o, "signal_name", json_string(sig));
		json_object_set_new(o, "si_code", json_integer(ob->sig.code));
		json_object_set_new(o, "si_addr", json_integer((json_int_t)ob->sig.addr));
	}
	if (ob->summary[0])
		json_object_set_new(o, "summary", json_string(ob->summary));
	if (s->rc)
		json_object_set_new(o, "error", json_string(ob->why));
}

static json_t *step_json(const struct fl_run *run, const struct fl_step *s)
{
	char text[200];
	json_t *o = json_object(), *tr = json_array();
	unsigned j;

	json_object_set_new(o, "line", json_integer(s->st->line));
	json_object_set_new(o, "statement", json_string(fl_step_text(run, s, text, sizeof(text))));
	if (s->is_expect) {
		json_object_set_new(o, "held", json_boolean(s->held));
		if (!s->held)
			json_object_set_new(o, "seen", json_string(s->seen));
	}
	obs_json(o, s);
	for (j = 0; j < s->ntrace; j++)
		json_array_append_new(tr, json_string(s->trace[j]));
	json_object_set_new(o, "trace", tr);
	return o;
}

json_t *fl_json_run(const struct fl_run *run, const char *file)
{
	char kv[32];
	json_t *o = json_object(), *st = json_array();
	unsigned i;

	json_object_set_new(o, "file", json_string(file));
	json_object_set_new(o, "kernel", json_string(fl_kver_format(run->kver, kv, sizeof(kv))));
	json_object_set_new(o, "arch", json_string(fl_arch(run->arch)->name));
	json_object_set_new(o, "backend", json_string(run->backend));
	json_object_set_new(o, "verdict", json_string(fl_verdict_name(run->verdict)));
	json_object_set_new(o, "reason", json_string(run->reason));
	json_object_set_new(o, "expectations", json_integer(run->expects));
	json_object_set_new(o, "failed", json_integer(run->failed));
	for (i = 0; i < run->nsteps; i++)
		json_array_append_new(st, step_json(run, &run->steps[i]));
	json_object_set_new(o, "statements", st);
	return o;
}
