/* main.c — the command line: parse arguments, run, print diagnostics, exit with a sysexits code. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "pathattr.h"
#include "progress.h"
#include "publish.h"
#include "run.h"
#include "util.h"

#define MAX_ERRORS_SHOWN 20

static const char usage_text[] =
    "usage: sametable COMMAND [OPTIONS]\n"
    "\n"
    "Joins marketing touches with closed-won deals, attributes the revenue to campaigns and\n"
    "channels, computes incentive payouts, and writes Excel workbooks and CSV files.\n"
    "\n"
    "commands:\n"
    "  run      read the inputs, compute, and publish the workbooks and CSV files\n"
    "  check    validate the configuration and inputs, print the row reconciliation;\n"
    "           write nothing\n"
    "  attribute --paths FILE [--models LIST] [--set …] [--out DIR]\n"
    "           per-channel credit for path-level data in ChannelAttribution's format\n"
    "           (path,total_conversions,total_conversion_value,total_null); models markov,\n"
    "           shapley, shapley_ordered, first_touch, last_touch, linear (default markov);\n"
    "           writes DIR/path-attribution.csv and .xlsx\n"
    "  explain --person ID | --deal ID\n"
    "           print every payout line of a person, or every line a deal produced, with\n"
    "           its measure, attainment, tier slices, rounding, gates and caps; write nothing\n"
    "  close --period P --run ID [--payroll FILE]\n"
    "           record in the ledger ([ledger] path) what the published run ID paid for P:\n"
    "           the run whose payroll file payroll imported (--payroll FILE checks it is)\n"
    "  close --baseline P --payroll FILE\n"
    "           record P as paid before the ledger, from its payroll file\n"
    "  close --reopen P --reason TEXT\n"
    "           reopen the latest closed period (recorded with who, when and why)\n"
    "  ledger backup FILE | ledger export FILE\n"
    "           a consistent copy of the ledger (SQLite online backup), or every posted\n"
    "           line as CSV\n"
    "  history --person ID\n"
    "           what the ledger says was paid to a person: by period and component,\n"
    "           adjustments, balances, with the arithmetic\n"
    "\n"
    "options:\n"
    "  -c, --config FILE     the INI file (default: sametable.ini)\n"
    "      --as-of DATE      last complete day, yyyy-mm-dd (default: [run] as_of, else\n"
    "                        yesterday in the business time zone)\n"
    "      --period P        2026-11, 2026-Q4 or 2026 (default: the month holding as-of)\n"
    "      --set S.K=V       override key K of section S (repeatable), e.g.\n"
    "                        --set attribution.lookback_days=60\n"
    "      --out DIR         output directory, relative to the working directory\n"
    "                        (default: [output] dir, relative to the INI file)\n"
    "      --statements DIR  also write one statement workbook per person on a plan, as\n"
    "                        DIR/<period>/<person id>.xlsx (default: [output] statements)\n"
    "      --strict          fail on any rejected input row\n"
    "  -q, --quiet           print nothing but errors (the default on success) and no\n"
    "                        progress line\n"
    "  -v, --verbose         print stage timings and counts on stderr\n"
    "      --no-progress     no progress line on a terminal (one is shown on stderr for a\n"
    "                        stage that runs over a second, when stderr is a terminal)\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n"
    "\n"
    "exit codes: 0 ok, 64 usage, 65 bad data, 66 input missing, 73 cannot create output,\n"
    "            74 I/O error (a full disk, a file size limit; the previous outputs are\n"
    "            kept), 75 another run holds the lock, 76 the ledger refuses (a close of\n"
    "            an unknown or unpublished run, a second close, one out of order, a run\n"
    "            over a closed period), 78 bad configuration,\n"
    "            128+N killed by signal N\n";

enum {
    OPT_AS_OF = 256,
    OPT_PERIOD,
    OPT_SET,
    OPT_OUT,
    OPT_STRICT,
    OPT_VERSION,
    OPT_PATHS,
    OPT_MODELS,
    OPT_PERSON,
    OPT_DEAL,
    OPT_STATEMENTS,
    OPT_NO_PROGRESS,
    OPT_RUN,
    OPT_PAYROLL,
    OPT_BASELINE,
    OPT_REOPEN,
    OPT_REASON
};

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "sametable: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    fputs("try 'sametable --help'\n", stderr);
    return RUN_EUSAGE;
}

static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                         {"as-of", required_argument, NULL, OPT_AS_OF},
                                         {"period", required_argument, NULL, OPT_PERIOD},
                                         {"set", required_argument, NULL, OPT_SET},
                                         {"out", required_argument, NULL, OPT_OUT},
                                         {"strict", no_argument, NULL, OPT_STRICT},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"paths", required_argument, NULL, OPT_PATHS},
                                         {"models", required_argument, NULL, OPT_MODELS},
                                         {"person", required_argument, NULL, OPT_PERSON},
                                         {"deal", required_argument, NULL, OPT_DEAL},
                                         {"statements", required_argument, NULL, OPT_STATEMENTS},
                                         {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
                                         {"run", required_argument, NULL, OPT_RUN},
                                         {"payroll", required_argument, NULL, OPT_PAYROLL},
                                         {"baseline", required_argument, NULL, OPT_BASELINE},
                                         {"reopen", required_argument, NULL, OPT_REOPEN},
                                         {"reason", required_argument, NULL, OPT_REASON},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, OPT_VERSION},
                                         {NULL, 0, NULL, 0}};

enum opt_result { OPT_GO_ON, OPT_DONE, OPT_BAD };

/* Parse the options of args[1..n) up to the first non-option; *next is its index. */
static enum opt_result parse_options(int n, char **args, struct run_opts *o, bool *quiet,
                                     bool *no_progress, const char **bad, int *next)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(n, args, "+c:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->config_path = optarg;
            o->config_explicit = true;
            break;
        case OPT_AS_OF:
            o->as_of = optarg;
            break;
        case OPT_PERIOD:
            o->period = optarg;
            break;
        case OPT_SET:
            o->sets[o->n_sets++] = optarg;
            break;
        case OPT_OUT:
            o->out_dir = optarg;
            break;
        case OPT_STATEMENTS:
            o->statements_dir = optarg;
            break;
        case OPT_STRICT:
            o->strict = true;
            break;
        case OPT_PATHS:
            o->paths = optarg;
            break;
        case OPT_MODELS:
            o->models = optarg;
            break;
        case OPT_PERSON:
            o->explain_person = optarg;
            break;
        case OPT_DEAL:
            o->explain_deal = optarg;
            break;
        case OPT_RUN:
            o->run_id = optarg;
            break;
        case OPT_PAYROLL:
            o->payroll = optarg;
            break;
        case OPT_BASELINE:
            o->baseline = optarg;
            break;
        case OPT_REOPEN:
            o->reopen = optarg;
            break;
        case OPT_REASON:
            o->reason = optarg;
            break;
        case 'q':
            *quiet = true;
            break;
        case OPT_NO_PROGRESS:
            *no_progress = true;
            break;
        case 'v':
            o->verbose++;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return OPT_DONE;
        case OPT_VERSION:
            puts("sametable " SAMETABLE_VERSION);
            return OPT_DONE;
        default:
            *bad = args[optind - 1];
            return OPT_BAD;
        }
    }
    *next = optind;
    return OPT_GO_ON;
}

/* Print the diagnostics: the first errors, every summary line, a true count of the rest;
 * warnings and notes with -v. */
static void print_diagnostics(const struct diag *d, int verbose)
{
    size_t shown = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct diag_entry *e = &d->v[i];
        bool show = e->severity == DIAG_ERROR ? e->summary || shown < MAX_ERRORS_SHOWN : verbose;
        if (!show)
            continue;
        fputs("sametable: ", stderr);
        diag_print(stderr, e);
        if (e->severity == DIAG_ERROR && !e->summary)
            shown++;
    }
    if (d->n_errors > shown)
        fprintf(stderr, "sametable: … and %zu more errors (%zu in all)\n", d->n_errors - shown,
                d->n_errors);
}

int main(int argc, char **argv)
{
    /* Before anything else, so a signal at any moment exits 128 + signal and cleans up. */
    publish_install_signals();
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.config_path = "sametable.ini";
    o.out = stdout;
    o.log = stderr;
    const char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    o.sets = sets;
    bool quiet = false, no_progress = false;
    const char *bad = NULL;
    int rc = RUN_OK, next = 0;

    /* Options may stand before and after the command: `sametable -v run -c x.ini`. The
     * command's own argv slice starts at the command, which getopt then skips like argv[0]. */
    const char *cmd = NULL;
    enum opt_result pr = parse_options(argc, argv, &o, &quiet, &no_progress, &bad, &next);
    if (pr == OPT_GO_ON && next < argc) {
        cmd = argv[next];
        int base = next;
        pr = parse_options(argc - base, argv + base, &o, &quiet, &no_progress, &bad, &next);
        /* `ledger backup FILE`: two words after the command, then options again */
        if (pr == OPT_GO_ON && strcmp(cmd, "ledger") == 0 && base + next < argc) {
            /* `ledger backup FILE`: its word and its file, then options again */
            o.ledger_sub = argv[base + next];
            bool file = base + next + 1 < argc && argv[base + next + 1][0] != '-';
            if (file)
                o.ledger_file = argv[base + next + 1];
            base += next + (file ? 1 : 0);
            pr = parse_options(argc - base, argv + base, &o, &quiet, &no_progress, &bad, &next);
        }
        if (pr == OPT_GO_ON && base + next < argc) {
            rc = usage_error("unexpected argument", argv[base + next]);
            goto out;
        }
    }
    if (pr == OPT_DONE)
        goto out;
    if (pr == OPT_BAD) {
        rc = usage_error("unknown option or missing value", bad);
        goto out;
    }
    if (!cmd) {
        rc = usage_error(
            "missing command: run, check, explain, attribute, close, ledger or history", NULL);
        goto out;
    }
    if (strcmp(cmd, "run") == 0) {
        o.command = RUN_RUN;
    } else if (strcmp(cmd, "check") == 0) {
        o.command = RUN_CHECK;
    } else if (strcmp(cmd, "explain") == 0) {
        o.command = RUN_EXPLAIN;
        if (!o.explain_person == !o.explain_deal) {
            rc = usage_error("explain needs exactly one of --person ID or --deal ID", NULL);
            goto out;
        }
    } else if (strcmp(cmd, "attribute") == 0) {
        o.command = RUN_ATTRIBUTE;
        if (!o.paths) {
            rc = usage_error("attribute needs --paths FILE", NULL);
            goto out;
        }
    } else if (strcmp(cmd, "close") == 0) {
        o.command = RUN_CLOSE;
    } else if (strcmp(cmd, "ledger") == 0) {
        o.command = RUN_LEDGER;
        if (!o.ledger_sub ||
            (strcmp(o.ledger_sub, "backup") != 0 && strcmp(o.ledger_sub, "export") != 0)) {
            rc = usage_error("ledger needs backup FILE or export FILE", o.ledger_sub);
            goto out;
        }
        if (!o.ledger_file) {
            rc = usage_error(strcmp(o.ledger_sub, "backup") == 0
                                 ? "ledger backup needs FILE: where the copy goes"
                                 : "ledger export needs FILE: where the CSV goes",
                             NULL);
            goto out;
        }
    } else if (strcmp(cmd, "history") == 0) {
        o.command = RUN_HISTORY;
        if (!o.explain_person) {
            rc = usage_error("history needs --person ID", NULL);
            goto out;
        }
    } else {
        rc = usage_error("unknown command", cmd);
        goto out;
    }
    if (quiet)
        o.verbose = 0;
    o.now = (int64_t)time(NULL);
    /* A person at a terminal sees long stages move; cron and -q see nothing. */
    if (!quiet && !no_progress)
        progress_start(STDERR_FILENO);

    struct diag d;
    diag_init(&d);
    if (o.command == RUN_ATTRIBUTE) {
        struct pathattr_opts po = {o.paths,   o.models,
                                   o.out_dir, o.config_explicit ? o.config_path : NULL,
                                   o.sets,    o.n_sets};
        rc = pathattr_run(&po, &d);
    } else {
        rc = run_execute(&o, &d);
    }
    progress_stop();
    print_diagnostics(&d, o.verbose);
    if (rc != RUN_OK && d.n_errors == 0)
        fprintf(stderr, "sametable: failed with exit code %d\n", rc);
    diag_release(&d);
out:
    free(sets);
    return rc;
}
