//! Small charts shared by the admin panel and the Mini App, drawn on the server as SVG with a
//! title, a description and the numbers as a visually hidden table. Colours come from CSS
//! (`--accent`: Telegram's button colour in the Mini App, the panel's own in the admin).

use crate::domain::Timestamp;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use leptos::prelude::*;

/// The balance after each ledger entry, oldest first, worked back from today's `balance`
/// (the card holds the latest entries only, newest first).
pub fn balance_over_time(
    ledger_newest_first: &[(Timestamp, i64)],
    balance: i64,
) -> Vec<(Timestamp, i64)> {
    let mut after = balance;
    let mut points: Vec<(Timestamp, i64)> = ledger_newest_first
        .iter()
        .map(|(at, delta)| {
            let here = (*at, after);
            after -= delta;
            here
        })
        .collect();
    points.reverse();
    points
}

#[component]
pub fn PointsChart(points: Vec<(Timestamp, i64)>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let (w, h) = (480i64, 100i64);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let min = points.iter().map(|p| p.1).min().unwrap_or(0).min(0);
    let span = (max - min).max(1);
    let n = points.len().max(2) as i64 - 1;
    let line = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            format!(
                "{},{}",
                i as i64 * w / n,
                h - 5 - (v - min) * (h - 10) / span
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let last = points.last().map(|p| p.1).unwrap_or(0);
    let desc = Msg::PointsChartDesc.with(
        lang,
        &[("n", &points.len().to_string()), ("now", &last.to_string())],
    );
    let rows = points
        .into_iter()
        .map(|(at, v)| view! { <tr><th scope="row">{at.format_datetime(offset)}</th><td>{v}</td></tr> })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-labelledby="points-title points-desc" viewBox=format!("0 0 {w} {h}")
            width="100%" height=h data-testid="points-chart">
            <title id="points-title">{t(Msg::PointsChart)}</title>
            <desc id="points-desc">{desc}</desc>
            <polyline points=line class="chart-line" />
        </svg>
        // A table takes the width of its cells whatever its own: the wrapper hides it.
        <div class="visually-hidden"><table><caption>{t(Msg::PointsChart)}</caption><tbody>{rows}</tbody></table></div>
    }
}

/// One row of [`ProgressChart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub label: String,
    /// Best result, 0–100 (None: not tried yet).
    pub percent: Option<i64>,
    /// The pass mark, 0–100.
    pub threshold: i64,
    pub passed: bool,
}

/// Best result per certification as horizontal bars with the pass mark drawn on each.
#[component]
pub fn ProgressChart(rows: Vec<ProgressRow>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let row_h = 30i64;
    let (w, bar_x, bar_w) = (480i64, 0i64, 400i64);
    let height = rows.len() as i64 * row_h + 4;
    let passed = rows.iter().filter(|r| r.passed).count();
    let desc = Msg::ProgressChartDesc.with(
        lang,
        &[
            ("passed", &passed.to_string()),
            ("total", &rows.len().to_string()),
        ],
    );
    let status = move |r: &ProgressRow| match (r.passed, r.percent) {
        (true, _) => Msg::CellPassed.text(lang).to_owned(),
        (false, Some(p)) => format!("{p}%"),
        (false, None) => Msg::CellNotStarted.text(lang).to_owned(),
    };
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = i as i64 * row_h + 2;
            let p = r.percent.unwrap_or(0).clamp(0, 100);
            let mark = bar_x + r.threshold.clamp(0, 100) * bar_w / 100;
            let class = if r.passed {
                "chart-bar-strong"
            } else {
                "chart-bar"
            };
            view! {
                <text x=bar_x y=y + 10 class="chart-label">{r.label.clone()}</text>
                <rect x=bar_x y=y + 14 width=bar_w height=10 class="chart-track" />
                <rect x=bar_x y=y + 14 width=p * bar_w / 100 height=10 class=class />
                <line x1=mark x2=mark y1=y + 12 y2=y + 26 class="chart-mark" />
                <text x=bar_x + bar_w + 8 y=y + 24 class="chart-value">{status(r)}</text>
            }
        })
        .collect_view();
    let table = rows
        .iter()
        .map(|r| {
            view! {
                <tr><th scope="row">{r.label.clone()}</th><td>{status(r)}</td><td>{format!("{}%", r.threshold)}</td></tr>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" role="img" aria-labelledby="progress-title progress-desc"
            viewBox=format!("0 0 {w} {height}") width="100%" height=height data-testid="progress-chart">
            <title id="progress-title">{t(Msg::ProgressChart)}</title>
            <desc id="progress-desc">{desc}</desc>
            {bars}
        </svg>
        <div class="visually-hidden"><table>
            <caption>{t(Msg::ProgressChart)}</caption>
            <thead><tr><th scope="col">{t(Msg::DashboardCertification)}</th><th scope="col">{t(Msg::ProgressBest)}</th><th scope="col">{t(Msg::ProgressPassMark)}</th></tr></thead>
            <tbody>{table}</tbody>
        </table></div>
    }
}
