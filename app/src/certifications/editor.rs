//! The certification editor: settings, theory, questions, assignment and lifecycle.

use super::editor_ctx::{EditorCtx, EditorResources};
use super::theory_editor::TheoryEditor;
use super::{
    AddAssignment, AssignKind, CertEditorData, ChangeStatus, CreateQuestionIn, RemoveAssignment,
    ReopenCertification, SetQuestions, UpdateSettings, assign_targets, certification_editor,
    pickable_questions,
};
use crate::domain::certification::{CertSettings, CertStatus, LifecycleAction, TimerMode};
use crate::domain::question::{QuestionContent, QuestionKind};
use crate::domain::{CertId, QuestionId, Timestamp};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::questions::page::QuestionForm;
use crate::richtext::plain_text;
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, ConfirmButton, ConfirmIds, Dialog, ErrorNotice,
    NumberField, RichText, Select, SelectOption, Spinner,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertEditorPage() -> impl IntoView {
    let t = use_t();
    let picker_open = RwSignal::new(false);
    let picker_search = RwSignal::new(String::new());
    let announce = RwSignal::new(String::new());
    provide_context(EditorResources {
        announce,
        refocus: RwSignal::new(None),
        targets: Resource::new(|| (), |_| assign_targets()),
        picker_open,
        picker_search,
        picker_found: Resource::new(
            move || (picker_open.get(), picker_search.get()),
            |(open, search)| async move {
                if !open {
                    return Ok(None);
                }
                pickable_questions(Some(search).filter(|s| !s.trim().is_empty()), 1)
                    .await
                    .map(Some)
            },
        ),
    });
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(CertId)
    };
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => certification_editor(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <p><a href="/admin/certifications">{t(Msg::BackToCertifications)}</a></p>
        <div class="visually-hidden" aria-live="assertive" data-testid="reorder-announcement">{move || announce.get()}</div>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! { <Editor data=d reload /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Editor(data: CertEditorData, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx = EditorCtx {
        id: data.cert.id,
        reload,
        status: data.cert.status,
    };
    let status = data.cert.status;
    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="cert-title">{data.cert.settings.title.clone()}</h1>
                <span class=format!("badge badge-{}", status.as_str()) data-testid="cert-status">{status.label().text(lang)}</span>
                {match status {
                    CertStatus::Open => Some(view! { <p class="hint" data-testid="status-note">{t(Msg::LockedNote)}</p> }),
                    CertStatus::Closed => Some(view! { <p class="hint" data-testid="status-note">{t(Msg::ClosedNote)}</p> }),
                    _ => None,
                }}
            </div>
            <div class="actions">
                <a class="btn btn-secondary" href=format!("/admin/certifications/{}/preview", ctx.id)>{t(Msg::Preview)}</a>
                <a class="btn btn-secondary" href=format!("/admin/certifications/{}/results", ctx.id) data-testid="results-link">{t(Msg::Results)}</a>
                <Lifecycle ctx />
            </div>
        </div>
        <section class="card section" aria-labelledby="settings-h">
            <h2 id="settings-h">{t(Msg::Settings)}</h2>
            <SettingsForm ctx settings=data.cert.settings.clone() />
        </section>
        <section class="card section" aria-labelledby="theory-h">
            <h2 id="theory-h">{t(Msg::Theory)}</h2>
            <TheoryEditor ctx blocks=data.blocks.clone() materials=data.materials.clone() versions=data.versions.clone() />
        </section>
        <section class="card section" aria-labelledby="questions-h">
            <h2 id="questions-h">{t(Msg::Questions)}</h2>
            <QuestionsSection ctx questions=data.questions.clone() draw=data.cert.settings.draw_count keys_hidden=data.keys_hidden />
        </section>
        <section class="card section" aria-labelledby="assign-h">
            <h2 id="assign-h">{t(Msg::Assignment)}</h2>
            <AssignmentsSection ctx assignments=data.assignments.clone() reached=data.assigned_users />
        </section>
        {matches!(status, CertStatus::Open | CertStatus::Scheduled).then(|| view! {
            <CloseSection ctx title=data.cert.settings.title.clone() />
        })}
    }
}

/// Closing, apart from the frequent actions at the top: it ends the attempts in progress.
#[component]
fn CloseSection(ctx: EditorCtx, title: String) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ids = ConfirmIds {
        open: "close",
        dialog: "close-dialog",
        submit: "close-submit",
    };
    let id = ctx.id;
    view! {
        <section class="card section danger-zone" aria-labelledby="close-h">
            <h2 id="close-h">{t(Msg::CloseZone)}</h2>
            <p class="hint">{t(Msg::CloseZoneHint)}</p>
            <ConfirmButton label=Msg::CloseCert kind=ButtonKind::Danger ids
                question=Msg::CloseCertQuestion.with(lang, &[("title", &title)])
                input=move || ChangeStatus { id, action: LifecycleAction::Close }
                done=move |_| ctx.reload.update(|r| *r += 1) />
        </section>
    }
}

/// Opening a closed certification again, with a new close date.
#[component]
fn Reopen(ctx: EditorCtx) -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    let open = RwSignal::new(false);
    let closes = RwSignal::new(String::new());
    let reopen = ctx.submit::<ReopenCertification>(move || open.set(false));
    let submit = move |_| {
        reopen.run(ReopenCertification {
            id: ctx.id,
            closes_at: Timestamp::from_local_input(&closes.get_untracked(), offset),
        });
    };
    // The settings form above already has a `closes_at` field: this one has its own id.
    let error = Signal::derive(move || {
        reopen.last_error().map(|e| match e {
            AppError::Invalid { mut fields } => {
                for f in &mut fields {
                    if f.field == "closes_at" {
                        f.field = "reopen_closes_at".into();
                    }
                }
                AppError::Invalid { fields }
            }
            e => e,
        })
    });
    view! {
        <Button kind=ButtonKind::Primary on_click=move |_| open.set(true) test_id="reopen">{t(Msg::Reopen)}</Button>
        <Dialog open title=Msg::Reopen test_id="reopen-dialog">
            <p>{t(Msg::ReopenHint)}</p>
            <BoundText name="reopen_closes_at" label=Msg::NewCloseDate value=closes input_type="datetime-local" required=true error />
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| e.field("reopen_closes_at").is_none())) />
            <Button busy=reopen.busy() on_click=submit test_id="reopen-submit">{t(Msg::Reopen)}</Button>
        </Dialog>
    }
}

#[component]
fn Lifecycle(ctx: EditorCtx) -> impl IntoView {
    let t = use_t();
    let change = ctx.submit::<ChangeStatus>(|| ());
    let go = move |action: LifecycleAction| change.run(ChangeStatus { id: ctx.id, action });
    let button =
        move |action: LifecycleAction, label: Msg, kind: ButtonKind, test: &'static str| {
            view! { <Button kind on_click=move |_| go(action) test_id=test>{t(label)}</Button> }
        };
    match ctx.status {
        CertStatus::Draft => view! {
            {button(LifecycleAction::OpenNow, Msg::OpenNow, ButtonKind::Primary, "open-now")}
            {button(LifecycleAction::Schedule, Msg::Schedule, ButtonKind::Secondary, "schedule")}
        }
        .into_any(),
        CertStatus::Scheduled => view! {
            {button(LifecycleAction::OpenNow, Msg::OpenNow, ButtonKind::Primary, "open-now")}
            {button(LifecycleAction::Unschedule, Msg::Unschedule, ButtonKind::Secondary, "unschedule")}
        }
        .into_any(),
        CertStatus::Open => ().into_any(),
        CertStatus::Closed => view! { <Reopen ctx /> }.into_any(),
    }
}

fn date_input(ts: Option<Timestamp>, offset: i32) -> String {
    ts.map(|t| t.to_local_input(offset)).unwrap_or_default()
}

#[component]
fn SettingsForm(ctx: EditorCtx, settings: CertSettings) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let locked = ctx.status.has_opened();
    let title = RwSignal::new(settings.title.clone());
    let description = RwSignal::new(settings.description.clone());
    let threshold = RwSignal::new(settings.pass_threshold);
    let attempts = RwSignal::new(settings.max_attempts);
    let minutes = RwSignal::new((settings.time_limit_secs + 59) / 60);
    let timer = RwSignal::new(settings.timer_mode.as_str().to_string());
    let read_secs = RwSignal::new(settings.min_read_secs);
    let shuffle_q = RwSignal::new(settings.shuffle_questions);
    let shuffle_o = RwSignal::new(settings.shuffle_options);
    let points = RwSignal::new(settings.points);
    let draw_on = RwSignal::new(settings.draw_count.is_some());
    let draw = RwSignal::new(settings.draw_count.unwrap_or(5));
    let review = RwSignal::new(settings.review_allowed);
    let away_on = RwSignal::new(settings.away_limit_secs.is_some());
    let away_minutes = RwSignal::new(settings.away_limit_secs.map_or(10, |s| (s + 59) / 60));
    let opens = RwSignal::new(date_input(settings.opens_at, offset));
    let closes = RwSignal::new(date_input(settings.closes_at, offset));
    let submit = ctx.submit::<UpdateSettings>(|| ());
    let (error, busy) = (submit.error(), submit.busy());
    let timer_options = Signal::derive(move || {
        [TimerMode::PauseWhileAway, TimerMode::Continuous]
            .into_iter()
            .map(|m| SelectOption {
                value: m.as_str().into(),
                label: m.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let save = move |_| {
        let new = CertSettings {
            title: title.get_untracked(),
            description: description.get_untracked(),
            pass_threshold: threshold.get_untracked(),
            max_attempts: attempts.get_untracked(),
            time_limit_secs: minutes.get_untracked() * 60,
            timer_mode: timer
                .get_untracked()
                .parse()
                .unwrap_or(TimerMode::PauseWhileAway),
            min_read_secs: read_secs.get_untracked(),
            shuffle_questions: shuffle_q.get_untracked(),
            shuffle_options: shuffle_o.get_untracked(),
            points: points.get_untracked(),
            draw_count: draw_on.get_untracked().then(|| draw.get_untracked()),
            review_allowed: review.get_untracked(),
            opens_at: Timestamp::from_local_input(&opens.get_untracked(), offset),
            closes_at: Timestamp::from_local_input(&closes.get_untracked(), offset),
            // The limit is pause mode's: in continuous mode the time runs anyway.
            away_limit_secs: (away_on.get_untracked()
                && timer.get_untracked() == TimerMode::PauseWhileAway.as_str())
            .then(|| away_minutes.get_untracked() * 60),
        };
        submit.run(UpdateSettings {
            id: ctx.id,
            settings: new,
        });
    };
    let err = error;
    let lock = Signal::derive(move || locked);
    view! {
        <div class="settings-grid" data-testid="settings-form">
            <BoundText name="title" label=Msg::Title value=title maxlength=200 error=err />
            <div class="span-all"><RichText name="description" label=Msg::Description value=description error=err /></div>
            <NumberField name="pass_threshold" label=Msg::PassThreshold value=threshold min=1 max=100 disabled=lock error=err />
            <NumberField name="max_attempts" label=Msg::MaxAttempts value=attempts min=1 disabled=lock error=err />
            <NumberField name="time_limit" label=Msg::TimeLimitMinutes value=minutes min=1 disabled=lock error=err />
            <Select name="timer_mode" label=Msg::TimerMode options=timer_options value=timer disabled=lock on_change=Callback::new(move |v| timer.set(v)) />
            <NumberField name="min_read_secs" label=Msg::MinReadSecs value=read_secs min=0 disabled=lock error=err />
            <NumberField name="points" label=Msg::Points value=points min=0 disabled=lock error=err />
            <Checkbox name="shuffle_questions" label=Msg::ShuffleQuestions checked=shuffle_q disabled=lock error=err />
            <Checkbox name="shuffle_options" label=Msg::ShuffleOptions checked=shuffle_o disabled=lock error=err />
            <Checkbox name="review_allowed" label=Msg::ReviewAllowed checked=review disabled=lock error=err />
            <Checkbox name="draw_on" label=Msg::DrawRandom checked=draw_on disabled=lock />
            <Show when=move || draw_on.get()>
                <NumberField name="draw_count" label=Msg::DrawCount value=draw min=1 disabled=lock error=err />
            </Show>
            <Show when=move || timer.get() == TimerMode::PauseWhileAway.as_str()>
                <Checkbox name="away_on" label=Msg::AwayLimitOn checked=away_on disabled=lock />
                <Show when=move || away_on.get()>
                    <NumberField name="away_limit" label=Msg::AwayLimitMinutes value=away_minutes min=1 disabled=lock error=err />
                </Show>
            </Show>
            <BoundText name="opens_at" label=Msg::OpensAtField value=opens input_type="datetime-local" disabled=lock error=err />
            <BoundText name="closes_at" label=Msg::ClosesAtField value=closes input_type="datetime-local" error=err />
        </div>
        <p class="field-error" role="alert" data-testid="timer-mode-error">
            {move || error.get().and_then(|e| e.field("timer_mode")).map(t)}
        </p>
        <Button busy on_click=save test_id="save-settings">{t(Msg::Save)}</Button>
    }
}

#[component]
fn QuestionsSection(
    ctx: EditorCtx,
    questions: Vec<crate::domain::question::Question>,
    draw: Option<i64>,
    /// Without the question bank the questions are not opened for editing.
    keys_hidden: bool,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ids: Vec<QuestionId> = questions.iter().map(|q| q.id).collect();
    let ids = StoredValue::new(ids);
    let set = ctx.submit::<SetQuestions>(|| ());
    let save_order = move |new: Vec<QuestionId>| {
        set.run(SetQuestions {
            id: ctx.id,
            questions: new,
        })
    };
    let moved = move |i: usize, delta: i32| {
        let mut v = ids.get_value();
        let j = i as i32 + delta;
        if j >= 0 && (j as usize) < v.len() {
            v.swap(i, j as usize);
            save_order(v);
        }
    };
    let pick_open = expect_context::<EditorResources>().picker_open;
    let create_open = RwSignal::new(false);
    let count = questions.len();
    view! {
        <p class="hint">
            {Msg::QuestionCount.with(lang, &[("n", &count.to_string())])}
            {draw.map(|n| format!(" · {}", Msg::DrawnPerAttempt.with(lang, &[("n", &n.to_string())])))}
        </p>
        <ol class="question-list" data-testid="cert-questions">
            {questions.into_iter().enumerate().map(|(i, q)| {
                let qid = q.id;
                view! {
                    <li>
                        <span class="grow">{plain_text(&q.content.text)}</span>
                        <span class="muted">{q.content.kind.label().text(lang)}</span>
                        <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveUp) on:click=move |_| moved(i, -1)>"↑"</button>
                        <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveDown) on:click=move |_| moved(i, 1)>"↓"</button>
                        {(!keys_hidden).then(|| view! {
                            <a class="btn btn-ghost" href=format!("/admin/questions/{qid}")>{t(Msg::Edit)}</a>
                        })}
                        <button type="button" class="btn btn-ghost" on:click=move |_| {
                            let v: Vec<QuestionId> = ids.get_value().into_iter().filter(|x| *x != qid).collect();
                            save_order(v);
                        }>{t(Msg::Remove)}</button>
                    </li>
                }
            }).collect_view()}
        </ol>
        <div class="actions">
            <Button kind=ButtonKind::Secondary on_click=move |_| pick_open.set(true) test_id="pick-questions">{t(Msg::AddFromBank)}</Button>
            <Button kind=ButtonKind::Secondary on_click=move |_| create_open.set(true) test_id="create-question">{t(Msg::CreateQuestion)}</Button>
        </div>
        <Picker open=pick_open ctx current=ids />
        <CreateQuestion open=create_open ctx />
    }
}

#[component]
fn Picker(
    open: RwSignal<bool>,
    ctx: EditorCtx,
    current: StoredValue<Vec<QuestionId>>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let res = expect_context::<EditorResources>();
    let search = res.picker_search;
    let found = res.picker_found;
    let chosen = RwSignal::new(Vec::<QuestionId>::new());
    let set = ctx.submit::<SetQuestions>(|| ());
    let add = move |_| {
        let mut v = current.get_value();
        v.extend(
            chosen
                .get_untracked()
                .into_iter()
                .filter(|q| !current.get_value().contains(q)),
        );
        chosen.set(Vec::new());
        open.set(false);
        set.run(SetQuestions {
            id: ctx.id,
            questions: v,
        });
    };
    view! {
        <Dialog open title=Msg::AddFromBank test_id="picker">
            <BoundText name="picker_search" label=Msg::Search value=search />
            <Transition fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(Some(p)) => view! {
                            <ul class="picker-list">
                                {p.items.into_iter().filter(|q| !current.get_value().contains(&q.id)).map(|q| {
                                    let qid = q.id;
                                    let label = plain_text(&q.content.text);
                                    view! {
                                        <li><label>
                                            <input type="checkbox" prop:checked=move || chosen.get().contains(&qid)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| { c.retain(|x| *x != qid); if on { c.push(qid); } });
                                                } />
                                            <span>{label}</span>
                                            <span class="muted">{q.content.kind.label().text(lang)}</span>
                                        </label></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
            <Button on_click=add test_id="picker-add">{t(Msg::AddSelected)}</Button>
        </Dialog>
    }
}

#[component]
fn CreateQuestion(open: RwSignal<bool>, ctx: EditorCtx) -> impl IntoView {
    let create = ctx.submit::<CreateQuestionIn>(move || open.set(false));
    let (error, busy) = (create.error(), create.busy());
    let save = move |content: QuestionContent| {
        create.run(CreateQuestionIn {
            id: ctx.id,
            content,
        })
    };
    view! {
        <Dialog open title=Msg::CreateQuestion test_id="create-question-dialog">
            <QuestionForm
                initial=QuestionContent { kind: QuestionKind::Single, text: String::new(), image_url: None, options: vec![], explanation: String::new(), tags: vec![] }
                busy error
                on_save=Callback::new(save) />
        </Dialog>
    }
}

#[component]
fn AssignmentsSection(
    ctx: EditorCtx,
    assignments: Vec<super::AssignmentView>,
    reached: i64,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let targets = expect_context::<EditorResources>().targets;
    let kind = RwSignal::new("position".to_string());
    let target = RwSignal::new(String::new());
    let kinds = Signal::derive(move || {
        [
            ("position", Msg::AssignPosition),
            ("branch", Msg::AssignBranch),
            ("user", Msg::AssignUser),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    let target_options = Signal::derive(move || {
        let Some(Ok(all)) = targets.get() else {
            return vec![];
        };
        let list = match kind.get().as_str() {
            "branch" => all.branches,
            "user" => all.users,
            _ => all.positions,
        };
        list.into_iter()
            .map(|(id, name)| SelectOption {
                value: id.to_string(),
                label: name,
            })
            .collect()
    });
    let to_kind = |s: &str| match s {
        "branch" => AssignKind::Branch,
        "user" => AssignKind::User,
        _ => AssignKind::Position,
    };
    let assign = ctx.submit::<AddAssignment>(|| ());
    let remove = ctx.submit::<RemoveAssignment>(|| ());
    let add = move |_| {
        let Ok(target_id) = target.get_untracked().parse::<i64>() else {
            return;
        };
        let kind = to_kind(&kind.get_untracked());
        assign.run(AddAssignment {
            id: ctx.id,
            kind,
            target_id,
        });
    };
    let can_remove = !ctx.status.has_opened();
    view! {
        <p class="hint">{Msg::ReachesPeople.with(lang, &[("n", &reached.to_string())])}</p>
        <ul class="assignment-list" data-testid="assignments">
            {assignments.into_iter().map(|a| {
                let label = match a.kind {
                    AssignKind::Position => t(Msg::AssignPosition),
                    AssignKind::Branch => t(Msg::AssignBranch),
                    AssignKind::User => t(Msg::AssignUser),
                };
                let (k, tid) = (a.kind, a.target_id);
                view! {
                    <li>
                        <span class="muted">{label}": "</span>{a.label.clone()}
                        {can_remove.then(|| view! {
                            <button type="button" class="btn btn-ghost" on:click=move |_| remove.run(RemoveAssignment { id: ctx.id, kind: k, target_id: tid })>{t(Msg::Remove)}</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <div class="inline-form">
            <Select name="assign_kind" label=Msg::AssignTo options=kinds value=kind on_change=Callback::new(move |v| { kind.set(v); target.set(String::new()); }) />
            <Select name="assign_target" label=Msg::AssignWhom options=target_options value=target on_change=Callback::new(move |v| target.set(v)) />
            <Button kind=ButtonKind::Secondary on_click=add test_id="assign-add">{t(Msg::Assign)}</Button>
        </div>
    }
}
