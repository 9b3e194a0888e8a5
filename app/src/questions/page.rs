//! Admin pages of the question bank, and the question form shared with the certification
//! editor.

use super::{
    ArchiveQuestion, DeleteQuestion, DuplicateQuestion, ExchangeFormat, ExportQuestions,
    ImportQuestions, SaveQuestion, get_question, list_questions, question_tags,
};
use crate::domain::QuestionId;
use crate::domain::question::{Question, QuestionContent, QuestionKind, QuestionOption};
use crate::domain::upload::UploadKind;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::richtext::plain_text;
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, ConfirmButton, ConfirmIds, Dialog, ErrorNotice,
    FileUpload, Pagination, RichText, Select, SelectOption, Spinner, Submit, ToastKind, Uploaded,
    download, use_toasts,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

fn kind_options(lang: crate::i18n::Lang) -> Vec<SelectOption> {
    QuestionKind::ALL
        .into_iter()
        .map(|k| SelectOption {
            value: k.as_str().into(),
            label: k.label().text(lang).into(),
        })
        .collect()
}

#[component]
pub fn QuestionBankPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let toasts = use_toasts();
    let search = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let archived = RwSignal::new(false);
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    // A new filter starts from the first page.
    Effect::new(move |_| {
        search.track();
        kind.track();
        tag.track();
        archived.track();
        page.set(1);
    });
    let questions = Resource::new(
        move || {
            (
                search.get(),
                kind.get(),
                tag.get(),
                archived.get(),
                page.get(),
                reload.get(),
            )
        },
        |(search, kind, tag, archived, page, _)| {
            list_questions(
                Some(search).filter(|s| !s.trim().is_empty()),
                kind.parse().ok(),
                Some(tag).filter(|t| !t.is_empty()),
                archived,
                page,
            )
        },
    );
    let tags = Resource::new(move || reload.get(), |_| question_tags());
    let saved = move || {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        reload.update(|r| *r += 1);
    };
    let refused = move |e: AppError| toasts.show(ToastKind::Error, e.message(lang));
    let duplicate = Submit::<DuplicateQuestion>::new()
        .done(move |_| saved())
        .failed(refused);
    let archive = Submit::<ArchiveQuestion>::new()
        .done(move |_| saved())
        .failed(refused);
    let import_open = RwSignal::new(false);
    let asked = RwSignal::new(ExchangeFormat::Json);
    let exporting = Submit::<ExportQuestions>::new()
        .done(move |data| match asked.get_untracked() {
            ExchangeFormat::Json => download("questions.json", "application/json", &data),
            ExchangeFormat::Csv => download("questions.csv", "text/csv", &data),
        })
        .failed(refused);
    let export = move |format: ExchangeFormat| {
        asked.set(format);
        exporting.run(ExportQuestions { format });
    };
    view! {
        <div class="page-head">
            <h1>{t(Msg::ModuleQuestionBank)}</h1>
            <div class="actions">
                <a class="btn btn-primary" href="/admin/questions/new">{t(Msg::NewQuestion)}</a>
                <Button kind=ButtonKind::Secondary on_click=move |_| import_open.set(true)>{t(Msg::Import)}</Button>
                <Button kind=ButtonKind::Secondary on_click=move |_| export(ExchangeFormat::Json)>{t(Msg::ExportJson)}</Button>
                <Button kind=ButtonKind::Secondary on_click=move |_| export(ExchangeFormat::Csv)>{t(Msg::ExportCsv)}</Button>
            </div>
        </div>
        <div class="filters">
            <BoundText name="search" label=Msg::Search value=search />
            <Select name="kind" label=Msg::QuestionKind options=Signal::derive(move || kind_options(lang)) value=kind
                on_change=Callback::new(move |v| kind.set(v)) all=Msg::AllKinds />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let options: Vec<SelectOption> = tags
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(|t| SelectOption { value: t.clone(), label: t })
                        .collect();
                    view! {
                        <Select name="tag" label=Msg::Tag options=Signal::derive(move || options.clone()) value=tag
                            on_change=Callback::new(move |v| tag.set(v)) all=Msg::AllTags />
                    }
                })}
            </Suspense>
            <Checkbox name="archived" label=Msg::ShowArchived checked=archived />
            <Button kind=ButtonKind::Ghost on_click=move |_| { search.set(String::new()); kind.set(String::new()); tag.set(String::new()); }>
                {t(Msg::ResetFilters)}
            </Button>
        </div>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match questions.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(Msg::NothingFound)}</p> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                        <div class="table-scroll" tabindex="0"><table class="table" data-testid="questions-table">
                            <thead><tr>
                                <th scope="col">{t(Msg::QuestionText)}</th>
                                <th scope="col">{t(Msg::QuestionKind)}</th>
                                <th scope="col">{t(Msg::Tags)}</th>
                                <th scope="col">{t(Msg::Updated)}</th>
                                <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {p.items.into_iter().map(|q| {
                                    let id = q.id;
                                    let archived_now = q.archived;
                                    let short = excerpt(&q.content.text);
                                    view! {
                                        <tr>
                                            <td><a href=format!("/admin/questions/{id}")>{excerpt(&q.content.text)}</a></td>
                                            <td>{q.content.kind.label().text(lang)}</td>
                                            <td>{q.content.tags.join(", ")}</td>
                                            <td>{q.updated_at.format_datetime(offset)}</td>
                                            <td class="row-actions">
                                                <button type="button" class="btn btn-ghost" on:click=move |_| duplicate.run(DuplicateQuestion { id })>{t(Msg::Duplicate)}</button>
                                                <button type="button" class="btn btn-ghost" on:click=move |_| archive.run(ArchiveQuestion { id, archived: !archived_now })>
                                                    {if archived_now { t(Msg::Unarchive) } else { t(Msg::Archive) }}
                                                </button>
                                                <span class="row-actions-danger">
                                                    <ConfirmButton label=Msg::Delete kind=ButtonKind::Ghost
                                                        ids=ConfirmIds { open: "question-delete", dialog: "question-delete-dialog", submit: "question-delete-submit" }
                                                        question=Msg::DeleteQuestionConfirm.with(lang, &[("q", &short)])
                                                        input=move || DeleteQuestion { id }
                                                        done=move |_| { toasts.show(ToastKind::Success, Msg::Saved.text(lang)); reload.update(|r| *r += 1) } />
                                                </span>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <p class="muted">{Msg::TotalCount.with(lang, &[("n", &p.total.to_string())])}</p>
                        <Pagination page pages=Signal::derive(move || pages) />
                    }.into_any()
                    }
                }
            })}
        </Transition>
        <ImportDialog open=import_open on_done=Callback::new(move |_| reload.update(|r| *r += 1)) />
    }
}

fn excerpt(html: &str) -> String {
    let text = plain_text(html);
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

#[component]
fn ImportDialog(open: RwSignal<bool>, on_done: Callback<()>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let format = RwSignal::new("json".to_string());
    let data = RwSignal::new(String::new());
    let import = Submit::<ImportQuestions>::new().done(move |rep| {
        if rep.errors.is_empty() {
            on_done.run(());
        }
    });
    let (report, busy) = (import.action.value(), import.busy());
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            if file.name().to_lowercase().ends_with(".csv") {
                format.set("csv".into());
            }
            leptos::task::spawn_local(async move {
                if let Some(text) = crate::ui::read_text(&file).await {
                    data.set(text);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let submit = move |_| {
        let fmt = if format.get_untracked() == "csv" {
            ExchangeFormat::Csv
        } else {
            ExchangeFormat::Json
        };
        import.run(ImportQuestions {
            format: fmt,
            data: data.get_untracked(),
        });
    };
    let formats = Signal::derive(|| {
        vec![
            SelectOption {
                value: "json".into(),
                label: "JSON".into(),
            },
            SelectOption {
                value: "csv".into(),
                label: "CSV".into(),
            },
        ]
    });
    view! {
        <Dialog open title=Msg::ImportQuestions test_id="import-dialog">
            <p class="hint">{t(Msg::ImportHint)}</p>
            <Select name="import_format" label=Msg::Format options=formats value=format on_change=Callback::new(move |v| format.set(v)) />
            <div class="field">
                <label for="import-file">{t(Msg::File)}</label>
                <input id="import-file" type="file" accept=".json,.csv" on:change=on_file />
            </div>
            <Button busy=busy on_click=move |_| submit(()) test_id="import-submit">{t(Msg::Import)}</Button>
            {move || report.get().map(|r| match r {
                Err(e) => view! { <div class="notice notice-error" role="alert">{e.message(lang)}</div> }.into_any(),
                Ok(rep) if rep.errors.is_empty() => view! {
                    <div class="notice notice-ok" role="status" data-testid="import-ok">{Msg::Imported.with(lang, &[("n", &rep.imported.to_string())])}</div>
                }.into_any(),
                Ok(rep) => view! {
                    <div class="notice notice-error" role="alert" data-testid="import-errors">
                        <p>{t(Msg::ImportNothing)}</p>
                        <ul>
                            {rep.errors.into_iter().map(|e| {
                                let row = if e.row == 0 { t(Msg::WholeFile).to_owned() } else { Msg::RowN.with(lang, &[("n", &e.row.to_string())]) };
                                view! { <li>{row}" · "{e.field}": "{e.msg.text(lang)}{e.detail.map(|d| format!(" ({d})"))}</li> }
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
            })}
        </Dialog>
    }
}

/// One option row of the form.
#[derive(Clone, Copy)]
struct OptionRow {
    key: u32,
    id: u32,
    text: RwSignal<String>,
    correct: RwSignal<bool>,
}

/// The question form: kind, rich text, image, options, explanation, tags.
#[component]
pub fn QuestionForm(
    initial: QuestionContent,
    on_save: Callback<QuestionContent>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let kind = RwSignal::new(initial.kind.as_str().to_string());
    let text = RwSignal::new(initial.text.clone());
    let explanation = RwSignal::new(initial.explanation.clone());
    let image = RwSignal::new(initial.image_url.clone().unwrap_or_default());
    let tags = RwSignal::new(initial.tags.join(", "));
    let next_key = StoredValue::new(100u32);
    let new_row = move |id: u32, text: String, correct: bool| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        OptionRow {
            key,
            id,
            text: RwSignal::new(text),
            correct: RwSignal::new(correct),
        }
    };
    let rows = RwSignal::new(
        initial
            .options
            .iter()
            .map(|o| new_row(o.id, o.text.clone(), o.correct))
            .collect::<Vec<_>>(),
    );
    if rows.get_untracked().is_empty() {
        rows.set(vec![
            new_row(0, String::new(), true),
            new_row(0, String::new(), false),
        ]);
    }
    let is_kind = move |k: QuestionKind| kind.get() == k.as_str();
    let set_correct = move |key: u32, value: bool| {
        let single = is_kind(QuestionKind::Single);
        for r in rows.get_untracked() {
            if r.key == key {
                r.correct.set(value);
            } else if single && value {
                r.correct.set(false);
            }
        }
    };
    let move_row = move |key: u32, delta: i32| {
        rows.update(|v| {
            if let Some(i) = v.iter().position(|r| r.key == key) {
                let j = i as i32 + delta;
                if j >= 0 && (j as usize) < v.len() {
                    v.swap(i, j as usize);
                }
            }
        })
    };
    let options_error = Signal::derive(move || error.get().and_then(|e| e.field("options")));
    let submit = move |_| {
        let kind = kind.get_untracked().parse().unwrap_or(QuestionKind::Single);
        let content = QuestionContent {
            kind,
            text: text.get_untracked(),
            image_url: Some(image.get_untracked()).filter(|s| !s.trim().is_empty()),
            options: rows
                .get_untracked()
                .into_iter()
                .map(|r| QuestionOption {
                    id: r.id,
                    text: r.text.get_untracked(),
                    correct: r.correct.get_untracked(),
                })
                .collect(),
            explanation: explanation.get_untracked(),
            tags: tags
                .get_untracked()
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        };
        on_save.run(content);
    };
    view! {
        <div class="question-form" data-testid="question-form">
            <Select name="kind" label=Msg::QuestionKind options=Signal::derive(move || kind_options(lang)) value=kind
                on_change=Callback::new(move |v| kind.set(v)) />
            <RichText name="text" label=Msg::QuestionText value=text error />
            <div class="field">
                <span class="label">{t(Msg::Image)}</span>
                {move || (!image.get().is_empty()).then(|| view! {
                    <div class="image-preview">
                        <img src=image.get() alt=t(Msg::Image) />
                        <button type="button" class="btn btn-ghost" on:click=move |_| image.set(String::new())>{t(Msg::Remove)}</button>
                    </div>
                })}
                <FileUpload kind=UploadKind::Image label=Msg::UploadImage test_id="question-image"
                    on_uploaded=Callback::new(move |u: Uploaded| image.set(u.url)) />
            </div>
            <fieldset class="options">
                <legend>{t(Msg::Options)}</legend>
                <p class="hint">{move || if is_kind(QuestionKind::Ordering) { t(Msg::OrderingHint) } else { t(Msg::CorrectHint) }}</p>
                <ol>
                    <For each=move || rows.get() key=|r| r.key children=move |r: OptionRow| {
                        let key = r.key;
                        view! {
                            <li class="option-row">
                                <Show when=move || !is_kind(QuestionKind::Ordering)>
                                    <input
                                        type=move || if is_kind(QuestionKind::Single) { "radio" } else { "checkbox" }
                                        name="correct"
                                        aria-label=t(Msg::Correct)
                                        prop:checked=move || r.correct.get()
                                        on:change=move |ev| set_correct(key, event_target_checked(&ev))
                                    />
                                </Show>
                                <input type="text" class="option-text" aria-label=t(Msg::OptionText) maxlength=1000
                                    prop:value=move || r.text.get() on:input=move |ev| r.text.set(event_target_value(&ev)) />
                                <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveUp) on:click=move |_| move_row(key, -1)>"↑"</button>
                                <button type="button" class="btn btn-ghost" aria-label=t(Msg::MoveDown) on:click=move |_| move_row(key, 1)>"↓"</button>
                                <button type="button" class="btn btn-ghost" aria-label=t(Msg::Remove)
                                    on:click=move |_| rows.update(|v| v.retain(|x| x.key != key))>"×"</button>
                            </li>
                        }
                    } />
                </ol>
                <Button kind=ButtonKind::Secondary on_click=move |_| rows.update(|v| v.push(new_row(0, String::new(), false)))>
                    {t(Msg::AddOption)}
                </Button>
                <p class="field-error" role="alert">{move || options_error.get().map(t)}</p>
            </fieldset>
            <RichText name="explanation" label=Msg::Explanation value=explanation error />
            <BoundText name="tags" label=Msg::TagsComma value=tags error />
            <ErrorNotice error />
            <Button busy on_click=submit test_id="save-question">{t(Msg::Save)}</Button>
        </div>
    }
}

#[component]
pub fn QuestionEditorPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(QuestionId)
    };
    let question = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_question(id).await.map(Some),
            None => Ok(None),
        }
    });
    let toasts = use_toasts();
    let navigate = use_navigate();
    let save = Submit::<SaveQuestion>::new().done(move |q| {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        navigate(&format!("/admin/questions/{}", q.id), Default::default());
    });
    let error = save.error();
    view! {
        <p><a href="/admin/questions">{t(Msg::BackToBank)}</a></p>
        <h1>{move || if id().is_some() { t(Msg::EditQuestion) } else { t(Msg::NewQuestion) }}</h1>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match question.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(q) => {
                        let qid = q.as_ref().map(|q: &Question| q.id);
                        let initial = q.map(|q| q.content).unwrap_or_else(|| QuestionContent {
                            kind: QuestionKind::Single,
                            text: String::new(),
                            image_url: None,
                            options: vec![],
                            explanation: String::new(),
                            tags: vec![],
                        });
                        view! {
                            <QuestionForm initial busy=save.busy() error
                                on_save=Callback::new(move |content| save.run(SaveQuestion { id: qid, content })) />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
