//! The dashboard section of the admin home: figures, the open certifications, 30 days of
//! activity as an accessible SVG column chart, and branches by pass rate. Fetched again every
//! 30 s while the page is visible, with the newest badges and level-ups; people without the
//! certifications module see nothing.

use super::{ACTIVITY_DAYS, Dashboard, DayActivity, Recognition, load_dashboard};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::Spinner;
use leptos::prelude::*;

/// Attempts (light) and passes (dark) per day.
#[component]
fn ActivityChart(days: Vec<DayActivity>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let max = days.iter().map(|d| d.attempts).max().unwrap_or(0).max(1);
    let (w, h, col) = (480i64, 120i64, 480 / ACTIVITY_DAYS.max(1));
    let total: i64 = days.iter().map(|d| d.attempts).sum();
    let passes: i64 = days.iter().map(|d| d.passes).sum();
    let desc = Msg::DashboardActivityDesc.with(
        lang,
        &[
            ("attempts", &total.to_string()),
            ("passes", &passes.to_string()),
        ],
    );
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = i as i64 * col;
            let ah = d.attempts * (h - 10) / max;
            let ph = d.passes * (h - 10) / max;
            view! {
                <rect x=x + 1 y=h - ah width=col - 2 height=ah class="chart-bar" />
                <rect x=x + 1 y=h - ph width=col - 2 height=ph class="chart-bar-strong" />
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
        <svg class="chart" role="img" aria-labelledby="activity-title activity-desc"
            viewBox=format!("0 0 {w} {h}") width="100%" height=h data-testid="activity-chart">
            <title id="activity-title">{t(Msg::DashboardActivity)}</title>
            <desc id="activity-desc">{desc}</desc>
            {bars}
        </svg>
        <div class="visually-hidden"><table>
            <caption>{t(Msg::DashboardActivity)}</caption>
            <thead><tr><th scope="col">{t(Msg::DashboardDay)}</th><th scope="col">{t(Msg::DashboardAttempts)}</th><th scope="col">{t(Msg::DashboardPasses)}</th></tr></thead>
            <tbody>{table}</tbody>
        </table></div>
    }
}

#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let figure = |label: Msg, value: i64, id: &'static str| {
        view! { <div class="figure card"><span class="figure-value" data-testid=id>{value}</span><span class="muted">{t(label)}</span></div> }
    };
    let branches = |title: Msg, list: Vec<super::BranchRate>, id: &'static str| {
        (!list.is_empty()).then(|| view! {
            <div>
                <h3>{t(title)}</h3>
                <ol data-testid=id>
                    {list.into_iter().map(|b| view! { <li>{b.name}" — "{b.rate}"%"</li> }).collect_view()}
                </ol>
            </div>
        })
    };
    view! {
        <div class="figures">
            {figure(Msg::DashboardInProgress, d.in_progress, "dash-in-progress")}
            {figure(Msg::DashboardDueSoon, d.due_soon, "dash-due-soon")}
            {figure(Msg::DashboardOverdue, d.overdue, "dash-overdue")}
        </div>
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
                        <th scope="col">{t(Msg::DashboardPassRate)}</th>
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
                                <td>{c.pass_rate.map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>{t(Msg::DashboardActivity)}</h2>
        <ActivityChart days=d.activity />
        <div class="figures">
            {branches(Msg::DashboardTopBranches, d.top_branches, "dash-top")}
            {branches(Msg::DashboardBottomBranches, d.bottom_branches, "dash-bottom")}
        </div>
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
