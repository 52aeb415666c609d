/* xlsxout.c — workbooks through libxlsxwriter with every return code checked. */
#include "xlsxout.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <xlsxwriter.h>

#include "progress.h"
#include "publish.h"
#include "util.h"
#include "zipcheck.h"

#define XLSX_STRING_MAX 32767

struct xsheet {
    struct xbook *book;
    lxw_worksheet *ws;
    char name[32];
    /* Column widths fitted to content: the widest cell seen per column (characters), and the
     * width a writer asked for, which caps the fitted one (0 = none). Applied at close. */
    double *fit, *cap;
    uint16_t n_cols;
    /* Printing: manual page breaks (rows that start a page), and whether the sheet prints at
     * its natural size over as many pages as it needs (wide sheets) instead of one page wide. */
    lxw_row_t *breaks;
    size_t n_breaks, cap_breaks;
    bool print_natural;
    /* The last row given a height (points), so an outline level set on it later keeps it. */
    uint32_t tall_row;
    double tall_pts;
    /* Row order (xs_in_row_order): the lowest row still open for writing, whether anything was
     * written, whether the sheet must stream, and the writes that went to a row above it. */
    uint32_t row_now;
    bool wrote, in_order;
    uint32_t out_of_order;
};

struct xbook {
    lxw_workbook *wb;
    lxw_format *fmt[XS_N_STYLES];
    struct xsheet **sheets;
    size_t n_sheets, cap_sheets;
    int digits;
    char money_fmt[96]; /* the money number format, also for chart axes */
    lxw_error err;      /* first failure */
    char err_where[64]; /* sheet!cell of the first failure */
    char *buf;          /* sanitised text */
    size_t buf_cap;
    char *path;      /* where it is written (a staged path) */
    char *target;    /* the output's name for messages: its final path once published */
    char said[2048]; /* what libxlsxwriter printed itself (caught), the first of it */
    int scratch;     /* publish_scratch_begin's slot for libxlsxwriter's temporary files, or -1 */
    bool streamed;   /* constant_memory mode: every sheet in row order */
};

/* libxlsxwriter prints its own errors to stderr ("[ERROR][packager.c:…]") and offers no hook:
 * around every call of it that does I/O, fd 2 is caught (diag_catch_stderr) and what it printed
 * is kept in b->said, to become notes of ours. Returns where its output starts, or -1. */
static int64_t lib_catch(void)
{
    return diag_catch_stderr();
}

static void lib_release(struct xbook *b, int64_t caught)
{
    size_t used = strlen(b->said);
    diag_release_stderr(caught, b->said + used, sizeof b->said - used);
}

static const char *sanitize(struct xbook *b, const char *text);
static const char *sanitize_text(struct xbook *b, const char *text, bool xstring);

double xs_major(int64_t minor, int digits)
{
    static const double scale[] = {1, 10, 100, 1000, 10000};
    return (double)minor / scale[digits < 0 || digits > 4 ? 2 : digits];
}

char *xs_cell(char *buf, uint32_t row, uint16_t col)
{
    char letters[4];
    int n = 0;
    unsigned c = (unsigned)col + 1;
    while (c > 0 && n < 3) {
        unsigned rem = (c - 1) % 26;
        letters[n++] = (char)('A' + rem);
        c = (c - 1) / 26;
    }
    int o = 0;
    while (n > 0)
        buf[o++] = letters[--n];
    snprintf(buf + o, 16 - (size_t)o, "%u", row + 1);
    return buf;
}

static void latch(struct xbook *b, lxw_error e, const struct xsheet *s, uint32_t row, uint16_t col)
{
    if (e == LXW_NO_ERROR || b->err != LXW_NO_ERROR)
        return;
    b->err = e;
    char cell[16];
    snprintf(b->err_where, sizeof b->err_where, "%s!%s", s ? s->name : "?",
             s ? xs_cell(cell, row, col) : "");
}

/* The money number format: the currency's symbol (or code) as a quoted literal, grouping, the
 * currency's decimals, negatives with a leading minus: "$"#,##0.00;-"$"#,##0.00. A literal
 * works the same in Excel and LibreOffice whatever the reader's locale. */
static void money_format_string(char *buf, size_t size, const char *currency, int digits)
{
    static const struct {
        const char *code, *sym;
    } symbols[] = {{"USD", "$"}, {"EUR", "€"}, {"GBP", "£"}, {"JPY", "¥"}};
    char lit[16] = "";
    if (currency && *currency) {
        snprintf(lit, sizeof lit, "%s ", currency);
        for (size_t i = 0; i < ARRAY_LEN(symbols); i++)
            if (strcmp(currency, symbols[i].code) == 0)
                snprintf(lit, sizeof lit, "%s", symbols[i].sym);
    }
    if (digits < 0 || digits > 4)
        digits = 2;
    char num[24];
    snprintf(num, sizeof num, "#,##0%s%.*s", digits ? "." : "", digits, "0000");
    if (*lit)
        snprintf(buf, size, "\"%s\"%s;-\"%s\"%s", lit, num, lit, num);
    else
        snprintf(buf, size, "%s;-%s", num, num);
}

static lxw_format *make_format(lxw_workbook *wb, enum xstyle st, int digits, const char *currency)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    char mf[96];
    money_format_string(mf, sizeof mf, currency, digits);
    switch (st) {
    case XS_PLAIN:
        break;
    case XS_BOLD:
        format_set_bold(f);
        break;
    case XS_TITLE:
        format_set_bold(f);
        format_set_font_size(f, 14);
        break;
    case XS_NOTE:
        format_set_italic(f);
        format_set_font_color(f, 0x595959);
        break;
    case XS_HEADER:
    case XS_HEADER_NUM:
        format_set_bold(f);
        format_set_bg_color(f, 0xDDEBF7);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
        if (st == XS_HEADER_NUM)
            format_set_align(f, LXW_ALIGN_RIGHT);
        break;
    case XS_MONEY:
        format_set_num_format(f, mf);
        break;
    case XS_MONEY_TOTAL:
        format_set_num_format(f, mf);
        format_set_bold(f);
        format_set_top(f, LXW_BORDER_THIN);
        break;
    case XS_INT:
        format_set_num_format(f, "#,##0");
        break;
    case XS_INT_TOTAL:
        format_set_num_format(f, "#,##0");
        format_set_bold(f);
        format_set_top(f, LXW_BORDER_THIN);
        break;
    case XS_PCT:
        format_set_num_format(f, "0.0%");
        break;
    case XS_PCT_TOTAL:
        format_set_num_format(f, "0.0%");
        format_set_bold(f);
        format_set_top(f, LXW_BORDER_THIN);
        break;
    case XS_DATE:
        format_set_num_format(f, "yyyy-mm-dd");
        format_set_align(f, LXW_ALIGN_LEFT);
        break;
    case XS_DEALS:
    case XS_DEALS_TOTAL:
        format_set_num_format(f, "#,##0.00");
        break;
    case XS_RATIO:
    case XS_RATIO_TOTAL:
        format_set_num_format(f, "0.00\"x\"");
        break;
    case XS_TEXT_RIGHT:
        format_set_align(f, LXW_ALIGN_RIGHT);
        break;
    case XS_CALC:
        format_set_indent(f, 1);
        format_set_text_wrap(f);
        break;
    case XS_N_STYLES:
        break;
    }
    if (st == XS_DEALS_TOTAL || st == XS_RATIO_TOTAL) {
        format_set_bold(f);
        format_set_top(f, LXW_BORDER_THIN);
    }
    return f;
}

struct xbook *xbook_create(const char *path, const struct xbook_props *props, struct diag *d)
{
    struct xbook *b = xcalloc(1, sizeof *b);
    b->path = xstrdup(path);
    b->target = xstrdup(publish_target_of(path));
    /* libxlsxwriter's temporary files go beside the output, in its staging directory: never
     * into the system's temporary directory, and on the filesystem whose space is checked. They
     * are unlinked as soon as they are opened, so nothing is left of them. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    /* In a private directory there, which a signal handler can empty (publish.h). */
    char scratch[PATH_MAX];
    b->scratch = publish_scratch_begin(dir, scratch, sizeof scratch);
    lxw_workbook_options opt = {.constant_memory = props->in_memory ? LXW_FALSE : LXW_TRUE,
                                .tmpdir = b->scratch >= 0 ? scratch : dir,
                                .use_zip64 = 0};
    int64_t caught = lib_catch();
    lxw_workbook *wb = workbook_new_opt(path, &opt); /* copies the options */
    lib_release(b, caught);
    free(dir);
    if (!wb) {
        diag_error(d, NULL, 0, "cannot create '%s': %s", b->target,
                   lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED));
        diag_add_caught(d, DIAG_NOTE, "libxlsxwriter", b->said);
        publish_scratch_done(b->scratch);
        free(b->path);
        free(b->target);
        free(b);
        return NULL;
    }
    b->wb = wb;
    b->streamed = !props->in_memory;
    b->digits = props->money_digits;
    money_format_string(b->money_fmt, sizeof b->money_fmt, props->currency, 0);
    /* XS_PLAIN is the workbook's default format: no format at all (the same cells, s="0" left
     * out). libxlsxwriter 1.1.4 caches a format's style index only for the first format with
     * those properties, so a second one equal to the default would be hashed anew for every
     * cell written with it (a tenth of a large workbook's time). */
    b->fmt[XS_PLAIN] = NULL;
    for (int st = XS_PLAIN + 1; st < XS_N_STYLES; st++)
        b->fmt[st] = make_format(wb, (enum xstyle)st, props->money_digits, props->currency);

    lxw_doc_properties dp;
    memset(&dp, 0, sizeof dp);
    /* Cast away const: libxlsxwriter copies these strings and never writes through them. */
    dp.title = (char *)(uintptr_t)props->title;
    dp.subject = (char *)(uintptr_t)props->subject;
    /* The company comes from the configuration: its text is made XML-safe like any cell's
     * (libxlsxwriter escapes no control character in the document properties). */
    char *company =
        props->company && *props->company ? xstrdup(sanitize_text(b, props->company, false)) : NULL;
    dp.company = company;
    dp.author = (char *)(uintptr_t) "sametable";
    dp.created = (time_t)props->created_day * 86400;
    latch(b, workbook_set_properties(wb, &dp), NULL, 0, 0);
    free(company);
    return b;
}

struct xsheet *xbook_add_sheet(struct xbook *b, const char *name)
{
    lxw_error e = workbook_validate_sheet_name(b->wb, name);
    if (e != LXW_NO_ERROR)
        BUG("illegal or duplicate sheet name");
    progress_note("sheet %s", name);
    struct xsheet *s = xcalloc(1, sizeof *s);
    s->tall_row = UINT32_MAX;
    s->book = b;
    int64_t caught = lib_catch(); /* in constant_memory mode it opens a temporary file */
    s->ws = workbook_add_worksheet(b->wb, name);
    lib_release(b, caught);
    if (!s->ws)
        BUG("workbook_add_worksheet failed after validation");
    snprintf(s->name, sizeof s->name, "%s", name);
    /* Streamed, a write above the current row would be lost: every sheet stops at one. */
    s->in_order = b->streamed;
    /* Printed or exported to PDF: landscape, one page wide, as many pages tall as needed. */
    worksheet_set_landscape(s->ws);
    worksheet_fit_to_pages(s->ws, 1, 0);
    /* Every printed page names its sheet and is numbered. */
    latch(b, worksheet_set_footer(s->ws, "&L&A&RPage &P of &N"), s, 0, 0);
    VEC_PUSH(b->sheets, b->n_sheets, b->cap_sheets, s);
    return s;
}

static bool name_taken(const struct xbook *b, const char *name)
{
    for (size_t i = 0; i < b->n_sheets; i++)
        if (ascii_casecmp_n(b->sheets[i]->name, strlen(b->sheets[i]->name), name, strlen(name)) ==
            0)
            return true;
    return ascii_casecmp_n(name, strlen(name), "History", 7) == 0;
}

const char *xbook_sheet_name(const struct xbook *b, const char *prefix, const char *text,
                             char out[XS_SHEET_NAME_SIZE])
{
    /* prefix + text with []:*?/\ and control characters (also TAB, LF and CR) as '_', invalid
     * UTF-8 as '_', no apostrophe at either end, at most 31 characters (UTF-16 units, as Excel
     * counts). */
    char buf[256];
    size_t o = 0, units = 0;
    const unsigned char *parts[2] = {(const unsigned char *)prefix,
                                     (const unsigned char *)(text ? text : "")};
    for (int part = 0; part < 2; part++) {
        const unsigned char *p = parts[part];
        while (*p && units < 31 && o + 4 < sizeof buf) {
            unsigned char c = *p;
            bool ok;
            size_t k = out_text_char((const char *)p, strnlen((const char *)p, 4), &ok);
            if (!ok || c < 0x20 || strchr("[]:*?/\\", c)) {
                buf[o++] = '_';
                p += k;
                units++;
                continue;
            }
            if (k == 4 && units + 2 > 31)
                break;
            memcpy(buf + o, p, k);
            o += k;
            p += k;
            units += k == 4 ? 2 : 1;
        }
    }
    buf[o] = 0;
    while (o > 0 && buf[o - 1] == '\'')
        buf[--o] = 0;
    size_t lead = 0;
    while (buf[lead] == '\'')
        lead++;
    char base[256];
    snprintf(base, sizeof base, "%s", buf[lead] ? buf + lead : "Sheet");
    /* Unique, ignoring ASCII case as Excel does: "Name (2)", "Name (3)", … within 31 units. */
    snprintf(out, XS_SHEET_NAME_SIZE, "%s", base);
    for (unsigned n = 2; name_taken(b, out); n++) {
        char suffix[16];
        int sl = snprintf(suffix, sizeof suffix, " (%u)", n);
        size_t keep = strlen(base), u = 0, cut = 0;
        /* keep at most 31 - sl units of base, on a character boundary */
        for (size_t i = 0; i < keep;) {
            unsigned char c = (unsigned char)base[i];
            size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            size_t w = k == 4 ? 2 : 1;
            if (u + w > (size_t)(31 - sl))
                break;
            u += w;
            i += k;
            cut = i;
        }
        snprintf(out, XS_SHEET_NAME_SIZE, "%.*s%s", (int)cut, base, suffix);
    }
    return out;
}

/* Every write to a row passes here: libxlsxwriter's constant_memory mode would drop one to a row
 * above the last written, silently; a sheet that must stream stops the program instead. */
static void at_row(struct xsheet *s, uint32_t row)
{
    if (s->wrote && row < s->row_now) {
        if (s->in_order)
            BUG("a cell written above a row already written on a sheet written in row order");
        s->out_of_order++;
        return;
    }
    s->row_now = row;
    s->wrote = true;
}

void xs_in_row_order(struct xsheet *s)
{
    if (s->out_of_order)
        BUG("xs_in_row_order on a sheet already written out of row order");
    s->in_order = true;
}

uint32_t xs_rows_out_of_order(const struct xsheet *s)
{
    return s->out_of_order;
}

void xs_comment(struct xsheet *s, uint32_t row, uint16_t col, const char *text)
{
    at_row(s, row);
    const char *t = sanitize(s->book, text);
    latch(s->book, worksheet_write_comment(s->ws, row, col, t), s, row, col);
}

void xs_row_level(struct xsheet *s, uint32_t row, uint8_t level)
{
    at_row(s, row);
    lxw_row_col_options o = {.hidden = 0, .level = level, .collapsed = 0};
    double h = row == s->tall_row ? s->tall_pts : LXW_DEF_ROW_HEIGHT;
    latch(s->book, worksheet_set_row_opt(s->ws, row, h, NULL, &o), s, row, 0);
}

/* Whether s[0, len) starts with "_xHHHH_" (H a hex digit, either case): in a cell or comment
 * Excel reads that as the escape of one character (ECMA-376 ST_Xstring), so text holding it
 * literally has its '_' escaped as "_x005F_". */
static bool xstring_escape_at(const unsigned char *s, size_t len)
{
    if (len < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return false;
    for (int i = 2; i < 6; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

/* Copy text into the book's buffer as valid XML-safe UTF-8 of at most XLSX_STRING_MAX
 * characters: what out_text_char does not keep (control characters, invalid UTF-8, U+FFFE/FFFF)
 * becomes U+FFFD, as in the CSV outputs; a line break is LF (a CR would reach the file as
 * "_x000D_", which Excel and LibreOffice read back but openpyxl does not). Cell and comment text
 * (xstring) also has a literal "_xHHHH_" escaped, so that every reader shows what was written. */
static const char *sanitize_text(struct xbook *b, const char *text, bool xstring)
{
    size_t len = strlen(text);
    VEC_GROW(b->buf, b->buf_cap, len * 7 + 4); /* at most "_x005F_" for one byte */
    const unsigned char *p = (const unsigned char *)text;
    size_t o = 0, chars = 0;
    static const char repl[] = "\xEF\xBF\xBD";
    for (size_t i = 0; i < len && chars < XLSX_STRING_MAX; chars++) {
        bool keep;
        size_t k = out_text_char(text + i, len - i, &keep);
        if (!keep) {
            memcpy(b->buf + o, repl, 3);
            o += 3;
        } else if (p[i] == '\r') {
            b->buf[o++] = '\n';
            k = i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
        } else if (xstring && p[i] == '_' && xstring_escape_at(p + i, len - i)) {
            /* libxlsxwriter counts the stored characters against its limit */
            if (chars + 7 > XLSX_STRING_MAX)
                break;
            memcpy(b->buf + o, "_x005F_", 7);
            o += 7;
            chars += 6;
        } else {
            memcpy(b->buf + o, p + i, k);
            o += k;
        }
        i += k;
    }
    b->buf[o] = '\0';
    return b->buf;
}

static const char *sanitize(struct xbook *b, const char *text)
{
    return sanitize_text(b, text, true);
}

static void grow_cols(struct xsheet *s, uint16_t col)
{
    if (col < s->n_cols)
        return;
    uint16_t n = (uint16_t)(col + 16 < LXW_COL_MAX ? col + 16 : LXW_COL_MAX);
    s->fit = xreallocarray(s->fit, n, sizeof *s->fit);
    s->cap = xreallocarray(s->cap, n, sizeof *s->cap);
    for (uint16_t i = s->n_cols; i < n; i++)
        s->fit[i] = s->cap[i] = 0;
    s->n_cols = n;
}

static void fit(struct xsheet *s, uint16_t col, double chars)
{
    grow_cols(s, col);
    if (chars > s->fit[col])
        s->fit[col] = chars;
}

/* Display width of text in characters: code points, wide enough for a header that wraps onto
 * two lines (half its length, but never less than its longest word). */
static double text_width(const char *t, bool wraps)
{
    size_t chars = 0, word = 0, longest = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        chars++;
        word = *p == ' ' ? 0 : word + 1;
        if (word > longest)
            longest = word;
    }
    if (!wraps)
        return (double)chars;
    /* Two lines rarely break evenly, and bold is wider: 60% of the length, 10% extra. */
    double two = (double)chars * 0.6;
    return 1.1 * (two > (double)longest ? two : (double)longest);
}

/* Display width of a number in its style: digits, grouping, decimals, symbol, sign. */
static double number_width(double v, enum xstyle st, int digits)
{
    double a = v < 0 ? -v : v;
    int int_digits = 1;
    while (a >= 10 && int_digits < 20) {
        a /= 10;
        int_digits++;
    }
    double w = int_digits + (int_digits - 1) / 3 + (v < 0);
    switch (st) {
    case XS_MONEY:
    case XS_MONEY_TOTAL:
        return w + 1 + digits + 2; /* decimals, symbol */
    case XS_PCT:
    case XS_PCT_TOTAL:
        return w + 4;
    case XS_DATE:
        return 10;
    case XS_DEALS:
    case XS_DEALS_TOTAL:
    case XS_RATIO:
    case XS_RATIO_TOTAL:
        return w + 4;
    default:
        return w;
    }
}

void xs_text(struct xsheet *s, uint32_t row, uint16_t col, const char *text, enum xstyle st)
{
    struct xbook *b = s->book;
    if (!text)
        return;
    at_row(s, row);
    const char *t = sanitize(b, text);
    latch(b, worksheet_write_string(s->ws, row, col, t, b->fmt[st]), s, row, col);
    /* Titles and notes spill over empty neighbours; they do not widen their column. */
    if (st != XS_TITLE && st != XS_NOTE)
        fit(s, col, text_width(t, st == XS_HEADER || st == XS_HEADER_NUM));
    /* A calculation wraps in its column (width as capped so far, else 60): spreadsheets do not
     * size rows to wrapped text they did not lay out, so give the row its lines (15 pt each). */
    if (st == XS_CALC) {
        grow_cols(s, col);
        double cap = s->cap[col] > 0 ? s->cap[col] : 60, chars = text_width(t, false);
        double lines = 1;
        while (chars > lines * (cap - 2) && lines < 20)
            lines++;
        if (lines > 1)
            xs_row_height(s, row, 15 * lines);
    }
}

void xs_money(struct xsheet *s, uint32_t row, uint16_t col, int64_t minor, enum xstyle st)
{
    xs_number(s, row, col, xs_major(minor, s->book->digits), st);
}

void xs_int(struct xsheet *s, uint32_t row, uint16_t col, int64_t v, enum xstyle st)
{
    xs_number(s, row, col, (double)v, st);
}

void xs_number(struct xsheet *s, uint32_t row, uint16_t col, double v, enum xstyle st)
{
    at_row(s, row);
    latch(s->book, worksheet_write_number(s->ws, row, col, v, s->book->fmt[st]), s, row, col);
    fit(s, col, number_width(v, st, s->book->digits));
}

void xs_date(struct xsheet *s, uint32_t row, uint16_t col, int32_t day, enum xstyle st)
{
    /* Excel's 1900 date system: 1970-01-01 is serial 25569. */
    xs_number(s, row, col, (double)day + 25569.0, st);
}

void xs_formula(struct xsheet *s, uint32_t row, uint16_t col, const char *formula, double cached,
                enum xstyle st)
{
    at_row(s, row);
    latch(s->book, worksheet_write_formula_num(s->ws, row, col, formula, s->book->fmt[st], cached),
          s, row, col);
    fit(s, col, number_width(cached, st, s->book->digits));
}

void xs_formula_money(struct xsheet *s, uint32_t row, uint16_t col, const char *formula,
                      int64_t cached_minor, enum xstyle st)
{
    xs_formula(s, row, col, formula, xs_major(cached_minor, s->book->digits), st);
}

void xs_col_width(struct xsheet *s, uint16_t first, uint16_t last, double width)
{
    for (uint32_t c = first; c <= last; c++) {
        grow_cols(s, (uint16_t)c);
        s->cap[c] = width;
    }
}

/* Each column as wide as its widest cell plus a margin, at least 6 characters, at most the width
 * its writer gave (or 60): long text wraps or spills instead of making a sheet unreadable. */
static void apply_widths(struct xsheet *s)
{
    for (uint16_t c = 0; c < s->n_cols; c++) {
        double w = s->fit[c] > 0 ? s->fit[c] + 2 : s->cap[c];
        double cap = s->cap[c] > 0 ? s->cap[c] : 60;
        if (w <= 0)
            continue;
        if (w < 6)
            w = 6;
        if (w > cap)
            w = cap;
        latch(s->book, worksheet_set_column(s->ws, c, c, w, NULL), s, 0, c);
    }
}

static void apply_print(struct xsheet *s)
{
    if (s->print_natural) {
        /* Natural size, several pages across, each repeating the key columns and header rows. */
        worksheet_set_print_scale(s->ws, 100);
        worksheet_print_across(s->ws);
    }
    if (s->n_breaks) {
        /* libxlsxwriter copies at most LXW_BREAKS_MAX breaks from a 0-terminated array. */
        size_t n = s->n_breaks < LXW_BREAKS_MAX ? s->n_breaks : LXW_BREAKS_MAX;
        s->breaks[n] = 0;
        latch(s->book, worksheet_set_h_pagebreaks(s->ws, s->breaks), s, 0, 0);
    }
}

void xs_print_titles(struct xsheet *s, uint32_t first_row, uint32_t last_row)
{
    latch(s->book, worksheet_repeat_rows(s->ws, first_row, last_row), s, first_row, 0);
}

void xs_print_wide(struct xsheet *s, uint16_t first_key_col, uint16_t last_key_col)
{
    s->print_natural = true;
    latch(s->book, worksheet_repeat_columns(s->ws, first_key_col, last_key_col), s, 0,
          first_key_col);
}

void xs_page_break_before(struct xsheet *s, uint32_t row)
{
    if (row == 0 || s->n_breaks >= LXW_BREAKS_MAX)
        return; /* Excel's limit; later blocks then follow the automatic breaks */
    VEC_GROW(s->breaks, s->cap_breaks, s->n_breaks + 2);
    s->breaks[s->n_breaks++] = row;
}

void xs_row_height(struct xsheet *s, uint32_t row, double points)
{
    at_row(s, row);
    s->tall_row = row;
    s->tall_pts = points;
    latch(s->book, worksheet_set_row(s->ws, row, points, NULL), s, row, 0);
}

void xs_freeze(struct xsheet *s, uint32_t row, uint16_t col)
{
    worksheet_freeze_panes(s->ws, row, col);
    /* The rows frozen on screen are the ones a printed page repeats. */
    if (row > 0)
        xs_print_titles(s, 0, row - 1);
}

void xs_autofilter(struct xsheet *s, uint32_t r1, uint16_t c1, uint32_t r2, uint16_t c2)
{
    /* libxlsxwriter checks the range's last row like a cell's: streamed, a row below it must not
     * have been started (and the range still sets the sheet's dimensions, as in memory). */
    if (s->in_order && s->wrote && (r2 > r1 ? r2 : r1) < s->row_now)
        BUG("an autofilter set after rows below it were written on a sheet written in row order");
    latch(s->book, worksheet_autofilter(s->ws, r1, c1, r2, c2), s, r1, c1);
}

void xs_hide_gridlines(struct xsheet *s)
{
    worksheet_gridlines(s->ws, LXW_HIDE_ALL_GRIDLINES);
}

void xs_tab_color(struct xsheet *s, uint32_t rgb)
{
    worksheet_set_tab_color(s->ws, (lxw_color_t)rgb);
}

void xs_chart_columns(struct xsheet *s, const char *title, uint32_t header_row, uint32_t first,
                      uint32_t last, uint16_t cat_col, uint16_t first_col, uint16_t n_series,
                      uint32_t at_row, uint16_t at_col)
{
    xs_chart_columns_scaled(s, title, header_row, first, last, cat_col, first_col, n_series, at_row,
                            at_col, 1.6, 1.3);
}

void xs_chart_columns_scaled(struct xsheet *s, const char *title, uint32_t header_row,
                             uint32_t first, uint32_t last, uint16_t cat_col, uint16_t first_col,
                             uint16_t n_series, uint32_t at_row, uint16_t at_col, double x_scale,
                             double y_scale)
{
    struct xbook *b = s->book;
    lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
    if (!chart) {
        latch(b, LXW_ERROR_MEMORY_MALLOC_FAILED, s, at_row, at_col);
        return;
    }
    chart_title_set_name(chart, title);
    for (uint16_t k = 0; k < n_series; k++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series) {
            latch(b, LXW_ERROR_MEMORY_MALLOC_FAILED, s, at_row, at_col);
            return;
        }
        chart_series_set_categories(series, s->name, first, cat_col, last, cat_col);
        /* The categories are labels. In memory libxlsxwriter learns that by reading the cells
         * back; streamed it cannot (nor cache any value: spreadsheets draw the chart from the
         * cells), and would call them numbers (numRef, a General axis format). */
        series->categories->has_string_cache = LXW_TRUE;
        chart_series_set_values(series, s->name, first, (lxw_col_t)(first_col + k), last,
                                (lxw_col_t)(first_col + k));
        chart_series_set_name_range(series, s->name, header_row, (lxw_col_t)(first_col + k));
    }
    chart_legend_set_position(chart,
                              n_series > 1 ? LXW_CHART_LEGEND_BOTTOM : LXW_CHART_LEGEND_NONE);
    lxw_chart_font title_font = {.size = 12, .bold = LXW_EXPLICIT_FALSE};
    chart_title_set_name_font(chart, &title_font);
    chart_axis_set_num_format(chart->y_axis, b->money_fmt);
    lxw_chart_options opt = {.x_scale = x_scale, .y_scale = y_scale};
    latch(b, worksheet_insert_chart_opt(s->ws, at_row, at_col, chart, &opt), s, at_row, at_col);
}

int xbook_close(struct xbook *b, struct diag *d)
{
    if (!b)
        return 0;
    for (size_t i = 0; i < b->n_sheets; i++) {
        apply_widths(b->sheets[i]);
        apply_print(b->sheets[i]);
    }
    progress_note("saving");
    int64_t caught = lib_catch();
    errno = 0;
    lxw_error e = workbook_close(b->wb);
    int err = errno; /* the failed write's, when the zip writer or a temporary file failed */
    lib_release(b, caught);
    publish_scratch_done(b->scratch);
    bool io = err == ENOSPC || err == EFBIG || err == EDQUOT || err == EIO;
    int rc = 0;
    /* libxlsxwriter does not check its writes to its temporary files: one cut short by a full
     * disk or a file size limit leaves a truncated part in a workbook that closes without an
     * error. So a closed workbook is read back (zipcheck.h). */
    struct zipcheck_result zr;
    bool cut = b->err == LXW_NO_ERROR && e == LXW_NO_ERROR && !io && zipcheck_xml(b->path, &zr);
    if (cut) {
        int zerr = errno;
        struct rlimit lim;
        if (zr.part[0] && getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
            zr.largest >= (uint64_t)lim.rlim_cur)
            diag_error(d, NULL, 0, "cannot write '%s': %s", b->target, publish_strerror(EFBIG));
        else if (zr.part[0])
            diag_error(d, NULL, 0,
                       "cannot write '%s': its part '%s' %s (no space left on the device?)",
                       b->target, zr.part, zr.why);
        else
            diag_error(d, NULL, 0, "cannot write '%s': reading it back, it %s", b->target,
                       zerr == 0 ? zr.why : strerror(zerr));
        rc = -1;
    }
    if (b->err != LXW_NO_ERROR) {
        diag_error(d, NULL, 0, "cannot write '%s': %s (at %s)", b->target, lxw_strerror(b->err),
                   b->err_where);
        rc = -1;
    } else if (e != LXW_NO_ERROR || io) {
        /* One line of ours: the system's reason when there is one, else the library's. */
        bool sys = io || (err != 0 &&
                          (e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ||
                           e == LXW_ERROR_ZIP_FILE_OPERATION));
        diag_error(d, NULL, 0, "cannot write '%s': %s", b->target,
                   sys ? publish_strerror(err) : lxw_strerror(e));
        rc = -1;
    }
    /* What the library printed itself: details for -v. */
    diag_add_caught(d, rc ? DIAG_NOTE : DIAG_WARNING, "libxlsxwriter", b->said);
    for (size_t i = 0; i < b->n_sheets; i++) {
        free(b->sheets[i]->fit);
        free(b->sheets[i]->cap);
        free(b->sheets[i]->breaks);
        free(b->sheets[i]);
    }
    free(b->sheets);
    free(b->buf);
    free(b->path);
    free(b->target);
    free(b);
    return rc;
}
