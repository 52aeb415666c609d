/* tz.h — IANA time zones read from the system's TZif files, never from the process's TZ.
 *
 * A struct tz is loaded once per zone name and is immutable afterwards; tz_free releases it.
 * Rules for local times that do not exist or exist twice (DST changes):
 *   - a local time inside a gap (spring forward) is read with the offset in force before the
 *     gap, so 02:30 in a one-hour gap becomes 03:30 after the change;
 *   - a local time in a fold (fall back) is the earlier of its two instants.
 * Before a file's first transition its first time type applies (RFC 8536); after the last one the
 * footer's POSIX TZ rule does (v2+ files; "slim" files rely on it), or the last type for v1 files.
 * A footer with a DST name but no rule uses the US rules M3.2.0,M11.1.0, as tzcode does. Zones
 * with leap-second tables ("right/...") are refused. Module state (the directory, the cached
 * version) is process-wide and not thread-safe.
 */
#ifndef SAMETABLE_TZ_H
#define SAMETABLE_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* Directory holding the TZif files; default "/usr/share/zoneinfo". For tests. The string is
 * copied; NULL restores the default; the cached tz_data_version is forgotten. */
void tz_set_dir(const char *dir);

/* Load zone `name` ("UTC", "Europe/Berlin", "America/Los_Angeles"). "UTC" and "Etc/UTC" work even
 * without tzdata. Names with "..", a leading '/', or characters outside [A-Za-z0-9/_+-] are
 * refused. Returns 0 and *out (owned by the caller, free with tz_free), or -1 with a message such
 * as "unknown time zone 'Europe/Berlinn'" in err. Refused names, missing files, directories and
 * files that are not TZif all read "unknown time zone 'X'"; a damaged TZif file or footer reads
 * "bad time zone file for 'X'"; a leap-second zone "unsupported time zone 'X' (leap seconds)".
 * Unprintable bytes of the name are shown as '?'. err may be NULL when errlen is 0. */
int tz_load(const char *name, struct tz **out, char *err, size_t errlen);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* UTC offset in seconds (east positive) in force at UTC instant t. */
int32_t tz_offset_at(const struct tz *z, int64_t t);

/* The UTC instant of local civil time (day number, seconds after midnight), per the rules above. */
int64_t tz_local_to_utc(const struct tz *z, int32_t day, int32_t sec);

/* The local calendar day (day number) of UTC instant t, floored (clamped like date_day_of_ts). */
int32_t tz_local_day(const struct tz *z, int64_t t);

/* The tzdata release ("2025b") from the first line of tzdata.zi ("# version 2025b") or of +VERSION
 * in the zone directory, or "unknown". Returns a pointer to static storage, cached until
 * tz_set_dir. */
const char *tz_data_version(void);

#endif
