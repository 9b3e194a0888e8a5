//! The dashboard section of the admin home: figures, the open certifications, 30 days of
//! activity as an accessible SVG column chart, and branches by pass rate. Fetched again every
//! 30 s while the page is visible, with the newest badges and level-ups; people without the
//! certifications module see nothing.

use super::{Dashboard, DayActivity, Recognition, load_dashboard};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::Spinner;
use leptos::prelude::*;

/// Attempts (light) and passes (dark) per day, filling the column's width: the axes' values
/// and dates in HTML (they keep their size), each day's values on hover or tap.
#[component]
fn ActivityChart(days: Vec<DayActivity>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let max = days.iter().map(|d| d.attempts).max().unwrap_or(0).max(1);
    let n = days.len().max(1) as i64;
    let (col, h) = (10i64, 100i64);
    let total: i64 = days.iter().map(|d| d.attempts).sum();
    let passes: i64 = days.iter().map(|d| d.passes).sum();
    let desc = Msg::DashboardActivityDesc.with(
        lang,
        &[
            ("attempts", &total.to_string()),
            ("passes", &passes.to_string()),
        ],
    );
    let labels: Vec<String> = days
        .iter()
        .map(|d| {
            Msg::DashboardDayValues.with(
                lang,
                &[
                    ("day", &d.day.format_date(offset)),
                    ("attempts", &d.attempts.to_string()),
                    ("passes", &d.passes.to_string()),
                ],
            )
        })
        .collect();
    let labels = StoredValue::new(labels);
    let selected = RwSignal::new(None::<usize>);
    let date = |i: usize| {
        days.get(i)
            .map(|d| d.day.format_date(offset))
            .unwrap_or_default()
    };
    let (first, middle, last) = (
        date(0),
        date(days.len() / 2),
        date(days.len().saturating_sub(1)),
    );
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i as i64 * col;
            let ah = d.attempts * h / max;
            let ph = d.passes * h / max;
            view! {
                <g class="chart-day" data-testid="activity-day"
                    on:mouseenter=move |_| selected.set(Some(i)) on:click=move |_| selected.set(Some(i))>
                    <title>{labels.with_value(|l| l[i].clone())}</title>
                    // The whole column answers the pointer, not only its bar.
                    <rect x=x y=0 width=col height=h class="chart-hit" />
                    <rect x=x + 1 y=h - ah width=col - 2 height=ah class="chart-bar" />
                    <rect x=x + 1 y=h - ph width=col - 2 height=ph class="chart-bar-strong" />
                </g>
            }
        })
        .collect_view();
    let table = days
        .into_iter()
        .map(|d| {
            view! {
                <tr><th scope="row">{d.day.format_date(offset)}</th><td>{d.attempts}</td><td>{d.passes}</td></tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart-figure">
            <figcaption class="chart-title">{t(Msg::DashboardActivity)}" · "{t(Msg::DashboardActivityUnit)}</figcaption>
            <div class="chart-area">
                <div class="chart-y" aria-hidden="true"><span>{max}</span><span>"0"</span></div>
                <div class="chart-plot">
                    <svg class="chart" role="img" aria-labelledby="activity-title activity-desc"
                        viewBox=format!("0 0 {} {h}", n * col) preserveAspectRatio="none"
                        width="100%" height="100%" data-testid="activity-chart">
                        <title id="activity-title">{t(Msg::DashboardActivity)}</title>
                        <desc id="activity-desc">{desc}</desc>
                        {bars}
                    </svg>
                </div>
            </div>
            <div class="chart-x" aria-hidden="true"><span>{first}</span><span>{middle}</span><span>{last}</span></div>
            <p class="chart-legend" aria-hidden="true">
                <span class="legend-swatch legend-light"></span>{t(Msg::DashboardAttempts)}
                " "<span class="legend-swatch legend-strong"></span>{t(Msg::DashboardPasses)}
            </p>
            <p class="chart-readout" aria-live="polite" data-testid="activity-readout">
                {move || selected.get().map(|i| labels.with_value(|l| l[i].clone())).unwrap_or_else(|| t(Msg::ChartHoverHint).to_owned())}
            </p>
        </figure>
        <div class="visually-hidden"><table>
            <caption>{t(Msg::DashboardActivity)}</caption>
            <thead><tr><th scope="col">{t(Msg::DashboardDay)}</th><th scope="col">{t(Msg::DashboardAttempts)}</th><th scope="col">{t(Msg::DashboardPasses)}</th></tr></thead>
            <tbody>{table}</tbody>
        </table></div>
    }
}

/// "How are we doing, and who needs a push": completion over everyone, then per branch the
/// overdue and the due soon, each a link into the compliance matrix filtered to them.
#[component]
fn Standing(d: Dashboard) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let r = d.overall;
    let days = super::DUE_SOON_DAYS.to_string();
    let count_link = move |count: i64, href: String, id: &'static str| {
        if count == 0 {
            view! { <span data-testid=id>"0"</span> }.into_any()
        } else {
            view! { <a href=href data-testid=id>{count}</a> }.into_any()
        }
    };
    let branch_q = |b: Option<i64>| b.map(|b| format!("branch={b}&")).unwrap_or_default();
    view! {
        <div class="figures">
            <div class="figure card figure-wide">
                <span class="figure-value" data-testid="dash-completion">{r.completion().map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</span>
                <span>{r.completion_text(lang)}</span>
                {r.pass_rate_text(lang).map(|s| view! { <span class="muted">{s}</span> })}
            </div>
            <a class="figure card" href="/admin/compliance?state=overdue">
                <span class="figure-value" data-testid="dash-overdue">{d.overdue}</span><span class="muted">{t(Msg::DashboardOverdue)}</span>
            </a>
            <a class="figure card" href=format!("/admin/compliance?due={days}")>
                <span class="figure-value" data-testid="dash-due-soon">{d.due_soon}</span><span class="muted">{Msg::DashboardDueSoonDays.with(lang, &[("n", &days)])}</span>
            </a>
            <div class="figure card">
                <span class="figure-value" data-testid="dash-in-progress">{d.in_progress}</span><span class="muted">{t(Msg::DashboardInProgress)}</span>
            </div>
        </div>
        {(!d.branches.is_empty()).then(|| view! {
            <h2>{t(Msg::DashboardWhoNeedsPush)}</h2>
            <table class="table" data-testid="dash-branches">
                <thead><tr>
                    <th scope="col">{t(Msg::BranchField)}</th>
                    <th scope="col">{t(Msg::RateCompletionHeader)}</th>
                    <th scope="col">{t(Msg::DashboardOverdueHeader)}</th>
                    <th scope="col">{Msg::DashboardDueSoonHeader.with(lang, &[("n", &super::DUE_SOON_DAYS.to_string())])}</th>
                </tr></thead>
                <tbody>
                    {d.branches.into_iter().map(|b| {
                        let q = branch_q(b.branch);
                        view! {
                            <tr data-testid="dash-branch-row">
                                <th scope="row">{b.name.clone()}</th>
                                <td>{b.rates.completion().map(|p| format!("{p}% ({} / {})", b.rates.passed, b.rates.assigned)).unwrap_or_else(|| "—".into())}</td>
                                <td>{count_link(b.overdue, format!("/admin/compliance?{q}state=overdue"), "dash-branch-overdue")}</td>
                                <td>{count_link(b.due_soon, format!("/admin/compliance?{q}due={}", super::DUE_SOON_DAYS), "dash-branch-due")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    view! {
        <Standing d=d.clone() />
        <h2>{t(Msg::DashboardOpen)}</h2>
        <p class="actions">
            <a class="btn btn-secondary" href="/admin/dashboard.csv" download="" data-testid="dash-export">{t(Msg::ExportCsv)}</a>
            <a class="btn btn-secondary" href="/admin/dashboard.xlsx" download="" data-testid="dash-export-xlsx">{t(Msg::ExportXlsx)}</a>
        </p>
        {if d.open.is_empty() {
            view! { <p class="hint" data-testid="dash-no-open">{t(Msg::DashboardNoOpen)}</p> }.into_any()
        } else {
            view! {
                <table class="table" data-testid="dash-open">
                    <thead><tr>
                        <th scope="col">{t(Msg::DashboardCertification)}</th>
                        <th scope="col">{t(Msg::DashboardAssigned)}</th>
                        <th scope="col">{t(Msg::DashboardNotPassed)}</th>
                        <th scope="col">{t(Msg::RateCompletionHeader)}</th>
                    </tr></thead>
                    <tbody>
                        {d.open.into_iter().map(|c| view! {
                            <tr data-testid="dash-open-row">
                                <th scope="row">
                                    <a href=format!("/admin/certifications/{}/results", c.id)>{c.title}</a>
                                    {c.closes_at.map(|at| view! { <br /><span class="muted">{Msg::ClosesAt.with(lang, &[("at", &at.format_date(offset))])}</span> })}
                                </th>
                                <td>{c.assigned}</td>
                                <td>{c.assigned - c.passed}</td>
                                <td>{c.completion.map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <ActivityChart days=d.activity />
        <h2>{t(Msg::DashboardRecent)}</h2>
        {if d.recent.is_empty() {
            view! { <p class="hint" data-testid="dash-no-recent">{t(Msg::DashboardNoRecent)}</p> }.into_any()
        } else {
            view! {
                <ul class="recent" data-testid="dash-recent">
                    {d.recent.into_iter().map(|r| {
                        let what = match r.what {
                            Recognition::Badge { name } => Msg::DashboardEarnedBadge.with(lang, &[("badge", &name)]),
                            Recognition::Level { number, name } => Msg::DashboardReachedLevel
                                .with(lang, &[("number", &number.to_string()), ("level", &name)]),
                        };
                        view! {
                            <li data-testid="dash-recent-item">
                                <a href=format!("/admin/users/{}", r.user_id)>{r.person}</a>" "{what}
                                " "<span class="muted">{r.at.format_datetime(offset)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn DashboardSection() -> impl IntoView {
    let t = use_t();
    let tick = RwSignal::new(0u32);
    let data = Resource::new(move || tick.get(), |_| load_dashboard());
    // Live: again every 30 s while the page is visible.
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if !document().hidden() {
                    tick.update(|n| *n += 1);
                }
            },
            std::time::Duration::from_secs(30),
        );
        match handle {
            Ok(h) => on_cleanup(move || h.clear()),
            // No window timers: the dashboard still shows, it just does not refresh itself.
            Err(e) => leptos::logging::warn!("dashboard refresh not scheduled: {e:?}"),
        }
    }
    view! {
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    // Without the certifications module the home stays a list of sections.
                    Err(AppError::Forbidden(_)) | Err(AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <crate::ui::ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! {
                        <section class="section dashboard" aria-labelledby="dash-h" data-testid="dashboard">
                            <h2 id="dash-h" class="visually-hidden">{t(Msg::DashboardTitle)}</h2>
                            <Figures d />
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
