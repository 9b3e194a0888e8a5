//! The Mini App's team results for managers and admins: the latest results of their people,
//! and one person's certifications with every attempt.

use super::{team_person, team_results};
use crate::domain::UserId;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::miniapp::use_mini;
use crate::ui::{ErrorNotice, Pagination, Spinner};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn verdict(passed: Option<bool>, percent: Option<i64>) -> String {
    match (passed, percent) {
        (Some(true), Some(p)) => format!("✅ {p}%"),
        (_, Some(p)) => format!("❌ {p}%"),
        _ => "—".into(),
    }
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    let ctx = use_mini();
    let page = RwSignal::new(1i64);
    let data = Resource::new(
        move || (page.get(), ctx.version.get()),
        |(p, _)| team_results(p),
    );
    view! {
        <h1>{t(Msg::BtnTeamResults)}</h1>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(Msg::TeamNothingYet)}</p> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                            <ul class="history" data-testid="team-results">
                                {p.items.into_iter().map(|r| view! {
                                    <li>
                                        <a href=format!("/app/team/{}", r.user_id)>{format!("{} {}", r.first_name, r.last_name)}</a>
                                        " · "{r.title}" · "<strong>{verdict(r.passed, r.percent)}</strong>
                                        " "<span class="muted small">{r.finished_at.map(|f| f.format_datetime(offset))}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <Pagination page pages=Signal::derive(move || pages) />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn TeamPersonPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let ctx = use_mini();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(
        move || (id(), ctx.version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => team_person(UserId(id)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) => view! {
                        <h1 data-testid="team-person">{p.name.clone()}</h1>
                        <p class="muted">{[p.position.clone(), p.branch.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")}</p>
                        {if p.certifications.is_empty() {
                            view! { <p class="muted">{t(Msg::MiniNothingYet)}</p> }.into_any()
                        } else {
                            p.certifications.into_iter().map(|c| view! {
                                <section class="card" data-testid="team-cert">
                                    <h2>{c.title}</h2>
                                    {if c.attempts.is_empty() {
                                        view! { <p class="muted">{t(Msg::TeamNoAttempts)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="history">
                                                {c.attempts.into_iter().map(|a| view! {
                                                    <li>
                                                        {Msg::AttemptN.with(lang, &[("n", &a.number.to_string())])}
                                                        " · "{a.started_at.format_datetime(offset)}
                                                        " · "<strong>{if a.status == "in_progress" { t(Msg::InProgressShort).to_owned() } else { verdict(a.passed, a.percent) }}</strong>
                                                        {a.reset_at.map(|_| view! { " "<span class="muted">{t(Msg::ResetMark)}</span> })}
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                            }).collect_view().into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
