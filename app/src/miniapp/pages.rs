//! Mini App pages: my certifications, theory pages, the test, the result, history and review.

use super::content::{BlockContent, Materials};
use super::{telegram, use_mini};
use crate::domain::progress::MyCertState;
use crate::domain::{AttemptId, BlockId, CertId};
use crate::error::AppError;
use crate::i18n::{Lang, Msg, use_lang, use_offset, use_t};
use crate::taking::{
    ReadState, ResultState, ResultView, TheoryData, attempt_result, attempt_review, finish_attempt,
    my_certifications, my_history, page_shown, start_attempt, theory,
};
use crate::ui::{ErrorNotice, Spinner, param_i64};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_navigate;

pub fn mmss(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn state_text(state: MyCertState, lang: Lang) -> String {
    let n = |v: i64| v.to_string();
    match state {
        MyCertState::New => Msg::StNew.text(lang).into(),
        MyCertState::Reading { read, of } => {
            Msg::StReading.with(lang, &[("read", &n(read)), ("of", &n(of))])
        }
        MyCertState::TheoryRead => Msg::StTheoryRead.text(lang).into(),
        MyCertState::InProgress { remaining_ms } => {
            Msg::StInProgress.with(lang, &[("time", &mmss(remaining_ms))])
        }
        MyCertState::Passed {
            best,
            attempts_left,
        } => Msg::StPassed.with(lang, &[("best", &n(best)), ("left", &n(attempts_left))]),
        MyCertState::NotPassed {
            best,
            attempts_left,
        } => Msg::StNotPassed.with(lang, &[("best", &n(best)), ("left", &n(attempts_left))]),
        MyCertState::Finished { best, passed: true } => {
            Msg::StFinishedPassed.with(lang, &[("best", &n(best))])
        }
        MyCertState::Finished {
            best,
            passed: false,
        } => Msg::StFinishedFailed.with(lang, &[("best", &n(best))]),
        MyCertState::Closed { .. } => Msg::StClosed.text(lang).into(),
    }
}

/// The Mini App's home page: greeting and "My certifications".
#[component]
pub fn MiniAppHome() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx = use_mini();
    let certs = Resource::new(move || ctx.version.get(), |_| my_certifications());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Some(user) = ctx.active_member().await else { return ().into_any() };
                let greeting = Msg::MiniGreeting.with(lang, &[("name", &user.full_name())]);
                // Employees are employees: only managers and admins are told their role.
                let role = (user.role != crate::domain::user::Role::Employee)
                    .then(|| Msg::MiniYourRole.with(lang, &[("role", user.role.label().text(lang))]));
                let list = certs.await;
                // What to do next: the most urgent certification that asks for something (the
                // list comes sorted by urgency).
                let next = list.as_ref().ok().and_then(|l| l.first()).filter(|c| c.state.urgency() <= 3).cloned();
                view! {
                    <header class="mini-header">
                        {user.photo_url.clone().map(|src| view! { <img class="avatar" src=src alt="" /> })}
                        <div>
                            <h1 data-testid="greeting">{greeting}</h1>
                            {role.map(|r| view! { <p class="muted" data-testid="role">{r}</p> })}
                        </div>
                    </header>
                    {next.map(|c| view! {
                        <section class="card next-step" data-testid="next-step" aria-labelledby="next-h">
                            <h2 id="next-h">{t(Msg::NextStep)}</h2>
                            <p><strong>{c.title.clone()}</strong></p>
                            <p class=format!("state state-{}", state_class(c.state))>{state_text(c.state, lang)}</p>
                            <a class="btn btn-primary wide" href=format!("/app/c/{}", c.id) data-testid="next-step-go">
                                {if matches!(c.state, MyCertState::InProgress { .. }) { t(Msg::ContinueTest) } else { t(Msg::OpenCert) }}
                            </a>
                        </section>
                    })}
                    <nav class="mini-links">
                        <a class="card" href="/app/achievements" data-testid="to-achievements">{t(Msg::MiniAchievements)}</a>
                        <a class="card" href="/app/rating" data-testid="to-rating">{t(Msg::MiniRating)}</a>
                        {(user.role != crate::domain::user::Role::Employee).then(|| view! {
                            <a class="card" href="/app/team" data-testid="to-team">{t(Msg::BtnTeamResults)}</a>
                        })}
                        <a class="card" href="/app/settings" data-testid="to-settings">{t(Msg::MiniNotifications)}</a>
                    </nav>
                    <h2>{t(Msg::MiniMyCertifications)}</h2>
                    {match list {
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t(Msg::MiniNothingYet)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="cert-cards" data-testid="my-certifications">
                                {list.into_iter().map(|c| view! {
                                    <li>
                                        <a class="card cert-card" href=format!("/app/c/{}", c.id)>
                                            <strong>{c.title}</strong>
                                            <span class=format!("state state-{}", state_class(c.state)) data-testid="cert-state">{state_text(c.state, lang)}</span>
                                            <super::content::RulesFacts rules=c.rules />
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                }
                .into_any()
            })}
        </Suspense>
    }
}

fn state_class(s: MyCertState) -> &'static str {
    match s {
        MyCertState::InProgress { .. } => "progress",
        MyCertState::Passed { .. } | MyCertState::Finished { passed: true, .. } => "passed",
        MyCertState::NotPassed { .. } | MyCertState::Finished { passed: false, .. } => "failed",
        _ => "new",
    }
}

/// Entering a certification always opens its first theory page.
#[component]
pub fn CertEntry() -> impl IntoView {
    let id = param_i64("id");
    move || id().map(|id| view! { <Redirect path=format!("/app/c/{id}/theory/1") /> })
}

#[component]
pub fn TheoryPage() -> impl IntoView {
    let ctx = use_mini();
    let cert = param_i64("id");
    let page = param_i64("n");
    let data = Resource::new(
        move || (cert(), ctx.version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => theory(CertId(id)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // The latest reading state from the server, and when it arrived (for the countdown).
    let read = RwSignal::new(None::<(ReadState, f64)>);
    let shown = RwSignal::new(None::<(i64, i64)>);
    Effect::new(move |_| {
        let Some(Ok(d)) = data.get() else { return };
        let n = page().unwrap_or(1).max(1) as usize;
        let Some(block) = d.blocks.get(n - 1) else {
            return;
        };
        let key = (d.cert_id.0, block.id.0);
        if shown.get_untracked() == Some(key) {
            return;
        }
        shown.set(Some(key));
        let (cert_id, block_id) = (d.cert_id, block.id);
        leptos::task::spawn_local(async move {
            if let Ok(state) = page_shown(cert_id, block_id).await {
                read.set(Some((state, now_ms())));
            }
        });
    });
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! { <TheoryView data=d page read shown /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Milliseconds of a monotonic clock (the browser's), for countdowns.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        window().performance().map(|p| p.now()).unwrap_or(0.0)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// A signal that ticks every `ms` milliseconds in the browser (for countdowns).
pub fn ticker(ms: u32) -> ReadSignal<f64> {
    let (tick, set_tick) = signal(0.0);
    #[cfg(feature = "hydrate")]
    {
        let interval = gloo_timers::callback::Interval::new(ms, move || set_tick.set(now_ms()));
        let interval = StoredValue::new_local(Some(interval));
        on_cleanup(move || {
            interval.update_value(|i| {
                if let Some(i) = i.take() {
                    i.cancel();
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, set_tick);
    tick
}

#[component]
fn TheoryView(
    data: TheoryData,
    page: impl Fn() -> Option<i64> + Copy + Send + Sync + 'static,
    read: RwSignal<Option<(ReadState, f64)>>,
    shown: RwSignal<Option<(i64, i64)>>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let total = data.blocks.len();
    let cert_id = data.cert_id;
    let blocks = StoredValue::new(data.blocks.clone());
    let initial = data.read.clone();
    let n = move || (page().unwrap_or(1).max(1) as usize).min(total.max(1));
    let state = Signal::derive(move || {
        read.get()
            .map(|(s, _)| s)
            .unwrap_or_else(|| initial.clone())
    });
    let tick = ticker(250);
    // What the current page still needs, counted down locally from the server's figure.
    let left_here = Signal::derive(move || {
        tick.track();
        let Some((s, at)) = read.get() else {
            return i64::MAX;
        };
        let i = n() - 1;
        let base = s.remaining_ms.get(i).copied().unwrap_or(0);
        (base - (now_ms() - at) as i64).max(0)
    });
    let others_unread = Signal::derive(move || {
        let s = state.get();
        let i = n() - 1;
        s.remaining_ms
            .iter()
            .enumerate()
            .any(|(j, r)| j != i && *r > 0)
    });
    // When the countdown ends, ask the server (the server decides, the client only displays).
    Effect::new(move |_| {
        let s = state.get();
        if !s.read && left_here.get() == 0 && !others_unread.get() {
            shown.set(None);
            let block = blocks.get_value().get(n() - 1).map(|b| b.id);
            if let Some(block_id) = block {
                leptos::task::spawn_local(async move {
                    if let Ok(st) = page_shown(cert_id, BlockId(block_id.0)).await {
                        read.set(Some((st, now_ms())));
                    }
                });
                shown.set(Some((cert_id.0, block_id.0)));
            }
        }
    });
    let start = Action::new(move |_: &()| start_attempt(cert_id));
    let pending = start.pending();
    let navigate = use_navigate();
    let ctx = use_mini();
    Effect::new(move |_| {
        if let Some(Ok(started)) = start.value().get() {
            ctx.started.set_value(started.screen);
            navigate(&format!("/app/c/{}/test", cert_id), Default::default());
        }
    });
    let start_error = Signal::derive(move || start.value().get().and_then(Result::err));
    let can_go = Signal::derive(move || {
        let s = state.get();
        s.in_progress || (s.read && s.refusal.is_none())
    });
    let go_label = move || {
        if state.get().in_progress {
            t(Msg::ContinueTest)
        } else {
            t(Msg::GoToTest)
        }
    };
    Effect::new(move |_| {
        let text = can_go.get().then(|| go_label().to_owned());
        telegram::main_button(
            text.as_deref(),
            Some(std::rc::Rc::new(move || {
                start.dispatch(());
            })),
        );
    });
    on_cleanup(|| telegram::main_button(None, None));
    let progress_pct = move || (n() * 100 / total.max(1)).to_string();
    let rules = StoredValue::new(data.rules.clone());
    // The first other page that still needs reading (1-based), for the disabled "Go to test".
    let unread_page = move || {
        let s = state.get();
        let i = n() - 1;
        s.remaining_ms
            .iter()
            .enumerate()
            .find(|(j, r)| *j != i && **r > 0)
            .map(|(j, _)| j + 1)
    };
    view! {
        <div class="theory">
            <p class="muted small">{data.title.clone()}</p>
            <div class="steps" aria-hidden="true"><div class="steps-fill" style:width=move || format!("{}%", progress_pct())></div></div>
            <p class="page-count" data-testid="page-count" aria-live="polite">
                {move || Msg::PageOf.with(lang, &[("n", &n().to_string()), ("total", &total.to_string())])}
            </p>
            {move || (n() == 1).then(|| view! { <super::content::RulesFacts rules=rules.get_value() /> })}
            {move || {
                // This page's minimum reading time, counting down; "Next" stays usable.
                let left = left_here.get();
                (!state.get().read && left > 0 && left < i64::MAX).then(|| view! {
                    <p class="hint" data-testid="page-wait">{Msg::PageReadWait.with(lang, &[("time", &mmss(left.min(3_600_000)))])}</p>
                })
            }}
            <Materials materials=data.materials.clone() />
            {move || blocks.get_value().get(n() - 1).cloned().map(|b| view! { <BlockContent block=b /> })}
            <nav class="theory-nav">
                {move || (n() > 1).then(|| view! {
                    <A href=format!("/app/c/{}/theory/{}", cert_id, n() - 1) attr:class="btn btn-secondary">{t(Msg::Back)}</A>
                })}
                {move || (n() < total).then(|| view! {
                    <A href=format!("/app/c/{}/theory/{}", cert_id, n() + 1) attr:class="btn btn-secondary" attr:data-testid="next-page">{t(Msg::Next)}</A>
                })}
            </nav>
            <div class="go">
                {move || {
                    // A reading state arriving while this view is being replaced (after the
                    // sign-in refetches the page) must not reach its disposed signals: a panic
                    // there would leave every button of the page dead.
                    let (Some(s), Some(go)) = (state.try_get(), can_go.try_get()) else {
                        return ().into_any();
                    };
                    let last = n() == total;
                    if go {
                        view! {
                            <button type="button" class="btn btn-primary wide" data-testid="go-to-test"
                                disabled=move || pending.try_get().unwrap_or(false)
                                on:click=move |_| { start.dispatch(()); }>{go_label()}</button>
                        }.into_any()
                    } else if let Some(msg) = s.refusal.filter(|m| *m != Msg::ErrTheoryNotRead) {
                        view! { <p class="notice" data-testid="start-refusal">{t(msg)}</p> }.into_any()
                    } else if last {
                        let wait = move || match unread_page() {
                            Some(p) => view! {
                                <A href=format!("/app/c/{}/theory/{}", cert_id, p) attr:data-testid="unread-page">
                                    {Msg::PageStillToRead.with(lang, &[("n", &p.to_string())])}
                                </A>
                            }.into_any(),
                            None => Msg::WaitToStart.with(lang, &[("time", &mmss(left_here.get().min(3_600_000)))]).into_any(),
                        };
                        view! {
                            <button type="button" class="btn btn-primary wide" data-testid="go-to-test" disabled=true>{t(Msg::GoToTest)}</button>
                            <p class="hint" data-testid="read-wait">{wait}</p>
                        }.into_any()
                    } else {
                        ().into_any()
                    }
                }}
                <ErrorNotice error=start_error />
            </div>
        </div>
    }
}

#[component]
pub fn ResultPage() -> impl IntoView {
    let ctx = use_mini();
    let attempt = param_i64("attempt");
    // Blocking: the first paint already holds the final result, never a provisional verdict.
    let result = Resource::new_blocking(
        move || (attempt(), ctx.version.get()),
        |(a, _)| async move {
            match a {
                Some(a) => attempt_result(AttemptId(a)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Spinner label=Msg::Scoring /> }>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(ResultState::Ready(r)) => view! { <ResultCard r /> }.into_any(),
                    Ok(ResultState::Finishing) => {
                        let id = AttemptId(attempt().unwrap_or_default());
                        view! { <FinishingResult attempt=id /> }.into_any()
                    }
                    Err(AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An attempt that is over but was not finished when the page was rendered: no verdict is
/// shown until the client's request has finished and scored it.
#[component]
fn FinishingResult(attempt: AttemptId) -> impl IntoView {
    let finished = LocalResource::new(move || finish_attempt(attempt));
    view! {
        <Suspense fallback=|| view! { <Spinner label=Msg::Scoring /> }>
            {move || Suspend::new(async move {
                match finished.await {
                    Ok(r) => view! { <ResultCard r /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ResultCard(r: ResultView) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let verdict = if r.passed {
        t(Msg::Passed)
    } else {
        t(Msg::NotPassed)
    };
    view! {
        <section class="result" data-testid="result">
            <p class="muted small">{r.title.clone()}</p>
            <h1 class=if r.passed { "verdict passed" } else { "verdict failed" } data-testid="verdict">{verdict}</h1>
            <p class="score" data-testid="score">{format!("{}%", r.percent)}</p>
            <p>{Msg::ScoreLine.with(lang, &[("c", &r.correct.to_string()), ("t", &r.total.to_string()), ("th", &r.threshold.to_string())])}</p>
            {r.timed_out.then(|| view! { <p class="notice" data-testid="timed-out">{t(Msg::TimedOut)}</p> })}
            {r.earned.clone().filter(|e| e.points > 0 || !e.badges.is_empty() || e.level.is_some()).map(|e| view! {
                <section class="card earned" data-testid="earned" aria-labelledby="earned-h">
                    <h2 id="earned-h">{t(Msg::EarnedTitle)}</h2>
                    <ul>
                        {(e.points > 0).then(|| view! { <li data-testid="earned-points">{Msg::EarnedPoints.with(lang, &[("n", &crate::i18n::points(lang, e.points))])}</li> })}
                        {e.badges.into_iter().map(|b| view! { <li data-testid="earned-badge">{Msg::EarnedBadge.with(lang, &[("b", &b)])}</li> }).collect_view()}
                        {e.level.map(|l| view! { <li data-testid="earned-level">{Msg::EarnedLevel.with(lang, &[("l", &l)])}</li> })}
                    </ul>
                </section>
            })}
            {r.away_limit.then(|| view! { <p class="notice" data-testid="away-limit">{t(Msg::AwayLimitReached)}</p> })}
            <dl class="result-facts">
                <dt>{t(Msg::BestResult)}</dt><dd data-testid="best">{format!("{}%", r.best_percent)}</dd>
                <dt>{t(Msg::AttemptsLeft)}</dt><dd data-testid="attempts-left">{r.attempts_left}</dd>
                <dt>{t(Msg::TimeSpent)}</dt><dd>{mmss(r.used_ms)}</dd>
                <dt>{t(Msg::FinishedAt)}</dt><dd>{r.finished_at.format_datetime(offset)}</dd>
            </dl>
            <div class="actions">
                {r.can_retry.then(|| view! {
                    <a class="btn btn-primary" href=format!("/app/c/{}/theory/1", r.cert_id) data-testid="try-again">{t(Msg::TryAgain)}</a>
                })}
                {r.review_allowed.then(|| view! {
                    <a class="btn btn-secondary" href=format!("/app/c/{}/review/{}", r.cert_id, r.attempt_id)>{t(Msg::Review)}</a>
                })}
                <a class="btn btn-secondary" href=format!("/app/c/{}/history", r.cert_id)>{t(Msg::History)}</a>
                <a class="btn btn-ghost" href="/app">{t(Msg::MiniMyCertifications)}</a>
            </div>
        </section>
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let ctx = use_mini();
    let cert = param_i64("id");
    let list = Resource::new(
        move || (cert(), ctx.version.get()),
        |(c, _)| async move {
            match c {
                Some(c) => my_history(CertId(c)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <h1>{t(Msg::History)}</h1>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t(Msg::MiniNothingYet)}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="history" data-testid="history">
                            {items.into_iter().map(|a| {
                                let when = a.started_at.format_datetime(offset);
                                let result = match (a.status.as_str(), a.percent) {
                                    ("in_progress", _) => t(Msg::InProgressShort).to_owned(),
                                    (_, Some(p)) => format!("{p}%"),
                                    _ => "—".into(),
                                };
                                let verdict = match a.passed {
                                    Some(true) => Some(("passed", t(Msg::VerdictPassedShort))),
                                    Some(false) => Some(("failed", t(Msg::VerdictFailedShort))),
                                    None => None,
                                };
                                let cert_id = cert().unwrap_or_default();
                                let href = if a.status == "in_progress" {
                                    format!("/app/c/{cert_id}/test")
                                } else {
                                    format!("/app/c/{cert_id}/result/{}", a.id)
                                };
                                view! {
                                    <li>
                                        <a class="card history-row" href=href data-testid="history-row">
                                            <strong>{Msg::AttemptN.with(lang, &[("n", &a.number.to_string())])}</strong>
                                            <span>{when}</span>
                                            <span>{mmss(a.used_ms)}</span>
                                            <span class="score-small">{result}</span>
                                            {verdict.map(|(class, text)| view! { <span class=format!("state state-{class}") data-testid="history-verdict">{text}</span> })}
                                            {a.reset_at.map(|_| view! { <span class="badge">{t(Msg::ResetMark)}</span> })}
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let t = use_t();
    let ctx = use_mini();
    let attempt = param_i64("attempt");
    let items = Resource::new(
        move || (attempt(), ctx.version.get()),
        |(a, _)| async move {
            match a {
                Some(a) => attempt_review(AttemptId(a)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <h1>{t(Msg::Review)}</h1>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match items.await {
                    Err(AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(items) => {
                        let partial = items.iter().any(|it| it.right.is_none());
                        let cards = items.into_iter().enumerate().map(|(i, it)| {
                            let text_of = |id: &u32| it.question.options.iter().find(|o| o.id == *id).map(|o| o.text.clone()).unwrap_or_default();
                            let given = it.answer.as_ref().map(|a| a.iter().map(text_of).collect::<Vec<_>>().join("; "));
                            let right = it.right.as_ref().map(|r| r.iter().map(text_of).collect::<Vec<_>>().join("; "));
                            let explanation = it.explanation.clone().filter(|e| !crate::richtext::is_blank(e));
                            let verdict = if it.is_right { t(Msg::AnswerRight) } else { t(Msg::AnswerWrong) };
                            view! {
                                <section class=if it.is_right { "card review right" } else { "card review wrong" } data-testid="review-item">
                                    <p class="muted small">{format!("{}. ", i + 1)}<span data-testid="review-verdict">{verdict}</span></p>
                                    <div class="rich" inner_html=it.question.text.clone()></div>
                                    <p><span class="muted">{t(Msg::YourAnswer)}": "</span>{given.unwrap_or_else(|| t(Msg::NoAnswer).to_owned())}</p>
                                    {right.map(|right| view! { <p data-testid="right-answer"><span class="muted">{t(Msg::RightAnswer)}": "</span>{right}</p> })}
                                    {explanation.map(|e| view! { <div class="rich explanation" inner_html=e></div> })}
                                </section>
                            }
                        }).collect_view();
                        view! {
                            {partial.then(|| view! { <p class="notice" data-testid="review-partial">{t(Msg::ReviewPartial)}</p> })}
                            {cards}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
