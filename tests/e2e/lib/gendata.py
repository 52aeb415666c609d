"""The INI that reads sametable-gen's output (any --style), for tests and the benchmark."""

COLUMNS_AND_PLANS = """[inputs]
campaigns = campaigns.csv
touches = touches.csv
deals = deals.csv
people = people.csv
[columns.campaigns]
campaign_id = Campaign ID
name = Campaign Name
channel = Channel
owner_id = Owner ID
spend = Actual Cost
[columns.touches]
lead_id = Lead ID
touched_at = Touch Timestamp
campaign_id = Campaign ID
channel = Channel
[columns.deals]
deal_id = Opportunity ID
lead_id = Lead ID
owner_id = Opportunity Owner ID
amount = Amount
closed_at = Close Date
stage = Stage
currency = Currency
[columns.people]
person_id = Employee ID
name = Full Name
team = Team
role = Role
plan = Plan
manager_id = Manager ID
[plan.ae]
components = c
[plan.ae.c]
type = commission
rate = {ae_rate}
[plan.mgr]
components = c
[plan.mgr.c]
type = commission
rate = 2%
[plan.sdr]
components = c
[plan.sdr.c]
type = commission
rate = 1%
[plan.mkt]
components = c
[plan.mkt.c]
type = commission
rate = 0.5%
"""


def ini(run="as_of = 2026-10-31\n", extra="", ae_rate="8%"):
    """An INI for generated data: [run] lines, extra sections (e.g. [format]), the AE rate."""
    return "[run]\n" + run + extra + COLUMNS_AND_PLANS.replace("{ae_rate}", ae_rate)


# A run on `sametable-gen --splits --fx --cancellations` output (plain style) with plans that use
# every factor a payout line can have: tiers against a prorated quarterly quota (the AE who joins
# on 2026-08-17), a monthly share of a quarterly target (÷ 3), weights, deal caps, a period cap,
# full-value catch-up slices, interpolated rates (a plan version from 2026-08-16), revenue splits and overlays, SPIFs paid to the owner, over splits
# (largest remainder) and to a column's person, a pool, clawbacks, deals in EUR and GBP, and
# payees paid in EUR and GBP.
RICH = """[run]
as_of = {as_of}
period = {period}
currency = USD

[inputs]
campaigns = campaigns.csv
touches = touches.csv
deals = deals.csv
people = people.csv
splits = splits.csv
fx = fx.csv

[columns.campaigns]
campaign_id = Campaign ID
name = Campaign Name
channel = Channel
owner_id = Owner ID
team = Team
spend = Actual Cost
start_date = Start Date
end_date = End Date

[columns.touches]
lead_id = Lead ID
touched_at = Touch Timestamp
campaign_id = Campaign ID
channel = Channel
touch_type = Interaction Type

[columns.deals]
deal_id = Opportunity ID
lead_id = Lead ID
owner_id = Opportunity Owner ID
amount = Amount
closed_at = Close Date
stage = Stage
currency = Currency
created_at = Created Date
lead_created_at = Lead Created Date
cancelled_at = Cancelled Date

[columns.people]
person_id = Employee ID
name = Full Name
team = Team
role = Role
plan = Plan
manager_id = Manager ID
quota = Quota
target_incentive = Target Incentive
start_date = Start Date
end_date = End Date
currency = Currency

[columns.splits]
deal_id = Opportunity ID
person_id = Employee ID
percent = Split Percent
type = Split Type

[columns.fx]
currency = Currency
rate_to_base = Rate
effective_date = Effective Date

[plan.ae]
components = commission, big_new_logo, expansion_spif
quota_period = quarter

[plan.ae.commission]
type = commission
measure = own_revenue
tiers = 0%: 6%, 25%: 7%, 50%: 8%, 100%: 12%
cap_deal = 5000.00
clawback_days = 90

[plan.ae.big_new_logo]
type = spif
amount = 300.00
from = 2026-07-01
to = 2026-12-31
filter = "Deal Type = New Logo and amount >= 25000.00"
payee = owner

[plan.ae.expansion_spif]
type = spif
amount = 100.00
filter = Deal Type = Expansion
payee = splits
weight = 50%

[plan.mgr]
components = override
quota_period = quarter

[plan.mgr.override]
type = override
measure = team_revenue
method = full_value
tiers = 0%: 1.5%, 50%: 2%, 100%: 3%
cap_period = 25000.00
clawback_days = 90

; from 2026-08-16 the override's rate is interpolated between the tiers
[plan.mgr@2026-08-16]

[plan.mgr@2026-08-16.override]
method = interpolated

[plan.sdr]
components = sourced_spif, pool

[plan.sdr.sourced_spif]
type = spif
amount = 250.00
filter = Deal Type = New Logo
payee = column:SDR ID

[plan.sdr.pool]
type = pool
measure = company_revenue
period = month
threshold = 500000.00
share = 0.7%
division = equal

[plan.mkt]
components = company_goal, sourced_goal
quota_period = quarter

[plan.mkt.company_goal]
type = bonus
measure = company_revenue
period = month
goal = quota
weight = 60%
curve = 0%: 0%, 80%: 50%, 100%: 100%, 150%: 200%
curve_method = interpolated
cap = 200%

[plan.mkt.sourced_goal]
type = bonus
measure = sourced_revenue
model = first_touch
scope = company
period = month
goal = 250000.00
weight = 40%
curve = 0%: 0%, 50%: 25%, 100%: 100%, 120%: 150%
curve_method = step
gate = 50%
"""


def ini_rich(as_of="2026-08-31", period="2026-08"):
    """The INI for `sametable-gen --splits --fx --cancellations` output (see RICH)."""
    return RICH.format(as_of=as_of, period=period)
