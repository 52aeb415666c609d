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
lead_id = Contact ID
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
