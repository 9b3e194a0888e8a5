//! The test screen. The server holds the attempt: order, answers, position and time. The
//! client shows them, counts down from the server's figure, sends heartbeats, and saves every
//! answer before showing it as saved (retrying visibly when the network fails).

use super::content::QuestionCard;
use super::pages::{mmss, now_ms, ticker};
use super::{telegram, use_mini};
use crate::domain::attempt::HEARTBEAT_MS;
use crate::domain::{AttemptId, CertId};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::taking::{
    AttemptScreen, TestEntry, current_attempt, finish_attempt, heartbeat, save_answer,
    show_question,
};
use crate::ui::param_i64;
use crate::ui::{Dialog, ErrorNotice, Spinner};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeMap;

#[component]
pub fn TestPage() -> impl IntoView {
    let ctx = use_mini();
    let cert = param_i64("id");
    // The screen of an attempt just started comes with the start (`fresh`: nothing to resume);
    // otherwise the server says where the attempt stands.
    let entry = Resource::new(
        move || (cert(), ctx.version.get()),
        move |(id, _)| {
            let started = ctx
                .started
                .try_update_value(Option::take)
                .flatten()
                .filter(|s| Some(s.cert_id.0) == id);
            async move {
                match (started, id) {
                    (Some(screen), _) => Ok((TestEntry::Attempt(screen), true)),
                    (None, Some(id)) => current_attempt(CertId(id)).await.map(|e| (e, false)),
                    (None, None) => Err(AppError::NotFound),
                }
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                let id = cert().unwrap_or_default();
                match entry.await {
                    Ok((TestEntry::Attempt(screen), fresh)) => view! { <AttemptView screen fresh /> }.into_any(),
                    Ok((TestEntry::Finished(a), _)) => view! { <Redirect path=format!("/app/c/{id}/result/{a}") /> }.into_any(),
                    Ok((TestEntry::None, _)) => view! { <Redirect path=format!("/app/c/{id}/theory/1") /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveState {
    Saving,
    Saved,
    /// The save failed and is being retried.
    Retrying,
    /// The server refused the answer (it will not be retried).
    Refused,
}

/// `fresh`: the screen of an attempt that the start has just made, whose clock runs and which
/// has nothing to resume.
#[component]
fn AttemptView(screen: AttemptScreen, fresh: bool) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let attempt: AttemptId = screen.attempt_id;
    let cert_id = screen.cert_id;
    let total = screen.questions.len();
    // In pause mode the questions not shown yet come without their text: moving to one asks
    // the server for it (which records when it was first shown).
    let questions = RwSignal::new(screen.questions.clone());
    let answers = RwSignal::new(screen.answers.clone());
    let saves = RwSignal::new(BTreeMap::<usize, SaveState>::new());
    let index = RwSignal::new((screen.current_index.max(0) as usize).min(total.saturating_sub(1)));
    // The server's remaining time and the local instant it arrived. The countdown shown is
    // derived from it and frozen while the page is hidden: the server's clock is the only clock,
    // and only the server ends an attempt on time.
    let clock = RwSignal::new((screen.remaining_ms, now_ms()));
    let frozen = RwSignal::new(None::<i64>);
    let finishing = RwSignal::new(false);
    let finish_error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let tick = ticker(200);
    let remaining = Signal::derive(move || {
        tick.track();
        if let Some(ms) = frozen.get() {
            return ms;
        }
        let (base, at) = clock.get();
        (base - (now_ms() - at) as i64).max(0)
    });
    let navigate = use_navigate();
    let go_result = {
        let navigate = navigate.clone();
        move |a: AttemptId| {
            done.set(true);
            navigate(&format!("/app/c/{cert_id}/result/{a}"), Default::default());
        }
    };

    // Finishing (the user's "Finish") waits for answers still being saved, then asks the server
    // for the result.
    let finish = {
        let go_result = go_result.clone();
        move || {
            if finishing.get_untracked() {
                return;
            }
            finishing.set(true);
            let go_result = go_result.clone();
            leptos::task::spawn_local(async move {
                for _ in 0..100 {
                    let busy = saves
                        .get_untracked()
                        .values()
                        .any(|s| matches!(s, SaveState::Saving | SaveState::Retrying));
                    if !busy {
                        break;
                    }
                    sleep(100).await;
                }
                let mut delay = 500;
                loop {
                    match finish_attempt(attempt).await {
                        Ok(r) => return go_result(r.attempt_id),
                        Err(AppError::Transport(_) | AppError::Busy { .. }) => {
                            // Offline or overloaded: keep trying; the server finishes by itself at the deadline anyway.
                            sleep(delay).await;
                            delay = (delay * 2).min(8_000);
                        }
                        Err(e) => {
                            finish_error.set(Some(e));
                            finishing.set(false);
                            return;
                        }
                    }
                }
            });
        }
    };

    // Back on the test screen (shown again, reopened, or just hydrated after a read-only server
    // render): the server resumes the clock and says where the attempt stands.
    let resume = {
        let go_result = go_result.clone();
        move || {
            if done.try_get_untracked().unwrap_or(true) {
                return;
            }
            let go_result = go_result.clone();
            leptos::task::spawn_local(async move {
                let entry = current_attempt(cert_id).await;
                // Finished meanwhile from this page (its own result is on its way), or the page
                // is gone: touching its disposed signals would panic.
                if done.try_get_untracked().unwrap_or(true) {
                    return;
                }
                match entry {
                    Ok(TestEntry::Attempt(s)) if s.attempt_id == attempt => {
                        clock.set((s.remaining_ms, now_ms()));
                        frozen.set(None);
                        questions.update(|qs| {
                            for (slot, q) in qs.iter_mut().zip(s.questions) {
                                if slot.is_none() {
                                    *slot = q;
                                }
                            }
                        });
                    }
                    // This attempt is over (finished elsewhere, or by the server): its result.
                    Ok(_) => go_result(attempt),
                    Err(e) => leptos::logging::warn!("could not resume the attempt: {e}"),
                }
            });
        }
    };

    // When the countdown shown reaches zero the client only asks; the server finishes the
    // attempt (after the grace for late answers) and says so, or gives the time that is left.
    let asking_end = RwSignal::new(false);
    Effect::new({
        let go_result = go_result.clone();
        move |_| {
            if remaining.get() > 0
                || frozen.get().is_some()
                || done.get_untracked()
                || asking_end.get_untracked()
            {
                return;
            }
            asking_end.set(true);
            let go_result = go_result.clone();
            leptos::task::spawn_local(async move {
                while !done.get_untracked() && frozen.get_untracked().is_none() {
                    if let Ok(ack) = heartbeat(attempt, index.get_untracked() as i64).await {
                        if let Some(a) = ack.finished {
                            go_result(a);
                            break;
                        }
                        if ack.remaining_ms > 0 {
                            clock.set((ack.remaining_ms, now_ms()));
                            break;
                        }
                    }
                    sleep(1_000).await;
                }
                asking_end.set(false);
            });
        }
    });

    // Heartbeats while the screen is visible; a leave beacon when it is hidden or closed.
    #[cfg(feature = "hydrate")]
    {
        let go_result = go_result.clone();
        let beat = gloo_timers::callback::Interval::new(HEARTBEAT_MS as u32, move || {
            if done.get_untracked()
                || frozen.get_untracked().is_some()
                || document().visibility_state() != web_sys::VisibilityState::Visible
            {
                return;
            }
            let go_result = go_result.clone();
            leptos::task::spawn_local(async move {
                match heartbeat(attempt, index.get_untracked() as i64).await {
                    Ok(ack) => {
                        clock.set((ack.remaining_ms, now_ms()));
                        if let Some(a) = ack.finished {
                            go_result(a);
                        }
                    }
                    Err(e) => leptos::logging::warn!("heartbeat failed: {e}"),
                }
            });
        });
        let beat = StoredValue::new_local(Some(beat));
        let away = move || {
            if done.get_untracked() || frozen.get_untracked().is_some() {
                return;
            }
            frozen.set(Some(remaining.get_untracked()));
            leave_beacon(attempt);
        };
        let presence = super::visibility::on_presence_change(
            {
                let resume = resume.clone();
                move || resume()
            },
            away,
        );
        let presence = StoredValue::new_local(Some(presence));
        // The server rendered this screen without touching the attempt: resume it now (a
        // screen the start has just returned has nothing to resume).
        if !fresh {
            resume();
        }
        on_cleanup(move || {
            beat.update_value(|b| {
                if let Some(b) = b.take() {
                    b.cancel();
                }
            });
            presence.update_value(|p| drop(p.take()));
            if !done.get_untracked() {
                // Back to the theory: in pause mode the clock stops now.
                leave_beacon(attempt);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (HEARTBEAT_MS, resume, fresh);

    // Set when moving to a question finds the attempt over (kept `Copy` for the buttons).
    let ended = RwSignal::new(None::<AttemptId>);
    Effect::new({
        let go_result = go_result.clone();
        move |_| {
            if let Some(a) = ended.get() {
                go_result(a);
            }
        }
    });
    let answer = move |i: usize, value: Vec<u32>| {
        telegram::haptic_selection();
        answers.update(|a| {
            if let Some(slot) = a.get_mut(i) {
                *slot = Some(value.clone());
            }
        });
        saves.update(|s| {
            s.insert(i, SaveState::Saving);
        });
        let go_result = go_result.clone();
        leptos::task::spawn_local(async move {
            let mut delay = 400;
            for attempt_no in 0..8 {
                // A newer answer to the same question supersedes this one.
                if answers.get_untracked().get(i).cloned().flatten().as_ref() != Some(&value) {
                    return;
                }
                match save_answer(attempt, i as i64, value.clone()).await {
                    Ok(ack) => {
                        clock.set((ack.remaining_ms, now_ms()));
                        saves.update(|s| {
                            s.insert(i, SaveState::Saved);
                        });
                        return;
                    }
                    Err(AppError::Transport(_) | AppError::Busy { .. }) if attempt_no < 7 => {
                        saves.update(|s| {
                            s.insert(i, SaveState::Retrying);
                        });
                        sleep(delay).await;
                        delay = (delay * 2).min(5_000);
                    }
                    Err(AppError::Refused { .. }) => {
                        // The time is over: the attempt is finished on the server.
                        saves.update(|s| {
                            s.insert(i, SaveState::Refused);
                        });
                        if let Ok(r) = finish_attempt(attempt).await {
                            go_result(r.attempt_id);
                        }
                        return;
                    }
                    Err(_) => {
                        saves.update(|s| {
                            s.insert(i, SaveState::Refused);
                        });
                        return;
                    }
                }
            }
        });
    };

    let go_to = {
        move |i: usize| {
            if i >= total {
                return;
            }
            index.set(i);
            let known = questions.with_untracked(|qs| qs.get(i).is_some_and(Option::is_some));
            leptos::task::spawn_local(async move {
                if known {
                    if let Ok(ack) = heartbeat(attempt, i as i64).await {
                        clock.set((ack.remaining_ms, now_ms()));
                    }
                    return;
                }
                let mut delay = 400;
                for _ in 0..8 {
                    match show_question(attempt, i as i64).await {
                        Ok(shown) => {
                            if done.try_get_untracked().unwrap_or(true) {
                                return;
                            }
                            clock.set((shown.ack.remaining_ms, now_ms()));
                            if let Some(a) = shown.ack.finished {
                                ended.set(Some(a));
                                return;
                            }
                            questions.update(|qs| {
                                if let Some(slot) = qs.get_mut(i) {
                                    *slot = shown.question;
                                }
                            });
                            return;
                        }
                        Err(AppError::Transport(_) | AppError::Busy { .. }) => {
                            sleep(delay).await;
                            delay = (delay * 2).min(5_000);
                        }
                        Err(e) => {
                            leptos::logging::warn!("could not show the question: {e}");
                            return;
                        }
                    }
                }
            });
        }
    };
    // Only the question on screen: revealing another one does not redraw it.
    let current_question =
        Memo::new(move |_| questions.with(|qs| qs.get(index.get()).cloned().flatten()));
    let first_unanswered = move || answers.get().iter().position(Option::is_none);
    let unanswered = move || answers.get().iter().filter(|a| a.is_none()).count();

    // Finishing is never one tap: "Finish" (the button, or Telegram's MainButton on the last
    // question) opens the summary, and only its "Finish and submit" submits. The time runs on
    // meanwhile.
    let summary = RwSignal::new(false);
    let submit = RwSignal::new(false);
    Effect::new({
        let finish = finish.clone();
        move |_| {
            if submit.get() {
                submit.set(false);
                summary.set(false);
                finish();
            }
        }
    });
    Effect::new(move |_| {
        let i = index.get();
        let open = summary.get();
        let label = if open {
            t(Msg::FinishAndSubmit)
        } else if i + 1 < total {
            t(Msg::Next)
        } else {
            t(Msg::FinishTest)
        };
        telegram::main_button(
            Some(label),
            Some(std::rc::Rc::new(move || {
                if summary.get_untracked() {
                    submit.set(true);
                } else if index.get_untracked() + 1 < total {
                    go_to(index.get_untracked() + 1);
                } else {
                    summary.set(true);
                }
            })),
        );
    });
    on_cleanup(|| telegram::main_button(None, None));
    let answered = move || total - unanswered();
    view! {
        <div class="test" data-testid="test">
            <header class="test-head">
                <span data-testid="question-count" aria-live="polite">{move || Msg::QuestionNofM.with(lang, &[("n", &(index.get() + 1).to_string()), ("m", &total.to_string())])}</span>
                <span class="timer" class:timer-low=move || remaining.get() < 60_000 role="timer" aria-live="off" data-testid="timer">{move || mmss(remaining.get())}</span>
            </header>
            {screen.away_limit_ms.map(|ms| view! {
                <p class="hint" data-testid="away-limit-hint">{Msg::AwayLimitHint.with(lang, &[("m", &crate::i18n::minutes(lang, (ms + 59_999) / 60_000))])}</p>
            })}
            <nav class="dots" aria-label=t(Msg::Questions)>
                {(0..total).map(|i| view! {
                    <button
                        type="button"
                        class="dot"
                        class:current=move || index.get() == i
                        class:answered=move || answers.get().get(i).is_some_and(Option::is_some)
                        aria-label=move || Msg::DotLabel.with(lang, &[
                            ("n", &(i + 1).to_string()),
                            ("state", if answers.get().get(i).is_some_and(Option::is_some) { t(Msg::Answered) } else { t(Msg::NotAnswered) }),
                        ])
                        aria-current=move || (index.get() == i).then_some("step")
                        on:click=move |_| go_to(i)
                    >{i + 1}</button>
                }).collect_view()}
            </nav>
            {move || {
                let i = index.get();
                let Some(q) = current_question.get() else {
                    return view! { <Spinner /> }.into_any();
                };
                {
                    let answer = answer.clone();
                    view! {
                        <QuestionCard
                            question=q
                            answer=Signal::derive(move || answers.get().get(i).cloned().flatten())
                            disabled=Signal::derive(move || finishing.get())
                            on_answer=Callback::new(move |v| answer(i, v))
                        />
                    }
                }
                .into_any()
            }}
            <p class="save-state" aria-live="polite" data-testid="save-state">
                {move || match saves.get().get(&index.get()) {
                    Some(SaveState::Saving) => t(Msg::Saving),
                    Some(SaveState::Saved) => t(Msg::AnswerSaved),
                    Some(SaveState::Retrying) => t(Msg::SaveRetrying),
                    Some(SaveState::Refused) => t(Msg::SaveRefused),
                    None => "",
                }}
            </p>
            <nav class="test-nav">
                <button type="button" class="btn btn-secondary" disabled=move || index.get() == 0
                    on:click=move |_| go_to(index.get_untracked().saturating_sub(1))>{t(Msg::Back)}</button>
                <Show when=move || { index.get() + 1 < total }>
                    <button type="button" class="btn btn-secondary" data-testid="next-question"
                        on:click=move |_| go_to(index.get_untracked() + 1)>{t(Msg::Next)}</button>
                </Show>
                <Show when=move || first_unanswered().is_some_and(|u| u != index.get())>
                    <button type="button" class="btn btn-ghost" data-testid="to-unanswered"
                        on:click=move |_| if let Some(u) = first_unanswered() { go_to(u) }>{t(Msg::ToUnanswered)}</button>
                </Show>
            </nav>
            <div class="finish">
                <p class="hint">{move || (unanswered() > 0).then(|| Msg::UnansweredLeft.with(lang, &[("n", &unanswered().to_string())]))}</p>
                <button type="button" class="btn btn-primary wide" data-testid="finish"
                    disabled=move || finishing.get()
                    on:click=move |_| summary.set(true)>
                    {move || if finishing.get() { t(Msg::Scoring) } else { t(Msg::FinishTest) }}
                </button>
                <ErrorNotice error=Signal::derive(move || finish_error.get()) />
            </div>
            <Dialog open=summary title=Msg::SummaryTitle test_id="summary">
                <p data-testid="summary-answered">{move || Msg::SummaryAnswered.with(lang, &[("a", &answered().to_string()), ("m", &total.to_string())])}</p>
                {move || (unanswered() > 0).then(|| view! {
                    <p class="notice" data-testid="summary-unanswered">{Msg::SummaryUnanswered.with(lang, &[("n", &unanswered().to_string())])}</p>
                    <ul class="summary-unanswered">
                        {answers.get().iter().enumerate().filter(|(_, a)| a.is_none()).map(|(i, _)| view! {
                            <li>
                                <button type="button" class="btn btn-ghost" data-testid="summary-go"
                                    on:click=move |_| { summary.set(false); go_to(i); }>
                                    {Msg::QuestionN.with(lang, &[("n", &(i + 1).to_string())])}
                                </button>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <p data-testid="summary-time">{move || Msg::SummaryTimeLeft.with(lang, &[("t", &mmss(remaining.get()))])}</p>
                <div class="dialog-actions">
                    <button type="button" class="btn btn-primary" data-testid="finish-submit"
                        disabled=move || finishing.get()
                        on:click=move |_| submit.set(true)>{t(Msg::FinishAndSubmit)}</button>
                    <button type="button" class="btn btn-secondary" data-testid="summary-back"
                        on:click=move |_| summary.set(false)>{t(Msg::BackToTest)}</button>
                </div>
            </Dialog>
        </div>
    }
}

/// Tells the server the test screen is gone, in a way that survives the page closing: a beacon
/// (form-encoded, so it passes as the server function's own request), else a plain request.
#[cfg(feature = "hydrate")]
fn leave_beacon(attempt: AttemptId) {
    {
        let sent = web_sys::UrlSearchParams::new()
            .ok()
            .and_then(|params| {
                params.append("attempt_id", &attempt.0.to_string());
                window()
                    .navigator()
                    .send_beacon_with_opt_url_search_params(
                        "/api/app/attempts/leave",
                        Some(&params),
                    )
                    .ok()
            })
            .unwrap_or(false);
        if !sent {
            leptos::task::spawn_local(async move {
                if let Err(e) = crate::taking::leave_test(attempt).await {
                    leptos::logging::warn!("could not pause the attempt: {e}");
                }
            });
        }
    }
}

async fn sleep(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}
