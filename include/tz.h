/* tz.h — IANA time zones read from the system's TZif files, never from the process's TZ.
 *
 * A struct tz is loaded once per zone name and is immutable afterwards; tz_free releases it.
 * Rules for local times that do not exist or exist twice (DST changes):
 *   - a local time inside a gap (spring forward) is read with the offset in force before the
 *     gap, so 02:30 in a one-hour gap becomes 03:30 after the change;
 *   - a local time in a fold (fall back) is the earlier of its two instants.
 */
#ifndef SAMETABLE_TZ_H
#define SAMETABLE_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* Directory holding the TZif files; default "/usr/share/zoneinfo". For tests. */
void tz_set_dir(const char *dir);

/* Load zone `name` ("UTC", "Europe/Berlin", "America/Los_Angeles"). "UTC" and "Etc/UTC" work even
 * without tzdata. Names with "..", a leading '/', or characters outside [A-Za-z0-9/_+-] are
 * refused. Returns 0 and *out (owned by the caller, free with tz_free), or -1 with a message such
 * as "unknown time zone 'Europe/Berlinn'" in err. */
int tz_load(const char *name, struct tz **out, char *err, size_t errlen);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* UTC offset in seconds (east positive) in force at UTC instant t. */
int32_t tz_offset_at(const struct tz *z, int64_t t);

/* The UTC instant of local civil time (day number, seconds after midnight), per the rules above. */
int64_t tz_local_to_utc(const struct tz *z, int32_t day, int32_t sec);

/* The local calendar day (day number) of UTC instant t. */
int32_t tz_local_day(const struct tz *z, int64_t t);

/* The tzdata release ("2025b") from tzdata.zi or +VERSION in the zone directory, or "unknown".
 * Returns a pointer to static storage. */
const char *tz_data_version(void);

#endif
