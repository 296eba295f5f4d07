/*
 * backend/console_tail.c - the ring of a guest's last console lines
 * (include/faultline/backend.h has the definitions).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/backend.h>

/* panic()'s own words (kernel/panic.c), on every kernel faultline boots */
#define PANIC_LINE "Kernel panic - not syncing"

static void tail_push(struct fl_console_tail *t)
{
	while (t->len && t->cur[t->len - 1] == ' ')
		t->len--;
	if (t->len) {
		memcpy(t->line[t->next], t->cur, t->len);
		t->line[t->next][t->len] = 0;
		t->frozen = strstr(t->line[t->next], PANIC_LINE) != NULL;
		t->next = (t->next + 1) % FL_CONSOLE_TAIL_LINES;
		if (t->count < FL_CONSOLE_TAIL_LINES)
			t->count++;
	}
	t->len = 0;
	t->cut = false;
}

void fl_console_tail_feed(struct fl_console_tail *t, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && !t->frozen; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (t->esc == 1) {              /* ESC: '[' begins a CSI sequence */
			t->esc = ch == '[' ? 2 : 0;
			continue;
		}
		if (t->esc == 2) {              /* CSI: ends at its final byte */
			t->esc = ch >= 0x40 && ch <= 0x7e ? 0 : 2;
			continue;
		}
		if (ch == 0x1b)
			t->esc = 1;
		else if (ch == '\n')
			tail_push(t);
		else if (ch >= 0x20 && ch < 0x7f && !t->cut)
			t->cur[t->len++] = (char)ch;
		else if (ch == '\t' && !t->cut)
			t->cur[t->len++] = ' ';
		if (t->len == FL_CONSOLE_TAIL_WIDTH - 1)
			t->cut = true;
	}
}

size_t fl_console_tail_format(const struct fl_console_tail *t, char *out, size_t len)
{
	unsigned first = (t->next + FL_CONSOLE_TAIL_LINES - t->count) % FL_CONSOLE_TAIL_LINES;
	size_t at = 0;
	unsigned i;

	if (!len)
		return 0;
	out[0] = 0;
	for (i = 0; i <= t->count && at < len; i++) {
		const char *l = i < t->count ? t->line[(first + i) % FL_CONSOLE_TAIL_LINES] : NULL;
		int n;

		if (!l && !t->len)
			break;
		n = l ? snprintf(out + at, len - at, "%s%s", at ? " | " : "", l)
		      : snprintf(out + at, len - at, "%s%.*s", at ? " | " : "", (int)t->len, t->cur);
		if (n < 0)
			break;
		at += (size_t)n;
	}
	return at < len ? at : len - 1;
}

bool fl_console_tail_check(const struct fl_console_tail *t)
{
	unsigned i;

	if (t->count > FL_CONSOLE_TAIL_LINES || t->next >= FL_CONSOLE_TAIL_LINES ||
	    t->len >= FL_CONSOLE_TAIL_WIDTH || (t->len == FL_CONSOLE_TAIL_WIDTH - 1) != t->cut ||
	    (t->frozen && t->len) || t->esc > 2)
		return false;
	for (i = 0; i < t->count; i++) {
		unsigned s = (t->next + FL_CONSOLE_TAIL_LINES - 1 - i) % FL_CONSOLE_TAIL_LINES;

		if (!memchr(t->line[s], 0, FL_CONSOLE_TAIL_WIDTH) || !t->line[s][0])
			return false;
	}
	return true;
}
