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

/// Points over time: a line that fills its container's width, with the axes' values and dates
/// in HTML (they keep their size whatever the width), and each point tappable for its value.
#[component]
pub fn PointsChart(points: Vec<(Timestamp, i64)>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let min = points.iter().map(|p| p.1).min().unwrap_or(0).min(0);
    let span = (max - min).max(1);
    let n = points.len().max(2) as i64 - 1;
    // Positions in percent of the plot (x from the left, y from the top).
    let at = |i: usize, v: i64| (i as i64 * 100 / n, 100 - (v - min) * 100 / span);
    let line = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let (x, y) = at(i, *v);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let last = points.last().map(|p| p.1).unwrap_or(0);
    let desc = Msg::PointsChartDesc.with(
        lang,
        &[("n", &points.len().to_string()), ("now", &last.to_string())],
    );
    let first_day = points
        .first()
        .map(|p| p.0.format_date(offset))
        .unwrap_or_default();
    let last_day = points
        .last()
        .map(|p| p.0.format_date(offset))
        .unwrap_or_default();
    let selected = RwSignal::new(None::<usize>);
    let labels: Vec<String> = points
        .iter()
        .map(|(at, v)| {
            format!(
                "{} — {}",
                at.format_datetime(offset),
                crate::i18n::points(lang, *v)
            )
        })
        .collect();
    let labels = StoredValue::new(labels);
    let dots = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let (x, y) = at(i, *v);
            view! {
                <button type="button" class="chart-dot" data-testid="chart-dot"
                    style=format!("left:{x}%;top:{y}%")
                    aria-label=labels.with_value(|l| l[i].clone())
                    aria-pressed=move || (selected.get() == Some(i)).to_string()
                    on:click=move |_| selected.set(Some(i))></button>
            }
        })
        .collect_view();
    let rows = points
        .into_iter()
        .map(|(at, v)| view! { <tr><th scope="row">{at.format_datetime(offset)}</th><td>{v}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart-figure">
            <figcaption class="chart-title">{t(Msg::PointsChart)}" · "{t(Msg::PointsUnit)}</figcaption>
            <div class="chart-area">
                <div class="chart-y" aria-hidden="true"><span>{max}</span><span>{min}</span></div>
                <div class="chart-plot">
                    <svg class="chart" role="img" aria-labelledby="points-title points-desc" viewBox="0 0 100 100"
                        preserveAspectRatio="none" width="100%" height="100%" data-testid="points-chart">
                        <title id="points-title">{t(Msg::PointsChart)}</title>
                        <desc id="points-desc">{desc}</desc>
                        <polyline points=line class="chart-line" vector-effect="non-scaling-stroke" />
                    </svg>
                    {dots}
                </div>
            </div>
            <div class="chart-x" aria-hidden="true"><span>{first_day}</span><span>{last_day}</span></div>
            <p class="chart-readout" aria-live="polite" data-testid="chart-readout">
                {move || selected.get().map(|i| labels.with_value(|l| l[i].clone())).unwrap_or_else(|| t(Msg::ChartTapHint).to_owned())}
            </p>
        </figure>
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

/// Best result per certification as horizontal bars with the pass mark drawn on each, in
/// HTML: the labels keep their size on a phone and the bars fill the width.
#[component]
pub fn ProgressChart(rows: Vec<ProgressRow>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
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
        .map(|r| {
            let p = r.percent.unwrap_or(0).clamp(0, 100);
            let mark = r.threshold.clamp(0, 100);
            view! {
                <div class="pc-row">
                    <span class="pc-label">{r.label.clone()}</span>
                    <span class="pc-value">{status(r)}</span>
                    <div class="pc-track">
                        <div class=if r.passed { "pc-bar pc-bar-strong" } else { "pc-bar" } style=format!("width:{p}%")></div>
                        <div class="pc-mark" style=format!("left:{mark}%")></div>
                    </div>
                </div>
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
        <figure class="chart-figure" data-testid="progress-chart">
            // The page heads the chart; the summary says how to read it.
            <p class="hint" data-testid="progress-desc">{desc}</p>
            <div aria-hidden="true">
                {bars}
                <div class="pc-axis"><span>"0%"</span><span>"50%"</span><span>"100%"</span></div>
            </div>
        </figure>
        <div class="visually-hidden"><table>
            <caption>{t(Msg::ProgressChart)}</caption>
            <thead><tr><th scope="col">{t(Msg::DashboardCertification)}</th><th scope="col">{t(Msg::ProgressBest)}</th><th scope="col">{t(Msg::ProgressPassMark)}</th></tr></thead>
            <tbody>{table}</tbody>
        </table></div>
    }
}
