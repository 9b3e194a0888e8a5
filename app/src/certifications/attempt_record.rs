//! An attempt's integrity record for admins: what happened, in order, and what stands out.

use crate::domain::AttemptId;
use crate::domain::integrity::{Flag, TimelineEntry, TimelineWhat};
use crate::error::AppError;
use crate::i18n::{Lang, Msg, use_lang, use_offset, use_t};
use crate::taking::attempt_integrity;
use crate::ui::{ErrorNotice, Spinner};
use leptos::prelude::*;

fn flag_msg(f: Flag) -> Msg {
    match f {
        Flag::LeftOften => Msg::FlagLeftOften,
        Flag::AwayLong => Msg::FlagAwayLong,
        Flag::AnsweredAfterReturn => Msg::FlagAnsweredAfterReturn,
        Flag::RevealedAllFast => Msg::FlagRevealedAllFast,
        Flag::TwoDevices => Msg::FlagTwoDevices,
    }
}

/// "1:02:03" or "2:03".
fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn what(lang: Lang, e: &TimelineEntry) -> String {
    let n = e.question.unwrap_or(0).to_string();
    let q = [("n", n.as_str())];
    match e.what {
        TimelineWhat::Started => Msg::EvStarted.text(lang).to_owned(),
        TimelineWhat::Shown => Msg::EvShown.with(lang, &q),
        TimelineWhat::Answered => Msg::EvAnswered.with(lang, &q),
        TimelineWhat::Changed => Msg::EvChanged.with(lang, &q),
        TimelineWhat::Left => Msg::EvLeft.text(lang).to_owned(),
        TimelineWhat::Returned => {
            Msg::EvReturned.with(lang, &[("t", &duration(e.away_ms.unwrap_or(0)))])
        }
        TimelineWhat::Finished => Msg::EvFinished.text(lang).to_owned(),
    }
}

#[component]
pub fn AttemptRecordPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let attempt = crate::ui::param_i64("id");
    let id = move || attempt().map(AttemptId);
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => attempt_integrity(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(r) => {
                        let i = r.integrity.clone();
                        view! {
                            <p>
                                <a href=format!("/admin/certifications/{}/results", r.certification_id)>{r.title.clone()}</a>
                                " · "
                                <a href=format!("/admin/users/{}", r.user_id)>{r.name.clone()}</a>
                            </p>
                            <h1>{Msg::AttemptRecordTitle.with(lang, &[("n", &r.attempt.number.to_string()), ("name", &r.name)])}</h1>
                            <ul class="facts" data-testid="integrity-summary">
                                <li data-testid="leaves">{Msg::LeftTimes.with(lang, &[("n", &i.leaves.to_string())])}</li>
                                <li data-testid="away-total">{Msg::AwayInTotal.with(lang, &[("t", &duration(i.away_ms))])}</li>
                                <li>{Msg::DevicesCount.with(lang, &[("n", &i.devices.to_string())])}</li>
                                <li>{r.attempt.percent.map(|p| format!("{p}%")).unwrap_or_else(|| t(Msg::InProgressShort).to_owned())}</li>
                            </ul>
                            {if i.flags.is_empty() {
                                view! { <p class="hint" data-testid="no-flags">{t(Msg::NoFlags)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="flags" data-testid="flags">
                                        {i.flags.iter().map(|f| view! { <li class="badge badge-warn" data-flag=f.as_str()>"⚑ "{t(flag_msg(*f))}</li> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>{t(Msg::Timeline)}</h2>
                            <ol class="timeline" data-testid="timeline">
                                {i.timeline.iter().map(|e| view! {
                                    <li data-what=format!("{:?}", e.what).to_lowercase()>
                                        <time>{e.at.format_datetime(offset)}</time>
                                        " "
                                        <span>{what(lang, e)}</span>
                                        {e.device.map(|d| view! { <span class="hint">" · "{Msg::DeviceN.with(lang, &[("n", &d.to_string())])}</span> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                            <h2>{t(Msg::AttemptsOfPerson)}</h2>
                            <ul data-testid="attempts">
                                {r.attempts.iter().map(|a| {
                                    let flagged = !a.flags.0.is_empty();
                                    view! {
                                        <li>
                                            <a href=format!("/admin/attempts/{}", a.id) aria-current=(a.id == r.attempt.id).then_some("page")>
                                                {format!("№{} · {}", a.number, a.started_at.format_datetime(offset))}
                                            </a>
                                            {a.percent.map(|p| format!(" · {p}%"))}
                                            {flagged.then_some(" ⚑")}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
