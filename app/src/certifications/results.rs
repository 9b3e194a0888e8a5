//! Results of a certification: who is assigned, who read the theory, attempts, best results,
//! the pass rate, and the reset of a person's progress.

use crate::domain::{CertId, UserId};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::taking::{certification_results, grant_attempt, reset_progress};
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, ConfirmButton, ConfirmIds, Dialog, ErrorNotice,
    Spinner, ToastKind, use_toasts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResultsPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(CertId)
    };
    let reload = RwSignal::new(0u32);
    let flagged = RwSignal::new(false);
    let data = Resource::new(
        move || (id(), reload.get(), flagged.get()),
        |(id, _, flagged_only)| async move {
            match id {
                Some(id) => certification_results(id, Some(flagged_only)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // The person, their name, and whether a full review could show them the right answers.
    let reset_for = RwSignal::new(None::<(UserId, String, bool)>);
    let reset_open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reread = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let toasts = use_toasts();
    let do_reset = move |_| {
        let (Some(cert), Some((user, _, _))) = (id(), reset_for.get_untracked()) else {
            return;
        };
        let (r, rr) = (reason.get_untracked(), reread.get_untracked());
        leptos::task::spawn_local(async move {
            match reset_progress(cert, user, r, rr).await {
                Ok(()) => {
                    toasts.show(ToastKind::Success, Msg::ResetDone.text(lang));
                    reset_open.set(false);
                    reason.set(String::new());
                    error.set(None);
                    reload.update(|x| *x += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <p>{move || id().map(|id| view! { <a href=format!("/admin/certifications/{id}")>{t(Msg::BackToEditor)}</a> })}</p>
        <Checkbox name="flagged_only" label=Msg::FlaggedOnly checked=flagged />
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! {
                        <h1>{t(Msg::Results)}": "{d.title.clone()}</h1>
                        <p class="hint" data-testid="pass-rate">
                            {match d.pass_rate {
                                Some(r) => Msg::PassRate.with(lang, &[("r", &r.to_string())]),
                                None if d.rows.is_empty() => t(Msg::NobodyAssigned).to_owned(),
                                None => t(Msg::NoResultsYet).to_owned(),
                            }}
                        </p>
                        <table class="table" data-testid="results-table">
                            <thead><tr>
                                <th scope="col">{t(Msg::Person)}</th>
                                <th scope="col">{t(Msg::TheoryRead)}</th>
                                <th scope="col">{t(Msg::AttemptsUsed)}</th>
                                <th scope="col">{t(Msg::BestResult)}</th>
                                <th scope="col">{t(Msg::PassedAt)}</th>
                                <th scope="col">{t(Msg::Integrity)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {d.rows.into_iter().map(|r| {
                                    let name = format!("{} {}", r.first_name, r.last_name).trim().to_owned();
                                    let user = r.user_id;
                                    let n2 = name.clone();
                                    let standing = crate::domain::attempt::Standing {
                                        attempts_used: r.attempts_used.unwrap_or(0),
                                        best_percent: r.best_percent,
                                        in_progress: r.in_progress > 0,
                                    };
                                    let reviewed = crate::domain::attempt::full_review_open(
                                        d.review_allowed,
                                        d.open,
                                        d.max_attempts,
                                        standing,
                                    );
                                    let may_grant = crate::domain::attempt::may_grant_attempt(d.open, standing).is_ok();
                                    let cert = id().unwrap_or(CertId(0));
                                    let grant_question = Msg::GrantAttemptWho.with(lang, &[("name", &name)]);
                                    view! {
                                        <tr>
                                            <td>{name}{(r.resets.unwrap_or(0) > 0).then(|| view! { <span class="badge">{Msg::ResetsN.with(lang, &[("n", &r.resets.unwrap_or(0).to_string())])}</span> })}</td>
                                            <td>{if r.read_version.is_some() { t(Msg::Yes) } else { t(Msg::No) }}</td>
                                            <td>{format!("{} / {}", r.attempts_used.unwrap_or(0), d.max_attempts)}{(r.in_progress > 0).then(|| format!(" · {}", t(Msg::InProgressShort)))}</td>
                                            <td>{r.best_percent.map(|b| format!("{b}%")).unwrap_or_else(|| "—".into())}</td>
                                            <td>{r.passed_at.map(|p| p.format_date(offset)).unwrap_or_else(|| "—".into())}</td>
                                            <td>{r.last_attempt_id.map(|a| view! {
                                                <a href=format!("/admin/attempts/{a}") data-testid="attempt-record">
                                                    {if r.flagged > 0 { Msg::FlaggedN.with(lang, &[("n", &r.flagged.to_string())]) } else { t(Msg::AttemptRecordLink).to_owned() }}
                                                </a>
                                            })}</td>
                                            <td class="row-actions">
                                                {may_grant.then(|| view! {
                                                    <ConfirmButton label=Msg::GrantAttempt kind=ButtonKind::Secondary
                                                        ids=ConfirmIds { open: "grant", dialog: "grant-dialog", submit: "grant-submit" }
                                                        question=grant_question.clone()
                                                        action=move || grant_attempt(cert, user)
                                                        done=move |_| { toasts.show(ToastKind::Success, Msg::GrantAttemptDone.text(lang)); reload.update(|x| *x += 1) } />
                                                })}
                                                " "
                                                <Button kind=ButtonKind::Secondary on_click=move |_| { reset_for.set(Some((user, n2.clone(), reviewed))); reset_open.set(true); }>
                                                    {t(Msg::ResetProgress)}
                                                </Button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        // Outside the Transition: its own resource (a resource made inside another Suspense's
        // async block breaks hydration).
        <crate::analytics::page::CertStatsSection id=Signal::derive(id) />
        <Dialog open=reset_open title=Msg::ResetProgress test_id="reset-dialog">
            <p>{move || reset_for.get().map(|(_, n, _)| Msg::ResetWho.with(lang, &[("name", &n)]))}</p>
            {move || reset_for.get().filter(|r| r.2).map(|_| view! {
                <p class="notice" data-testid="reset-reviewed">{t(Msg::ResetAfterFullReview)}</p>
            })}
            <BoundText name="reason" label=Msg::Reason value=reason maxlength=500 error=Signal::derive(move || error.get()) />
            <Checkbox name="reset_reread" label=Msg::RequireReread checked=reread />
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| e.field("reason").is_none())) />
            <Button kind=ButtonKind::Danger on_click=do_reset test_id="reset-submit">{t(Msg::ResetProgress)}</Button>
        </Dialog>
    }
}
