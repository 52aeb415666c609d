/* main.c — the command line: parse arguments, run, print diagnostics, exit with a sysexits code. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
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
    "      --strict          fail on any rejected input row\n"
    "  -q, --quiet           print nothing but errors (the default on success)\n"
    "  -v, --verbose         print stage timings and counts on stderr\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n"
    "\n"
    "exit codes: 0 ok, 64 usage, 65 bad data, 66 input missing, 73 cannot create output,\n"
    "            74 I/O error, 75 another run holds the lock, 78 bad configuration,\n"
    "            128+N killed by signal N\n";

enum { OPT_AS_OF = 256, OPT_PERIOD, OPT_SET, OPT_OUT, OPT_STRICT, OPT_VERSION };

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "sametable: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    fputs("try 'sametable --help'\n", stderr);
    return RUN_EUSAGE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"as-of", required_argument, NULL, OPT_AS_OF},
                                             {"period", required_argument, NULL, OPT_PERIOD},
                                             {"set", required_argument, NULL, OPT_SET},
                                             {"out", required_argument, NULL, OPT_OUT},
                                             {"strict", no_argument, NULL, OPT_STRICT},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, OPT_VERSION},
                                             {NULL, 0, NULL, 0}};
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.config_path = "sametable.ini";
    o.out = stdout;
    o.log = stderr;
    const char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    o.sets = sets;
    int c, rc;
    bool quiet = false;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+c:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            break;
        case OPT_AS_OF:
            o.as_of = optarg;
            break;
        case OPT_PERIOD:
            o.period = optarg;
            break;
        case OPT_SET:
            sets[o.n_sets++] = optarg;
            break;
        case OPT_OUT:
            o.out_dir = optarg;
            break;
        case OPT_STRICT:
            o.strict = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'v':
            o.verbose++;
            break;
        case 'h':
            fputs(usage_text, stdout);
            free(sets);
            return 0;
        case OPT_VERSION:
            puts("sametable " SAMETABLE_VERSION);
            free(sets);
            return 0;
        default:
            free(sets);
            return usage_error(optopt ? "unknown or incomplete option" : "unknown option",
                               optopt ? NULL : argv[optind - 1]);
        }
    }
    /* Options may also follow the command: `sametable run -c x.ini`. */
    const char *cmd = optind < argc ? argv[optind++] : NULL;
    if (cmd) {
        optind--;
        argv[optind] = (char *)(uintptr_t) "sametable";
        char **rest = argv + optind;
        int n_rest = argc - optind;
        optind = 1;
        while ((c = getopt_long(n_rest, rest, "c:qvh", longopts, NULL)) != -1) {
            switch (c) {
            case 'c':
                o.config_path = optarg;
                break;
            case OPT_AS_OF:
                o.as_of = optarg;
                break;
            case OPT_PERIOD:
                o.period = optarg;
                break;
            case OPT_SET:
                sets[o.n_sets++] = optarg;
                break;
            case OPT_OUT:
                o.out_dir = optarg;
                break;
            case OPT_STRICT:
                o.strict = true;
                break;
            case 'q':
                quiet = true;
                break;
            case 'v':
                o.verbose++;
                break;
            case 'h':
                fputs(usage_text, stdout);
                free(sets);
                return 0;
            case OPT_VERSION:
                puts("sametable " SAMETABLE_VERSION);
                free(sets);
                return 0;
            default:
                free(sets);
                return usage_error("unknown option or missing value", rest[optind - 1]);
            }
        }
        if (optind < n_rest) {
            free(sets);
            return usage_error("unexpected argument", rest[optind]);
        }
    }
    if (!cmd) {
        free(sets);
        return usage_error("missing command (run or check)", NULL);
    }
    if (strcmp(cmd, "run") == 0)
        o.command = RUN_RUN;
    else if (strcmp(cmd, "check") == 0)
        o.command = RUN_CHECK;
    else {
        free(sets);
        return usage_error("unknown command", cmd);
    }
    if (quiet)
        o.verbose = 0;
    o.now = (int64_t)time(NULL);

    struct diag d;
    diag_init(&d);
    rc = run_execute(&o, &d);
    size_t shown = 0;
    for (size_t i = 0; i < d.n; i++) {
        const struct diag_entry *e = &d.v[i];
        if (e->severity == DIAG_ERROR && shown < MAX_ERRORS_SHOWN) {
            fputs("sametable: ", stderr);
            diag_print(stderr, e);
            shown++;
        } else if (e->severity != DIAG_ERROR && o.verbose) {
            fputs("sametable: ", stderr);
            diag_print(stderr, e);
        }
    }
    if (d.n_errors > shown)
        fprintf(stderr, "sametable: … and %zu more errors (%zu in all)\n", d.n_errors - shown,
                d.n_errors);
    if (rc != RUN_OK && d.n_errors == 0)
        fprintf(stderr, "sametable: failed with exit code %d\n", rc);
    diag_release(&d);
    free(sets);
    return rc;
}
