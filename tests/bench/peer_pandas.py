"""scripts/bench-compare's pandas + XlsxWriter peer: linear attribution of one period's closed-won
deals (the same semantics as peer_duckdb.cjs and DESIGN §4: lookback window by calendar date,
touches up to the end of the closing day, exact duplicate rows dropped, 1/n per touch, per-deal
largest-remainder allocation of cents over campaigns with ties to the campaign touched first), then
a workbook with a Summary sheet (per campaign) and a Detail sheet (deal x campaign credits, at most
100,000 rows), and the per-campaign cents to CSV for the equality check.

usage: /usr/bin/python3 peer_pandas.py DATA_DIR FROM TO LOOKBACK OUT.xlsx OUT.csv
"""
import sys

import numpy as np
import pandas as pd

DETAIL_ROWS = 100_000


def cents_of(s):
    """'48000.00' -> 4800000 (the generator's plain amounts: optional '-', digits, '.', 2 digits)."""
    parts = s.str.split(".", n=1, expand=True)
    whole = parts[0].astype("int64")
    frac = parts[1].fillna("0").str.ljust(2, "0").str[:2].astype("int64")
    return np.where(whole < 0, whole * 100 - frac, whole * 100 + frac)


def main():
    data, p_from, p_to, lookback, out_xlsx, out_csv = sys.argv[1:7]
    lookback = int(lookback)
    d = pd.read_csv(f"{data}/deals.csv", dtype=str, keep_default_na=False,
                    usecols=["Opportunity ID", "Lead ID", "Stage", "Amount", "Close Date",
                             "Opportunity Name"])
    d = d[d["Stage"].str.strip().str.lower().isin(["closed won", "closedwon"])]
    d = d[(d["Close Date"] >= p_from) & (d["Close Date"] <= p_to)].copy()
    d["close"] = pd.to_datetime(d["Close Date"], format="%Y-%m-%d")
    d["cents"] = cents_of(d["Amount"])
    d = d.rename(columns={"Opportunity ID": "deal", "Lead ID": "lead"})

    t = pd.read_csv(f"{data}/touches.csv", dtype=str, keep_default_na=False,
                    usecols=["Lead ID", "Touch Timestamp", "Campaign ID", "Channel",
                             "Interaction Type"])
    t["rn"] = np.arange(len(t), dtype=np.int64)
    t = t[t["Lead ID"].isin(d["lead"])]
    t = t.drop_duplicates(subset=["Lead ID", "Touch Timestamp", "Campaign ID", "Channel",
                                  "Interaction Type"], keep="first")
    t = t.rename(columns={"Lead ID": "lead", "Touch Timestamp": "ts", "Campaign ID": "camp"})
    t["day"] = pd.to_datetime(t["ts"].str[:10], format="%Y-%m-%d")

    j = d[["deal", "lead", "close", "cents"]].merge(t[["lead", "ts", "camp", "day", "rn"]],
                                                    on="lead")
    keep = j["day"] <= j["close"]
    if lookback > 0:
        keep &= j["day"] >= j["close"] - pd.Timedelta(days=lookback)
    j = j[keep].sort_values(["deal", "ts", "rn"], kind="stable")
    j["pos"] = j.groupby("deal").cumcount()

    c = j.groupby(["deal", "camp"], sort=False).agg(cents=("cents", "first"),
                                                     k=("pos", "size"),
                                                     first=("pos", "min")).reset_index()
    c["n"] = c.groupby("deal")["k"].transform("sum")
    prod = c["cents"] * c["k"]
    c["fl"] = prod // c["n"]
    c["rem"] = prod % c["n"]
    c["left"] = c["cents"] - c.groupby("deal")["fl"].transform("sum")
    c = c.sort_values(["deal", "rem", "first"], ascending=[True, False, True], kind="stable")
    c["rk"] = c.groupby("deal").cumcount() + 1
    c["credit"] = c["fl"] + (c["rk"] <= c["left"]).astype("int64")

    per = c.groupby("camp")["credit"].sum()
    unattributed = int(d.loc[~d["deal"].isin(c["deal"]), "cents"].sum())
    res = pd.concat([per, pd.Series({"(unattributed)": unattributed})]).sort_index()
    res.rename_axis("campaign_id").rename("linear_cents").to_csv(out_csv, header=True)

    camps = pd.read_csv(f"{data}/campaigns.csv", dtype=str, keep_default_na=False,
                        usecols=["Campaign ID", "Campaign Name", "Channel"])
    summary = camps.rename(columns={"Campaign ID": "camp"}).merge(
        c.groupby("camp").agg(deals=("deal", "nunique"), credit=("credit", "sum")).reset_index(),
        on="camp", how="inner")
    summary["credit"] = summary["credit"] / 100.0
    detail = c.sort_values(["deal", "first"]).head(DETAIL_ROWS).merge(
        d[["deal", "Opportunity Name", "Close Date", "cents"]], on="deal", how="left")
    detail = detail[["deal", "Opportunity Name", "Close Date", "camp", "credit"]].copy()
    detail["credit"] = detail["credit"] / 100.0
    with pd.ExcelWriter(out_xlsx, engine="xlsxwriter") as xw:
        summary.to_excel(xw, sheet_name="Summary", index=False)
        detail.to_excel(xw, sheet_name="Detail", index=False)


if __name__ == "__main__":
    main()
