//! A person's timeline on their card: attempts, points and badges in one list, newest first,
//! and their points over time as an accessible SVG chart. Made from what the card already
//! loads, so it costs no extra request.

use super::UserCard;
use crate::domain::Timestamp;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::charts::{PointsChart, balance_over_time};
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
    use crate::ui::charts::balance_over_time;

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
