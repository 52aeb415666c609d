/* csvout.c — quoting, injection-neutralising CSV writer. */
#include "csvout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "publish.h"
#include "util.h"

int csvout_open(struct csvout *o, const char *path, struct diag *d)
{
    o->path = path;
    o->row_started = false;
    o->fp = fopen(path, "w");
    if (!o->fp) {
        diag_error(d, NULL, 0, "cannot create '%s': %s", publish_target_of(path),
                   publish_strerror(errno));
        return -1;
    }
    return 0;
}

static void sep(struct csvout *o)
{
    if (o->row_started)
        fputc(',', o->fp);
    o->row_started = true;
}

static void field(struct csvout *o, const char *s, bool neutralise)
{
    sep(o);
    bool guard = neutralise && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                                s[0] == '\t' || s[0] == '\r');
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', o->fp);
    if (guard)
        fputc('\'', o->fp);
    /* In runs up to each quote (doubled): one write a run, not one a character. */
    for (const char *p = s;;) {
        const char *q = quote ? strchr(p, '"') : NULL;
        size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
        fwrite(p, 1, n, o->fp);
        if (!q)
            break;
        fputc('"', o->fp);
        p = q + 1;
    }
    if (quote)
        fputc('"', o->fp);
}

/* Whether s holds a character out_text_char does not keep. */
static bool needs_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7F) {
            size_t len = strlen((const char *)p);
            for (size_t i = 0; i < len;) {
                bool keep;
                i += out_text_char((const char *)p + i, len - i, &keep);
                if (!keep)
                    return true;
            }
            return false;
        }
    return false;
}

void csvout_text(struct csvout *o, const char *s)
{
    s = s ? s : "";
    if (!needs_clean(s)) {
        field(o, s, true);
        return;
    }
    /* Control characters and invalid UTF-8 become U+FFFD, as in the workbooks; the guard then
     * looks at what is written. */
    size_t len = strlen(s), n = 0;
    char *clean = xmalloc(3 * len + 1);
    for (size_t i = 0; i < len;) {
        bool keep;
        size_t k = out_text_char(s + i, len - i, &keep);
        if (keep) {
            memcpy(clean + n, s + i, k);
            n += k;
        } else {
            memcpy(clean + n, "\xEF\xBF\xBD", 3);
            n += 3;
        }
        i += k;
    }
    clean[n] = '\0';
    field(o, clean, true);
    free(clean);
}

void csvout_money(struct csvout *o, int64_t minor, int digits)
{
    char buf[48];
    money_format(buf, sizeof buf, minor, digits);
    field(o, buf, false);
}

void csvout_uint(struct csvout *o, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    field(o, buf, false);
}

void csvout_double(struct csvout *o, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.10g", v);
    field(o, buf, false);
}

void csvout_end_row(struct csvout *o)
{
    fputs("\r\n", o->fp);
    o->row_started = false;
}

int csvout_close(struct csvout *o, struct diag *d)
{
    if (!o->fp)
        return 0;
    /* A write that failed earlier left errno (ENOSPC, EFBIG under ulimit -f with SIGXFSZ
     * ignored) unless fclose's own flush fails with the newer reason. */
    int err = ferror(o->fp) ? (errno ? errno : EIO) : 0;
    errno = 0;
    if (fclose(o->fp) != 0)
        err = errno ? errno : EIO;
    o->fp = NULL;
    if (err)
        diag_error(d, NULL, 0, "cannot write '%s': %s", publish_target_of(o->path),
                   publish_strerror(err));
    return err;
}
