/*
 * cli/output.h - the machine-readable outputs every command shares:
 * JSON documents (cli/out_json.c, schema docs/json.md and
 * docs/faultline.schema.json) and KTAP version 1 (cli/out_ktap.c).
 */
#ifndef FL_CLI_OUTPUT_H
#define FL_CLI_OUTPUT_H

#include <jansson.h>

#include <faultline/run.h>

/* The version of the JSON documents' schema: bumped when a key changes meaning. */
#define FL_JSON_VERSION 1

/* {"version": 1, "faultline": "0.1.0", "command": COMMAND}: every document's head. */
json_t *fl_json_doc(const char *command);
/*
 * {"total", "pass", "fail", "skip", "error"}: the summary of run (files),
 * diff (files) and explore (cases), the same keys for all three.
 */
json_t *fl_json_summary(uint64_t pass, uint64_t fail, uint64_t skip, uint64_t error);
/* Print DOC to stdout (indented unless COMPACT) and release it. */
void fl_json_print(json_t *doc, bool compact);
/* Outcome O as `expect outcome` writes it: "ok", "sigsegv", "blocked", ... */
const char *fl_outcome_word(enum fl_outcome o);
/* One run of FILE: its verdict and every statement with its observables. */
json_t *fl_json_run(const struct fl_run *run, const char *file);

/* KTAP version 1 of `run --ktap`: the head for N files, */
void fl_ktap_begin(unsigned n);
/* file FILE's run as subtest number N, its cases the expectations, */
void fl_ktap_file(const struct fl_run *run, const char *file, unsigned n);
/* and kselftest's totals line from the verdict counts (enum fl_verdict). */
void fl_ktap_end(const unsigned *counts);

#endif
