//! Mini App pages: my achievements, the rating, someone's public achievements.

use super::{Achievements, my_achievements, rating, user_achievements};
use crate::domain::UserId;
use crate::domain::gamification::Period;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::miniapp::use_mini;
use crate::ui::charts::{PointsChart, ProgressChart, ProgressRow};
use crate::ui::{ErrorNotice, Select, SelectOption, Spinner};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AchievementsPage() -> impl IntoView {
    let ctx = use_mini();
    let data = Resource::new(move || ctx.version.get(), |_| my_achievements());
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match data.await {
                    Ok(a) => view! { <AchievementsView a mine=true /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn UserAchievementsPage() -> impl IntoView {
    let ctx = use_mini();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(
        move || (id(), ctx.version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => user_achievements(UserId(id)).await,
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
                    Ok(a) => view! { <AchievementsView a mine=false /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AchievementsView(a: Achievements, mine: bool) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let (earned, locked): (Vec<_>, Vec<_>) =
        a.badges.into_iter().partition(|b| b.earned_at.is_some());
    view! {
        <section class="achievements" data-testid="achievements">
            <header class="mini-header">
                {a.photo_url.clone().map(|src| view! { <img class="avatar" src=src alt="" /> })}
                <div>
                    <h1>{if mine { t(Msg::MiniAchievements).to_owned() } else { a.name.clone() }}</h1>
                    <p class="muted">{a.role.label().text(lang)}</p>
                </div>
            </header>
            {if a.earns {
                view! {
                    <div class="card points-card">
                        <p class="points" data-testid="points">{crate::i18n::points(lang, a.balance)}</p>
                        <p data-testid="level">{a.level.as_ref().map(|l| Msg::LevelLine.with(lang, &[("n", &l.number.to_string()), ("name", &l.name)]))}</p>
                        <div class="steps" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=a.progress.to_string()
                            aria-label=t(Msg::ToNextLevel)>
                            <div class="steps-fill" style:width=format!("{}%", a.progress)></div>
                        </div>
                        <p class="hint">{match &a.next {
                            Some(n) => Msg::NextLevelIn.with(lang, &[("name", &n.name), ("points", &crate::i18n::points(lang, n.min_points - a.balance))]),
                            None => t(Msg::TopLevel).to_owned(),
                        }}</p>
                    </div>
                }.into_any()
            } else {
                view! { <p class="notice" data-testid="no-rewards">{t(Msg::NoRewardsForRole)}</p> }.into_any()
            }}
            {(mine && a.history.len() > 1).then(|| view! {
                <div class="card"><PointsChart points=a.history.clone() /></div>
            })}
            {(mine && !a.certifications.is_empty()).then(|| {
                let rows = a.certifications.iter().map(|c| ProgressRow {
                    label: c.title.clone(),
                    percent: c.best_percent,
                    threshold: c.pass_threshold,
                    passed: c.passed,
                }).collect::<Vec<_>>();
                view! {
                    <h2>{t(Msg::ProgressChart)}</h2>
                    <div class="card"><ProgressChart rows /></div>
                }
            })}
            <h2>{t(Msg::Badges)}</h2>
            {earned.is_empty().then(|| view! { <p class="muted">{t(Msg::NoBadgesYet)}</p> })}
            <ul class="badges" data-testid="badges-earned">
                {earned.into_iter().map(|b| view! {
                    <li class="badge-card earned">
                        {b.badge.icon_url.clone().map(|src| view! { <img src=src alt="" /> })}
                        <strong>{b.badge.name.clone()}</strong>
                        <span class="muted small">{b.badge.description.clone()}</span>
                        <span class="small">{b.earned_at.map(|t| t.format_date(offset))}</span>
                    </li>
                }).collect_view()}
            </ul>
            {(!locked.is_empty()).then(|| view! {
                <h3>{t(Msg::LockedBadges)}</h3>
                <ul class="badges" data-testid="badges-locked">
                    {locked.into_iter().map(|b| {
                        let how = match b.badge.rule.as_deref().and_then(|r| r.parse::<crate::domain::gamification::BadgeRule>().ok()) {
                            Some(rule) => rule.label().text(lang).replace('N', &b.badge.rule_n.unwrap_or(1).to_string()),
                            None => t(Msg::ManualBadgeHow).to_owned(),
                        };
                        view! {
                            <li class="badge-card locked">
                                <strong>{b.badge.name.clone()}</strong>
                                <span class="muted small">{b.badge.description.clone()}</span>
                                {(how != b.badge.description).then(|| view! { <span class="small">{how}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
pub fn RatingPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx = use_mini();
    let period = RwSignal::new("all".to_string());
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let data = Resource::new(
        move || {
            (
                period.get(),
                branch.get(),
                position.get(),
                page.get(),
                ctx.version.get(),
            )
        },
        |(p, b, pos, page, _)| {
            let period = match p.as_str() {
                "week" => Period::Week,
                "month" => Period::Month,
                _ => Period::All,
            };
            rating(period, b.parse().ok(), pos.parse().ok(), page)
        },
    );
    let periods = Signal::derive(move || {
        [
            ("week", Msg::ThisWeek),
            ("month", Msg::ThisMonth),
            ("all", Msg::AllTime),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    view! {
        <h1>{t(Msg::MiniRating)}</h1>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(r) => {
                        let to_opts = |v: Vec<(i64, String)>| v.into_iter().map(|(id, name)| SelectOption { value: id.to_string(), label: name }).collect::<Vec<_>>();
                        let branches = to_opts(r.branches.clone());
                        let positions = to_opts(r.positions.clone());
                        let pages = r.page.pages();
                        let me = r.me.clone();
                        let my_id = me.as_ref().map(|m| m.user_id);
                        view! {
                            <div class="filters">
                                <Select name="period" label=Msg::Period options=periods value=period on_change=Callback::new(move |v| { period.set(v); page.set(1); }) />
                                <Select name="rating_branch" label=Msg::BranchField options=Signal::derive(move || branches.clone()) value=branch
                                    all=Msg::AllBranches on_change=Callback::new(move |v| { branch.set(v); page.set(1); }) />
                                <Select name="rating_position" label=Msg::PositionField options=Signal::derive(move || positions.clone()) value=position
                                    all=Msg::AllPositions on_change=Callback::new(move |v| { position.set(v); page.set(1); }) />
                            </div>
                            {me.map(|m| view! {
                                <p class="card my-place" data-testid="my-place">{Msg::MyPlace.with(lang, &[("n", &m.place.to_string()), ("points", &crate::i18n::points(lang, m.points))])}</p>
                            })}
                            <ol class="rating" data-testid="rating">
                                {r.page.items.into_iter().map(|row| view! {
                                    <li class:me=Some(row.user_id) == my_id>
                                        <span class="place">{row.place}</span>
                                        <a href=format!("/app/u/{}", row.user_id)>{format!("{} {}", row.first_name, row.last_name).trim().to_owned()}</a>
                                        <span class="score-small">{row.points}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                            <crate::ui::Pagination page pages=Signal::derive(move || pages) />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
