//! A person's timeline on their card: attempts, points and badges in one list, newest first,
//! and their points over time as an accessible SVG chart. Made from what the card already
//! loads, so it costs no extra request.

use super::UserCard;
use crate::domain::Timestamp;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use leptos::prelude::*;

/// One thing that happened to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Attempt {
        at: Timestamp,
        title: String,
        percent: Option<i64>,
        passed: bool,
        reset: bool,
    },
    Points {
        at: Timestamp,
        delta: i64,
        reason: String,
    },
    Badge {
        at: Timestamp,
        name: String,
    },
}

impl Event {
    pub fn at(&self) -> Timestamp {
        match self {
            Event::Attempt { at, .. } | Event::Points { at, .. } | Event::Badge { at, .. } => *at,
        }
    }
}

/// Finished attempts, ledger entries and badges earned, newest first.
pub fn events(card: &UserCard) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for p in &card.progress {
        for a in &p.attempts {
            if let Some(at) = a.finished_at {
                out.push(Event::Attempt {
                    at,
                    title: p.title.clone(),
                    percent: a.percent,
                    passed: a.passed == Some(true),
                    reset: a.reset_at.is_some(),
                });
            }
        }
    }
    out.extend(card.ledger.iter().map(|l| Event::Points {
        at: l.created_at,
        delta: l.delta,
        reason: l.reason.clone(),
    }));
    out.extend(card.badges.iter().filter_map(|b| {
        b.earned_at.map(|at| Event::Badge {
            at,
            name: b.badge.name.clone(),
        })
    }));
    out.sort_by_key(|e| std::cmp::Reverse(e.at()));
    out
}

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
fn PointsChart(points: Vec<(Timestamp, i64)>) -> impl IntoView {
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
        <table class="visually-hidden"><caption>{t(Msg::PointsChart)}</caption><tbody>{rows}</tbody></table>
    }
}

#[component]
pub fn Timeline(card: UserCard) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let events = events(&card);
    let ledger: Vec<(Timestamp, i64)> = card
        .ledger
        .iter()
        .map(|l| (l.created_at, l.delta))
        .collect();
    let points = balance_over_time(&ledger, card.balance);
    let items = events
        .into_iter()
        .take(50)
        .map(|e| {
            let (kind, text) = match &e {
                Event::Attempt {
                    title,
                    percent,
                    passed,
                    reset,
                    ..
                } => {
                    let verdict = if *passed {
                        Msg::CellPassed
                    } else {
                        Msg::CellFailed
                    };
                    let mut s =
                        format!("{title}: {} {}%", verdict.text(lang), percent.unwrap_or(0));
                    if *reset {
                        s.push_str(&format!(" ({})", Msg::TimelineReset.text(lang)));
                    }
                    ("attempt", s)
                }
                Event::Points { delta, reason, .. } => (
                    "points",
                    format!("{}{delta} · {reason}", if *delta > 0 { "+" } else { "" }),
                ),
                Event::Badge { name, .. } => {
                    ("badge", Msg::TimelineBadge.with(lang, &[("name", name)]))
                }
            };
            view! {
                <li data-kind=kind data-testid="timeline-item">
                    <time>{e.at().format_datetime(offset)}</time>" — "{text}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card section" aria-labelledby="timeline-h" data-testid="timeline">
            <h2 id="timeline-h">{t(Msg::Timeline)}</h2>
            {(points.len() > 1).then(|| view! { <PointsChart points /> })}
            <ol class="timeline">{items}</ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_balance_is_worked_back_from_today() {
        // Newest first: +5 (now 15), -2, +12.
        let ledger = [(Timestamp(3), 5), (Timestamp(2), -2), (Timestamp(1), 12)];
        assert_eq!(
            balance_over_time(&ledger, 15),
            vec![(Timestamp(1), 12), (Timestamp(2), 10), (Timestamp(3), 15)]
        );
        assert!(balance_over_time(&[], 7).is_empty());
    }
}
