/*
 * scenario/internal.h - what the lexer, the schema, the parser and the tree
 * functions share inside the scenario layer.
 *
 * Lexing is line by line: fl_sc_next_line() hands out one validated line
 * (length limit, no NUL, no control characters, valid UTF-8), and
 * fl_sc_split() cuts it into words.  A word is a run of non-blank bytes
 * in which a "..." string may hold blanks; a '#' that starts a word starts
 * a comment (so `on fault_in#1` is one word).  The parts of a word (numbers,
 * strings, address terms) are read by the parser with fl_sc_lex_number()
 * and fl_sc_lex_string().
 */
#ifndef FL_SCENARIO_INTERNAL_H
#define FL_SCENARIO_INTERNAL_H

#include <faultline/scenario.h>

/* ---- the arena: everything of a tree, freed at once ---- */

void *fl_sc_alloc(struct fl_sc_arena **arena, size_t size);
void fl_sc_arena_free(struct fl_sc_arena *arena);

/* ---- source and diagnostics ---- */

struct fl_sc_src {
	const char *file;
	const char *text;
	size_t len, pos;
	unsigned line;          /* of the line last returned */
	struct fl_sc_diag *diag;
};

struct fl_sc_tok {
	const char *s;
	size_t len;
	unsigned col;
};

/*
 * Fill src->diag with "FILE:LINE:COL: error: expected WHAT, found FOUND"
 * and return -EINVAL.  fl_sc_error_tok() quotes the LEN bytes at S, cleaned
 * of control characters and cut to about 40; LEN 0 reads "end of line".
 */
int fl_sc_error(struct fl_sc_src *src, unsigned col, const char *what,
		const char *found);
int fl_sc_error_tok(struct fl_sc_src *src, unsigned col, const char *what,
		    const char *s, size_t len);

/* 1 and the next line (without its newline or CR), 0 at the end, or -EINVAL. */
int fl_sc_next_line(struct fl_sc_src *src, const char **line, size_t *len);

/*
 * Split LINE into at most MAX words; the number of words, or -EINVAL for
 * an unterminated string.  MAX = LEN / 2 + 1 always suffices.
 */
int fl_sc_split(struct fl_sc_src *src, const char *line, size_t len,
		struct fl_sc_tok *toks, size_t max);

/* The end of the "string" opening at LINE[I], or LEN + 1 if it is not closed. */
size_t fl_sc_string_end(const char *line, size_t len, size_t i);

/* The whole of S[0..LEN) as a number with unit: 0, -EINVAL, or -ERANGE. */
int fl_sc_lex_number(const char *s, size_t len, uint64_t *v);

/*
 * Unescape the string S[0..LEN), quotes included, into OUT (LEN bytes
 * suffice); 0 and *OUTLEN, or -EINVAL with *BAD the offset of the bad escape.
 */
int fl_sc_lex_string(const char *s, size_t len, unsigned char *out,
		     size_t *outlen, size_t *bad);

bool fl_sc_is_ident_start(int c);
bool fl_sc_is_ident(int c);
/* Length of the identifier at S (0 if none). */
size_t fl_sc_ident_len(const char *s, size_t len);

/* ---- the schema ---- */

/* Slot kinds carry these flags above the enum fl_sc_kind bits. */
#define FL_SC_OPT    0x100u     /* may be left out */
#define FL_SC_REPEAT 0x200u     /* one or more; last slot only.  On a key:
				   the key may be given more than once */
#define FL_SC_KIND(s) ((enum fl_sc_kind)((s) & 0xffu))

/* Form flags. */
#define FL_SC_SUBJECT 0x1u      /* expect lines check its result */
#define FL_SC_DEFINES 0x2u      /* declares a name: not allowed after on */
#define FL_SC_SETUP   0x4u      /* describes the world: not allowed after on */
#define FL_SC_ANY_KEY 0x8u      /* keys repeat (expect one-of) */
#define FL_SC_STATE   0x20u     /* an expect of the world as it is (pagemap): a
				   subject is not needed, subject -1 without one */
#define FL_SC_IOV_SIDES 0x10u   /* process_vm: ADDR ADDR LEN, or local=/remote= keys */
#define FL_SC_DIR_CHECK 0x40u   /* dir: N and namelen= constants that name N files */

struct fl_sc_keyspec {
	const char *name;
	unsigned kind;          /* enum fl_sc_kind | FL_SC_OPT when optional */
};

struct fl_sc_form {
	const char *name;
	enum fl_sc_verb verb;
	unsigned code;
	const unsigned *slots;  /* 0-terminated */
	const struct fl_sc_keyspec *keys;  /* NULL-name-terminated, or NULL */
	unsigned flags;
};

/* The form of VERB WORD (WORD: the FUNC of call, the form of expect). */
const struct fl_sc_form *fl_sc_verb_form(const char *s, size_t len);
const struct fl_sc_form *fl_sc_call_form(const char *s, size_t len);
const struct fl_sc_form *fl_sc_expect_form(const char *s, size_t len);

/* What a kind is, for "expected ..." messages: "a mapping address". */
const char *fl_sc_kind_what(enum fl_sc_kind k);
/* The word list of a word or flag kind (NULL-terminated), or NULL. */
const char *const *fl_sc_kind_words(enum fl_sc_kind k);
/* Index of S[0..LEN) in WORDS, or -1. */
int fl_sc_word_index(const char *const *words, const char *s, size_t len);

#endif
