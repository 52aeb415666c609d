/* xlsxout.h — a narrow, checked layer over libxlsxwriter.
 *
 * The only module that includes <xlsxwriter.h>. Every libxlsxwriter return code is checked; the
 * first failure is latched with the sheet and cell and reported by xbook_close, so callers write
 * cells without checking each call. Text is always written as a string cell: invalid UTF-8 and
 * characters XML forbids become U+FFFD, text over 32,767 characters is cut (ingest rejects such
 * values first). A string cell (inline in a streamed book, else shared) is one no spreadsheet
 * evaluates, so input text such as "=HYPERLINK(…)" stays text (libxlsxwriter 1.1.4 has no
 * quote-prefix format). Money is written as a number of major units with the book's currency
 * format. A book is written to the path given (a temporary name: publication is publish.h's job)
 * and its creation time is fixed so that reruns give identical bytes.
 */
#ifndef SAMETABLE_XLSXOUT_H
#define SAMETABLE_XLSXOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct xbook;
struct xsheet;

enum xstyle {
    XS_PLAIN,
    XS_BOLD,
    XS_TITLE,      /* large bold sheet title */
    XS_NOTE,       /* small grey explanatory text */
    XS_HEADER,     /* table header: bold, shaded, bottom border, wrapped */
    XS_HEADER_NUM, /* the same, right-aligned: the header of a column of numbers */
    XS_MONEY,
    XS_MONEY_TOTAL, /* bold, top border */
    XS_INT,
    XS_INT_TOTAL,
    XS_PCT,
    XS_PCT_TOTAL,
    XS_DATE,
    XS_DEALS, /* fractional deal counts: 0.00 */
    XS_DEALS_TOTAL,
    XS_RATIO, /* ROAS: 0.00x */
    XS_RATIO_TOTAL,
    XS_TEXT_RIGHT, /* text in a column of numbers ("—": no figure has a meaning here) */
    XS_CALC,       /* a calculation: indented from the numbers on its left, wrapped in its column */
    XS_N_STYLES
};

struct xbook_props {
    const char *title;
    const char *subject;
    const char *company;
    int32_t created_day;  /* document creation date (day number): the run's as-of date */
    int money_digits;     /* decimals of the reporting currency */
    const char *currency; /* its ISO code: money cells show its symbol ($ € £ ¥) or code; NULL
                           * or "" = plain numbers */
    bool in_memory;       /* for tests only: keep every cell until close (libxlsxwriter's
                           * default) instead of streaming rows (constant_memory mode) */
};

/* Create a workbook at path. Returns NULL with an error in d if libxlsxwriter cannot.
 * Workbooks stream (libxlsxwriter's constant_memory mode): each row goes to a temporary file as
 * soon as a later row is started, strings are written inline (no shared string table), and a
 * write above the current row would be dropped. So every sheet is written top to bottom (see
 * xs_in_row_order): a write above a row already written stops the program. */
struct xbook *xbook_create(const char *path, const struct xbook_props *props, struct diag *d);
/* Add a worksheet; name must be a legal, unique sheet name (≤ 31 characters, none of []:*?/\). */
struct xsheet *xbook_add_sheet(struct xbook *b, const char *name);
/* A legal sheet name from prefix + text (input text welcome: []:*?/\ and control characters
 * become '_', no apostrophe at either end, at most 31 characters, not "History"), made unique
 * among the book's sheets ignoring case by a " (2)", " (3)" … suffix. Writes out, returns it. */
#define XS_SHEET_NAME_SIZE 256
const char *xbook_sheet_name(const struct xbook *b, const char *prefix, const char *text,
                             char out[XS_SHEET_NAME_SIZE]);
/* Write the file and free the book. Returns 0, or -1 with the first latched error in d. */
int xbook_close(struct xbook *b, struct diag *d);

void xs_text(struct xsheet *s, uint32_t row, uint16_t col, const char *text, enum xstyle st);
void xs_money(struct xsheet *s, uint32_t row, uint16_t col, int64_t minor, enum xstyle st);
void xs_int(struct xsheet *s, uint32_t row, uint16_t col, int64_t v, enum xstyle st);
void xs_number(struct xsheet *s, uint32_t row, uint16_t col, double v, enum xstyle st);
void xs_date(struct xsheet *s, uint32_t row, uint16_t col, int32_t day, enum xstyle st);
/* A live formula with the value the tool computed as its cached result. */
void xs_formula(struct xsheet *s, uint32_t row, uint16_t col, const char *formula, double cached,
                enum xstyle st);
void xs_formula_money(struct xsheet *s, uint32_t row, uint16_t col, const char *formula,
                      int64_t cached_minor, enum xstyle st);
/* A cell note (comment), e.g. why a value stands where a formula would be. */
void xs_comment(struct xsheet *s, uint32_t row, uint16_t col, const char *text);
/* Row order, for streamed writing (libxlsxwriter's constant_memory mode keeps one row at a time
 * and drops a cell written to a row above the last one written). Every sheet of a streamed book
 * is in row order from xbook_add_sheet: it must be written top to bottom — cells, comments, row
 * heights and outline levels — and a write to an earlier row is a BUG (the program stops)
 * instead of a lost cell. An autofilter must be set before any row below its range is written
 * (xs_autofilter). Column widths, freezing, page breaks and charts are not rows and may come at
 * any time. xs_in_row_order marks a sheet of an in_memory book too; on that book's other sheets
 * such writes are only counted: xs_rows_out_of_order. */
void xs_in_row_order(struct xsheet *s);
uint32_t xs_rows_out_of_order(const struct xsheet *s);
/* Outline level of a row (1 = foldable under the row above the group). */
void xs_row_level(struct xsheet *s, uint32_t row, uint8_t level);
void xs_col_width(struct xsheet *s, uint16_t first, uint16_t last, double width);
/* Height of a row in points (15 = one line of the default font; 30 shows two wrapped lines). */
void xs_row_height(struct xsheet *s, uint32_t row, double points);
/* Freeze the rows above `row` and the columns left of `col`; the frozen rows also repeat at the
 * top of every printed page. */
void xs_freeze(struct xsheet *s, uint32_t row, uint16_t col);
/* Printing. Every sheet prints landscape, one page wide, its name and "Page n of N" in the
 * footer. Rows first_row..last_row repeat at the top of every printed page. */
void xs_print_titles(struct xsheet *s, uint32_t first_row, uint32_t last_row);
/* A wide sheet prints at its natural size over as many pages across as it needs, each repeating
 * the key columns (and the title rows, with xs_print_titles) instead of shrinking to one page. */
void xs_print_wide(struct xsheet *s, uint16_t first_key_col, uint16_t last_key_col);
/* Start a printed page at `row` (e.g. each person's statement). The sheet stays one page wide:
 * LibreOffice keeps manual breaks under "fit to width" (checked by rendering); libxlsxwriter's
 * documentation says Excel may not. At most 1,023 breaks per sheet (Excel). */
void xs_page_break_before(struct xsheet *s, uint32_t row);
/* An autofilter over rows r1..r2: on a sheet in row order, before any row below r2 is written
 * (libxlsxwriter refuses it afterwards when streaming). */
void xs_autofilter(struct xsheet *s, uint32_t r1, uint16_t c1, uint32_t r2, uint16_t c2);
void xs_hide_gridlines(struct xsheet *s);
void xs_tab_color(struct xsheet *s, uint32_t rgb);
/* A clustered column chart of a table on this sheet: categories (text labels) in column cat_col,
 * one series per column first_col .. first_col + n_series - 1 (named by header_row), rows
 * first..last; placed at (at_row, at_col). */
void xs_chart_columns(struct xsheet *s, const char *title, uint32_t header_row, uint32_t first,
                      uint32_t last, uint16_t cat_col, uint16_t first_col, uint16_t n_series,
                      uint32_t at_row, uint16_t at_col);
/* The same chart scaled from the default 480 × 288 pixels (xs_chart_columns: 1.6 × 1.3). */
void xs_chart_columns_scaled(struct xsheet *s, const char *title, uint32_t header_row,
                             uint32_t first, uint32_t last, uint16_t cat_col, uint16_t first_col,
                             uint16_t n_series, uint32_t at_row, uint16_t at_col, double x_scale,
                             double y_scale);

/* "B12" for row 11, column 1 (both 0-based); buf of at least 16 bytes. Returns buf. */
char *xs_cell(char *buf, uint32_t row, uint16_t col);
/* The major-unit double of minor units as the workbook shows it (minor / 10^digits). */
double xs_major(int64_t minor, int digits);

#endif
