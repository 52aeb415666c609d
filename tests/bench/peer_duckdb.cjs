// scripts/bench-compare's DuckDB peer: linear attribution of one period's closed-won deals, per
// campaign, in cents, to CSV -- the same job as sametable's linear column (DESIGN §4):
//   journey = the lead's touches with local date(touched_at) <= close date (a date-only close is
//   the end of that day) and >= close date - lookback_days, in time order, ties by input order;
//   exact duplicate rows are dropped (kept: the first); each touch weighs 1/n; per deal, the
//   weights are summed per campaign and the deal's cents allocated by largest remainder (floor
//   every share, the leftover cents one each to the largest remainders, ties to the campaign
//   touched earlier in the journey); a deal without an eligible touch goes to (unattributed).
// Business time zone UTC, timestamps ISO with Z, amounts with two decimals (sametable-gen plain).
//
// usage: node peer_duckdb.cjs MODULE_DIR DATA_DIR FROM TO LOOKBACK OUT.csv THREADS
'use strict';
const path = require('path');
const { createRequire } = require('module');

async function main() {
  const [moduleDir, dataDir, from, to, lookback, out, threads] = process.argv.slice(2);
  const req = createRequire(path.join(path.resolve(moduleDir), 'package.json'));
  const { DuckDBInstance } = req('@duckdb/node-api');
  const q = (s) => "'" + String(s).replace(/'/g, "''") + "'";
  const lb = parseInt(lookback, 10);
  if (!(lb >= 0)) throw new Error('bad lookback');
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads || 2) });
  const con = await inst.connect();
  const touches = path.join(dataDir, 'touches.csv');
  const deals = path.join(dataDir, 'deals.csv');
  const window = lb > 0 ? `AND t.day >= d.close - ${lb}` : '';
  const sql = `
COPY (
WITH d AS (
  SELECT "Opportunity ID" AS deal, "Lead ID" AS lead, CAST("Close Date" AS DATE) AS close,
         CAST(CAST("Amount" AS DECIMAL(18,2)) * 100 AS BIGINT) AS cents
  FROM read_csv(${q(deals)}, header = true, all_varchar = true)
  WHERE lower(trim("Stage")) IN ('closed won', 'closedwon')
    AND CAST("Close Date" AS DATE) BETWEEN DATE ${q(from)} AND DATE ${q(to)}
),
t AS (
  SELECT "Lead ID" AS lead, "Touch Timestamp" AS ts, "Campaign ID" AS camp,
         CAST(substr("Touch Timestamp", 1, 10) AS DATE) AS day,
         "Channel" AS ch, "Interaction Type" AS ty, row_number() OVER () AS rn
  FROM read_csv(${q(touches)}, header = true, all_varchar = true)
  WHERE "Lead ID" IN (SELECT lead FROM d)
),
tu AS (SELECT lead, ts, camp, day, min(rn) AS rn FROM t GROUP BY lead, ts, camp, day, ch, ty),
j AS (
  SELECT d.deal, d.cents, t.camp, t.ts, t.rn
  FROM d JOIN tu AS t ON t.lead = d.lead
  WHERE t.day <= d.close ${window}
),
c AS (
  SELECT deal, any_value(cents) AS cents, camp, count(*) AS k, min((ts, rn)) AS first_key
  FROM j GROUP BY deal, camp
),
f AS (
  SELECT deal, camp, cents, k, first_key, sum(k) OVER (PARTITION BY deal) AS n FROM c
),
g AS (
  SELECT deal, camp, cents, first_key, (cents * k) // n AS fl, (cents * k) % n AS rem FROM f
),
r AS (
  SELECT camp, fl,
         cents - sum(fl) OVER (PARTITION BY deal) AS left_over,
         row_number() OVER (PARTITION BY deal ORDER BY rem DESC, first_key) AS rk
  FROM g
)
SELECT camp AS campaign_id, sum(fl + CASE WHEN rk <= left_over THEN 1 ELSE 0 END) AS linear_cents
FROM r GROUP BY camp
UNION ALL
SELECT '(unattributed)', coalesce(sum(cents), 0) FROM d WHERE deal NOT IN (SELECT deal FROM j)
ORDER BY 1
) TO ${q(out)} (HEADER, DELIMITER ',');`;
  await con.run(sql);
}

main().catch((e) => {
  process.stderr.write(`peer_duckdb: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
