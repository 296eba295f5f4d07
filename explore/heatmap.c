/*
 * explore/heatmap.c - the outcome classes over the first two variables:
 * a compact terminal grid and an SVG picture.
 *
 * Axes: with two or more variables, columns are variable 1's values and
 * rows variable 0's; with one, columns are its values (one row, wrapped at
 * TERM_COLS in the terminal).  A cell that stands for several cases (a
 * third variable, ...) shows the class of its smallest failing case, or
 * pass; a cell with no case run (a sample, a shard) is blank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/explore.h>

#define TERM_COLS 64
#define TERM_ROWS 32
#define CELL_NONE 0xff

struct grid {
	uint64_t rows, cols;
	int xvar, yvar;         /* -1: no such axis */
	uint8_t *cell;          /* rows * cols classes, CELL_NONE if none */
};

/* Case numbers per step of variable V: the product of the later counts. */
static uint64_t stride(const struct fl_space *s, unsigned v)
{
	uint64_t m = 1;
	unsigned i;

	for (i = v + 1; i < s->nvars; i++)
		m *= s->count[i];
	return m;
}

static int grid_build(const struct fl_explore *e, struct grid *g)
{
	const struct fl_space *s = &e->space;
	uint64_t i;

	g->xvar = s->nvars >= 2 ? 1 : s->nvars == 1 ? 0 : -1;
	g->yvar = s->nvars >= 2 ? 0 : -1;
	g->cols = g->xvar < 0 ? 1 : s->count[g->xvar];
	g->rows = g->yvar < 0 ? 1 : s->count[g->yvar];
	if (g->rows * g->cols > ((uint64_t)1 << 24))
		return -E2BIG;
	g->cell = malloc((size_t)(g->rows * g->cols) + 1);
	if (!g->cell)
		return -ENOMEM;
	memset(g->cell, CELL_NONE, (size_t)(g->rows * g->cols));
	for (i = 0; i < e->ncases; i++) {
		uint64_t n = e->cases[i], x = 0, y = 0;
		uint8_t *c;

		if (g->xvar >= 0)
			x = n / stride(s, (unsigned)g->xvar) % g->cols;
		if (g->yvar >= 0)
			y = n / stride(s, (unsigned)g->yvar) % g->rows;
		c = &g->cell[y * g->cols + x];
		/* cases come in increasing order: the first failure stays */
		if (*c == CELL_NONE || (*c == FL_CLASS_PASS && e->cls[i] != FL_CLASS_PASS))
			*c = e->cls[i];
	}
	return 0;
}

static char glyph(uint8_t c)
{
	return c == CELL_NONE ? ' ' : fl_class_glyph((enum fl_class)c);
}

static const char *var_name(const struct fl_explore *e, int v)
{
	return e->sc->names[e->sc->vars[v].name].text;
}

static void legend_text(FILE *f, const struct fl_explore *e)
{
	unsigned c;

	fputs("  legend:", f);
	for (c = 0; c < FL_CLASS_COUNT; c++)
		if (e->counts[c])
			fprintf(f, " %c %s", fl_class_glyph((enum fl_class)c),
				fl_class_name((enum fl_class)c));
	fputc('\n', f);
}

int fl_explore_heatmap(FILE *f, const struct fl_explore *e)
{
	struct grid g;
	uint64_t x, y;
	int err;

	err = grid_build(e, &g);
	if (err)
		return err;
	if ((g.yvar >= 0 && (g.cols > TERM_COLS || g.rows > TERM_ROWS)) ||
	    g.cols > TERM_COLS * TERM_ROWS) {
		free(g.cell);
		return -E2BIG;
	}
	if (g.yvar >= 0)
		fprintf(f, "  rows: %s %lld.., columns: %s %lld..\n", var_name(e, g.yvar),
			(long long)e->sc->vars[g.yvar].from, var_name(e, g.xvar),
			(long long)e->sc->vars[g.xvar].from);
	else if (g.xvar >= 0)
		fprintf(f, "  %s from %lld, %d per line\n", var_name(e, g.xvar),
			(long long)e->sc->vars[g.xvar].from, TERM_COLS);
	for (y = 0; y < g.rows; y++) {
		if (g.yvar >= 0)
			fprintf(f, "  %8lld ", (long long)fl_space_value(&e->space, (unsigned)g.yvar, y));
		else
			fputs("  ", f);
		for (x = 0; x < g.cols; x++) {
			if (g.yvar < 0 && x && x % TERM_COLS == 0)
				fputs("\n  ", f);
			fputc(glyph(g.cell[y * g.cols + x]), f);
		}
		fputc('\n', f);
	}
	legend_text(f, e);
	free(g.cell);
	return ferror(f) ? -EIO : 0;
}

/* ---- SVG ---- */

#define SVG_LEFT 90
#define SVG_TOP 60
#define SVG_WIDTH 800
#define SVG_LEGEND 190

/* TEXT with the five XML specials escaped and control bytes dropped. */
static void xml_text(FILE *f, const char *text)
{
	for (; *text; text++) {
		switch (*text) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*text >= 0x20)
				fputc(*text, f);
		}
	}
}

/*
 * The value distance between tick labels on the axis of variable V: the
 * variable's step doubled until at most about ten labels fit, so that the
 * labels fall on round byte counts (0, 16, 32, ... or 0, 512, 1024, ...)
 * rather than every (n+9)/10-th value (0, 13, 26, ...).
 */
static int64_t tick_step(const struct fl_explore *e, int v, uint64_t n)
{
	const struct fl_sc_var *var = &e->sc->vars[v];
	uint64_t step = var->step ? (uint64_t)var->step : 1, span = step * (n ? n - 1 : 0);
	uint64_t t = step;

	while (span / t > 10 && t < ((uint64_t)1 << 62))
		t *= 2;
	return (int64_t)t;
}

/* The labels of one axis: every T in value, aligned to multiples of T if any. */
struct ticks {
	int64_t t;
	uint64_t every;         /* in indices, when no value is a multiple of t */
	bool aligned;
};

static void axis_ticks(const struct fl_explore *e, int v, uint64_t n, struct ticks *tk)
{
	int64_t step = e->sc->vars[v].step ? e->sc->vars[v].step : 1;
	uint64_t k;

	tk->t = tick_step(e, v, n);
	tk->every = (uint64_t)(tk->t / step);
	tk->aligned = false;
	for (k = 0; k < n && k <= tk->every && !tk->aligned; k++)
		tk->aligned = fl_space_value(&e->space, (unsigned)v, k) % tk->t == 0;
}

static bool is_tick(const struct fl_explore *e, int v, const struct ticks *tk, uint64_t i)
{
	if (!tk->aligned)
		return i % tk->every == 0;
	return fl_space_value(&e->space, (unsigned)v, i) % tk->t == 0;
}

static void svg_axes(FILE *f, const struct fl_explore *e, const struct grid *g,
		     unsigned cw, unsigned ch)
{
	struct ticks tk;
	uint64_t i;

	if (g->xvar >= 0)
		axis_ticks(e, g->xvar, g->cols, &tk);
	for (i = 0; g->xvar >= 0 && i < g->cols; i++)
		if (is_tick(e, g->xvar, &tk, i))
			fprintf(f, "<text x=\"%llu\" y=\"%llu\" font-size=\"10\" text-anchor=\"middle\">%lld</text>\n",
			(unsigned long long)(SVG_LEFT + i * cw + cw / 2),
			(unsigned long long)(SVG_TOP + g->rows * ch + 14),
			(long long)fl_space_value(&e->space, (unsigned)g->xvar, i));
	if (g->xvar >= 0) {
		fprintf(f, "<text x=\"%llu\" y=\"%llu\" font-size=\"13\" text-anchor=\"middle\">",
			(unsigned long long)(SVG_LEFT + g->cols * cw / 2),
			(unsigned long long)(SVG_TOP + g->rows * ch + 34));
		xml_text(f, var_name(e, g->xvar));
		fputs("</text>\n", f);
	}
	if (g->yvar >= 0)
		axis_ticks(e, g->yvar, g->rows, &tk);
	for (i = 0; g->yvar >= 0 && i < g->rows; i++)
		if (is_tick(e, g->yvar, &tk, i))
			fprintf(f, "<text x=\"%d\" y=\"%llu\" font-size=\"10\" text-anchor=\"end\">%lld</text>\n",
			SVG_LEFT - 4, (unsigned long long)(SVG_TOP + i * ch + ch / 2 + 4),
			(long long)fl_space_value(&e->space, (unsigned)g->yvar, i));
	if (g->yvar >= 0) {
		fprintf(f, "<text x=\"16\" y=\"%llu\" font-size=\"13\" text-anchor=\"middle\" "
			"transform=\"rotate(-90 16 %llu)\">",
			(unsigned long long)(SVG_TOP + g->rows * ch / 2),
			(unsigned long long)(SVG_TOP + g->rows * ch / 2));
		xml_text(f, var_name(e, g->yvar));
		fputs("</text>\n", f);
	}
}

static void svg_legend(FILE *f, const struct fl_explore *e, unsigned x)
{
	unsigned c, y = SVG_TOP;

	fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"13\" font-weight=\"bold\">outcome</text>\n",
		x, y - 8);
	for (c = 0; c < FL_CLASS_COUNT; c++) {
		if (!e->counts[c])
			continue;
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#333\"/>\n",
			x, y, fl_class_colour((enum fl_class)c));
		fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"12\">%s (%llu)</text>\n",
			x + 20, y + 12, fl_class_name((enum fl_class)c),
			(unsigned long long)e->counts[c]);
		y += 20;
	}
}

/*
 * One rect per run of equal cells in a row: a 129 x 129 grid is 16641
 * cells but only a few hundred runs, so the file stays small enough to
 * check in (about 1 MB -> tens of KB).
 */
static void svg_cells(FILE *f, const struct grid *g, unsigned cw, unsigned ch)
{
	uint64_t x, y, run;

	for (y = 0; y < g->rows; y++)
		for (x = 0; x < g->cols; x += run) {
			const uint8_t *row = &g->cell[y * g->cols];
			uint8_t c = row[x];

			for (run = 1; x + run < g->cols && row[x + run] == c; run++)
				;
			fprintf(f, "<rect x=\"%llu\" y=\"%llu\" width=\"%llu\" height=\"%u\" fill=\"%s\"/>\n",
				(unsigned long long)(SVG_LEFT + x * cw),
				(unsigned long long)(SVG_TOP + y * ch),
				(unsigned long long)(run * cw), ch,
				c == CELL_NONE ? "#ffffff" : fl_class_colour((enum fl_class)c));
		}
}

int fl_explore_svg(FILE *f, const struct fl_explore *e, const char *title)
{
	struct grid g;
	unsigned cw, ch, w, h;
	int err;

	err = grid_build(e, &g);
	if (err)
		return err;
	cw = (unsigned)(SVG_WIDTH / g.cols);
	cw = cw < 1 ? 1 : cw > 40 ? 40 : cw;
	ch = g.yvar < 0 ? 40 : (unsigned)(600 / g.rows);
	ch = ch < 1 ? 1 : ch > 40 ? 40 : ch;
	w = SVG_LEFT + (unsigned)(g.cols * cw) + 30 + SVG_LEGEND;
	/* Wide enough for the title too: about 10 px a character at 16 px bold. */
	if (title && w < SVG_LEFT + 10 * (unsigned)strlen(title) + 20)
		w = SVG_LEFT + 10 * (unsigned)strlen(title) + 20;
	h = SVG_TOP + (unsigned)(g.rows * ch) + 50;
	if (h < SVG_TOP + 20 * FL_CLASS_COUNT)
		h = SVG_TOP + 20 * FL_CLASS_COUNT;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"viewBox=\"0 0 %u %u\" font-family=\"sans-serif\" shape-rendering=\"crispEdges\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
		"<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">", w, h, w, h, SVG_LEFT);
	xml_text(f, title && title[0] ? title : e->sc->file);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"46\" font-size=\"11\">%llu cases</text>\n",
		SVG_LEFT, (unsigned long long)e->ncases);
	svg_cells(f, &g, cw, ch);
	svg_axes(f, e, &g, cw, ch);
	svg_legend(f, e, SVG_LEFT + (unsigned)(g.cols * cw) + 30);
	fputs("</svg>\n", f);
	free(g.cell);
	return ferror(f) ? -EIO : 0;
}
