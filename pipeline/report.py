"""The release's report.html: what an analyst reads first, as plain HTML and SVG (no script, no
network), so that it opens from a downloaded release and prints as it shows.

Every chart has its legend and the numbers on it; the partner most articles are about (India in
the seed articles) is shown apart, so that it does not drown the others; status reports from
undated articles are counted as "undated", never dropped; and the agreements are listed with their
parties, status, last report and evidence sentence.
"""

from __future__ import annotations

import html

import pandas as pd

STATUS_ORDER = ("proposed", "negotiating", "approved", "signed", "in_force")
STATUS_COLOURS = {
    "proposed": "#cbd5e0",
    "negotiating": "#90cdf4",
    "approved": "#f6ad55",
    "signed": "#48bb78",
    "in_force": "#276749",
}
_STATUS_INK = {s: "#ffffff" if s == "in_force" else "#1a202c" for s in STATUS_ORDER}
FOCUS_SHARE = 0.5  # a partner named in more than half the articles is what the corpus is about
MATRIX_SIZE = 15
AGREEMENTS_LISTED = 200
UNDATED = "undated"
_SVG = (
    'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12" width="100%" preserveAspectRatio="xMinYMin meet"'
)


def _e(value: object) -> str:
    return html.escape(str(value))


def _svg(width: float, height: float, body: str, label: str) -> str:
    size = f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}"'  # shrinks, never grows (CSS)
    return f'<svg {_SVG} {size} role="img" aria-label="{_e(label)}">{body}</svg>'


def focus_partner(tables: dict[str, pd.DataFrame]) -> tuple[str, int, int] | None:
    """(partner_id, articles naming it, articles) of the partner named in more than half the articles."""
    mentions = tables["mentions"]
    articles = tables["articles"]["article_id"].nunique()
    named = mentions[mentions["entity_type"] == "partner"].groupby("entity_id")["article_id"].nunique()
    if named.empty or not articles:
        return None
    top = named.sort_values(ascending=False, kind="stable")
    partner, n = top.index[0], int(top.iloc[0])
    return (partner, n, articles) if n > FOCUS_SHARE * articles else None


def _links(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (agreement, partner, mineral) an agreement links."""
    partners, minerals = tables["partners"], tables["minerals"]
    return (
        tables["agreement_parties"]
        .merge(tables["agreement_minerals"], on="agreement_id")
        .merge(partners[["partner_id", "name"]], on="partner_id")
        .merge(minerals[["mineral_id", "name"]].rename(columns={"name": "mineral"}), on="mineral_id")
    )


def matrix_chart(title: str, links: pd.DataFrame, note: str = "") -> str:
    """Partners (rows) × minerals (columns), the number of agreements linking them written in each cell."""
    if links.empty:
        return f"<h2>{_e(title)}</h2><p>No agreement names a mineral.</p>"
    rows = list(
        links.groupby("name")["agreement_id"].nunique().sort_values(ascending=False, kind="stable").head(MATRIX_SIZE).index
    )
    cols = list(
        links.groupby("mineral")["agreement_id"].nunique().sort_values(ascending=False, kind="stable").head(MATRIX_SIZE).index
    )
    counts = links.groupby(["name", "mineral"])["agreement_id"].nunique().to_dict()
    peak = max(counts.values(), default=1)
    cell, left, top = 44, 230, 110
    width, height = left + cell * len(cols) + 10, top + cell * len(rows) + 50
    parts = []
    for j, c in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(f'<text transform="translate({x:.0f},{top - 8}) rotate(-45)">{_e(c)}</text>')
    for i, r in enumerate(rows):
        y = top + i * cell
        parts.append(f'<text x="{left - 8}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">{_e(r)}</text>')
        for j, c in enumerate(cols):
            v = int(counts.get((r, c), 0))
            shade = 0.15 + 0.85 * v / peak if v else 0
            fill = f"rgba(43,108,176,{shade:.2f})" if v else "#f3f4f6"
            ink = "#ffffff" if shade > 0.55 else "#1a202c"
            x = left + j * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 3}" height="{cell - 3}" fill="{fill}"><title>{_e(r)} × {_e(c)}: {v}</title></rect>'
            )
            if v:
                parts.append(
                    f'<text x="{x + (cell - 3) / 2:.0f}" y="{y + cell / 2 + 3:.0f}" text-anchor="middle" fill="{ink}">{v}</text>'
                )
    legend_y = top + cell * len(rows) + 20
    parts.append(
        f'<rect x="{left}" y="{legend_y}" width="14" height="14" fill="#f3f4f6"/><text x="{left + 20}" y="{legend_y + 11}">none</text>'
        f'<rect x="{left + 70}" y="{legend_y}" width="14" height="14" fill="rgba(43,108,176,0.3)"/>'
        f'<rect x="{left + 86}" y="{legend_y}" width="14" height="14" fill="rgba(43,108,176,1)"/>'
        f'<text x="{left + 106}" y="{legend_y + 11}">more agreements (the number in a cell: agreements linking that partner and mineral)</text>'
    )
    return f"<h2>{_e(title)}</h2>{note}" + _svg(width + 400, height, "".join(parts), title)


def status_timeline(statuses: pd.DataFrame) -> str:
    """Status reports per month of the reporting article, stacked by status; undated ones in their own bar."""
    title = "Agreement status reports over time"
    data = statuses.copy()
    dates = pd.to_datetime(data["as_of_date"])
    data["month"] = dates.dt.strftime("%Y-%m").where(dates.notna(), UNDATED)
    months = sorted(m for m in data["month"].unique() if m != UNDATED) + ([UNDATED] if (data["month"] == UNDATED).any() else [])
    if not months:
        return f"<h2>{_e(title)}</h2><p>No status reports.</p>"
    totals = data.groupby("month").size()
    peak = int(totals.max())
    step = max(1, -(-peak // 5))
    ticks = list(range(0, peak + step, step))
    axis_top = ticks[-1]
    left, bottom, top, bar_w = 50, 300, 40, max(14.0, min(60.0, 900 / len(months)))
    width = left + bar_w * len(months) + 20
    plot_h = bottom - top
    parts = []
    for t in ticks:
        y = bottom - plot_h * t / axis_top
        parts.append(f'<line x1="{left}" x2="{width - 10:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t}</text>')
    parts.append(
        f'<text transform="translate(14,{(top + bottom) / 2:.0f}) rotate(-90)" text-anchor="middle">status reports</text>'
    )
    for i, month in enumerate(months):
        x, y = left + i * bar_w, float(bottom)
        for status in STATUS_ORDER:
            n = int(((data["month"] == month) & (data["status"] == status)).sum())
            if n:
                h = plot_h * n / axis_top
                y -= h
                parts.append(
                    f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 3:.1f}" height="{h:.1f}" fill="{STATUS_COLOURS[status]}">'
                    f"<title>{_e(month)} {status}: {n}</title></rect>"
                )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-weight="bold">{int(totals[month])}</text>'
        )
        label = "undated" if month == UNDATED else month
        parts.append(f'<text transform="translate({x + bar_w / 2:.0f},{bottom + 12}) rotate(45)" font-size="11">{label}</text>')
    legend_y = bottom + 70
    for k, status in enumerate(STATUS_ORDER):
        n = int((data["status"] == status).sum())
        parts.append(
            f'<rect x="{left + k * 150}" y="{legend_y}" width="14" height="14" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{left + k * 150 + 20}" y="{legend_y + 11}">{status} ({n})</text>'
        )
    undated = int((data["month"] == UNDATED).sum())
    note = (
        f"<p>One bar per month of the reporting article's date; the number on a bar is its reports. "
        f"{undated} of {len(data)} reports come from articles with no date and are counted under “undated”.</p>"
    )
    return f"<h2>{title}</h2>{note}" + _svg(max(width, left + 5 * 150), legend_y + 30, "".join(parts), title)


def bar_chart(title: str, rows: list[tuple[str, int]], unit: str) -> str:
    """Horizontal bars with their values and an axis of counts."""
    if not rows:
        return f"<h2>{_e(title)}</h2><p>None.</p>"
    left, bar_h, plot_w = 240, 24, 600
    peak = max(v for _, v in rows)
    step = max(1, -(-peak // 5))
    ticks = list(range(0, peak + step, step))
    height = 20 + bar_h * len(rows) + 50
    parts = []
    for t in ticks:
        x = left + plot_w * t / ticks[-1]
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="10" y2="{height - 30}" stroke="#e2e8f0"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle">{t}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 1}" text-anchor="middle">{_e(unit)}</text>')
    for i, (label, value) in enumerate(rows):
        y = 10 + i * bar_h
        w = plot_w * value / ticks[-1]
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" fill="#2b6cb0"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 16}">{value}</text>'
        )
    return f"<h2>{_e(title)}</h2>" + _svg(left + plot_w + 60, height, "".join(parts), title)


def agreements_table(tables: dict[str, pd.DataFrame]) -> str:
    """Every agreement (the latest reported first): parties, minerals, status, last report, evidence."""
    agreements, statuses = tables["agreements"], tables["agreement_statuses"]
    if agreements.empty:
        return "<h2>Agreements</h2><p>None.</p>"
    names = tables["partners"].set_index("partner_id")["name"]
    parties = tables["agreement_parties"].assign(name=lambda d: d["partner_id"].map(names))
    parties = parties.groupby("agreement_id")["name"].apply(lambda s: ", ".join(sorted(s))).to_dict()
    minerals = tables["agreement_minerals"].groupby("agreement_id")["mineral_id"].apply(lambda s: ", ".join(sorted(s))).to_dict()
    files = tables["articles"].set_index("article_id")["source_file"].to_dict()
    reports = statuses.assign(order=pd.to_datetime(statuses["as_of_date"])).sort_values(
        ["order", "article_id"], na_position="first"
    )
    last = reports.groupby("agreement_id").tail(1).set_index("agreement_id")
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    rows = agreements.assign(
        last_reported=agreements["agreement_id"].map(last["as_of_date"]),
        status_rank=agreements["status"].map(rank),
    ).sort_values(["last_reported", "status_rank", "name"], ascending=[False, False, True], na_position="last", kind="stable")
    body = []
    for r in rows.head(AGREEMENTS_LISTED).itertuples():
        report = last.loc[r.agreement_id] if r.agreement_id in last.index else None
        reported = "undated" if report is None or pd.isna(report["as_of_date"]) else str(report["as_of_date"])[:10]
        evidence = (
            f'<q>{_e(report["evidence"])}</q><br><small>{_e(files.get(report["article_id"], report["article_id"]))}</small>'
            if report is not None else ""
        )  # fmt: skip
        body.append(
            f"<tr><td>{_e(r.name)}</td><td>{_e(parties.get(r.agreement_id, ''))}</td><td>{_e(minerals.get(r.agreement_id, ''))}</td>"
            f'<td><span class="status" style="background:{STATUS_COLOURS[r.status]};color:{_STATUS_INK[r.status]}">{_e(r.status)}</span></td>'
            f"<td>{reported}</td><td>{evidence}</td></tr>"
        )
    more = len(rows) - AGREEMENTS_LISTED
    tail = f"<p>{more} more agreements in <code>csv/agreements.csv</code>.</p>" if more > 0 else ""
    return (
        f'<h2>Agreements ({len(rows)})</h2><table class="agreements"><thead><tr><th>agreement</th><th>parties</th>'
        "<th>minerals</th><th>status</th><th>last reported</th><th>evidence (latest report)</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{tail}"
    )


def report_html(version: str, title: str, tables: dict[str, pd.DataFrame]) -> str:
    links = _links(tables)
    partners = tables["partners"].set_index("partner_id")["name"]
    focus = focus_partner(tables)
    sections = []
    if focus is not None:
        partner, named, articles = focus
        name = partners.get(partner, partner)
        note = (
            f"<p><b>{_e(name)}</b> is named in {named} of {articles} articles: the country or body this corpus is about. "
            f"Its own agreements are shown first and it is left out of the matrix below, where it would fill every row.</p>"
        )
        own = links[links["agreement_id"].isin(links.loc[links["partner_id"] == partner, "agreement_id"])]
        sections.append(matrix_chart(f"{name}'s partners × minerals (its agreements)", own[own["partner_id"] != partner], note))
        sections.append(matrix_chart("Partners × minerals, without " + str(name), links[links["partner_id"] != partner]))
    else:
        sections.append(matrix_chart("Partners × minerals (agreements linking them)", links))
    sections.append(status_timeline(tables["agreement_statuses"]))
    mentions = tables["mentions"]
    named = mentions[mentions["entity_type"] == "partner"].groupby("entity_id")["article_id"].nunique()
    top = [(partners.get(p, p), int(n)) for p, n in named.sort_values(ascending=False, kind="stable").head(20).items()]
    sections.append(bar_chart("Partners named in the most articles", top, "articles naming the partner"))
    sections.append(agreements_table(tables))
    counts = "".join(f"<tr><td>{_e(t)}</td><td>{len(df)}</td></tr>" for t, df in tables.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)} - release {_e(version)}</title>
<style>body{{font-family:sans-serif;margin:1.5em 2.5em;color:#1a202c}} section{{margin:2.5em 0}}
h2{{font-size:1.2em}} table{{border-collapse:collapse}} td,th{{border:1px solid #e2e8f0;padding:3px 8px;text-align:left;vertical-align:top}}
table.agreements{{width:100%;font-size:.9em}} .status{{padding:1px 6px;border-radius:3px}} q{{color:#2d3748}}
svg{{max-width:100%;height:auto}}</style></head>
<body><h1>{_e(title)}</h1><p>Release <b>{_e(version)}</b>. Licence CC-BY-4.0.</p>
{"".join(f"<section>{s}</section>" for s in sections)}<section><h2>Tables</h2><table>{counts}</table></section></body></html>
"""
