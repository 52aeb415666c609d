/* csvout.c — quoting, injection-neutralising CSV writer. */
#include "csvout.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "money.h"
#include "publish.h"

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
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', o->fp);
        fputc(*p, o->fp);
    }
    if (quote)
        fputc('"', o->fp);
}

void csvout_text(struct csvout *o, const char *s)
{
    field(o, s ? s : "", true);
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
