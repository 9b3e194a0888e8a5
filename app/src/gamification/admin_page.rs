//! The badges & gamification module: levels and the badge catalogue.

use super::{BadgeRow, SaveBadge, SaveLevels, get_catalogue};
use crate::domain::gamification::{BadgeRule, Level};
use crate::domain::upload::UploadKind;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, Dialog, ErrorNotice, FileUpload, NumberField, Select,
    SelectOption, Spinner, Submit, ToastKind, Uploaded, use_toasts,
};
use leptos::prelude::*;

#[component]
pub fn GamificationPage() -> impl IntoView {
    let t = use_t();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_catalogue());
    view! {
        <h1>{t(Msg::ModuleGamification)}</h1>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(c) => view! {
                        <section class="card section" aria-labelledby="levels-h">
                            <h2 id="levels-h">{t(Msg::Levels)}</h2>
                            <LevelsEditor levels=c.levels reload />
                        </section>
                        <section class="card section" aria-labelledby="badges-h">
                            <h2 id="badges-h">{t(Msg::Badges)}</h2>
                            <BadgeList badges=c.badges reload />
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BadgeList(badges: Vec<BadgeRow>, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let editing = RwSignal::new(None::<BadgeRow>);
    let blank = BadgeRow {
        id: 0,
        name: String::new(),
        description: String::new(),
        icon_url: None,
        kind: "manual".into(),
        rule: None,
        rule_n: None,
        archived: false,
    };
    let archive = Submit::<SaveBadge>::new()
        .done(move |_| reload.update(|r| *r += 1))
        .failed(move |e| toasts.show(ToastKind::Error, e.message(lang)));
    let toggle_archive = move |mut badge: BadgeRow| {
        badge.archived = !badge.archived;
        archive.run(SaveBadge { badge });
    };
    view! {
        <ul class="badge-admin-list" data-testid="badge-catalogue">
            {badges.into_iter().map(|b| {
                let how = match b.rule.as_deref().and_then(|r| r.parse::<BadgeRule>().ok()) {
                    Some(r) => r.label().text(lang).replace('N', &b.rule_n.unwrap_or(1).to_string()),
                    None => t(Msg::BadgeManual).to_owned(),
                };
                let (edit, arch) = (b.clone(), b.clone());
                view! {
                    <li class="badge-card" class:locked=b.archived>
                        {b.icon_url.clone().map(|src| view! { <img src=src alt="" /> })}
                        <strong>{b.name.clone()}</strong>
                        <span class="muted small">{how}</span>
                        <div class="actions">
                            <button type="button" class="btn btn-ghost" on:click=move |_| { editing.set(Some(edit.clone())); open.set(true); }>{t(Msg::Edit)}</button>
                            <button type="button" class="btn btn-ghost" on:click=move |_| toggle_archive(arch.clone())>
                                {if b.archived { t(Msg::Unarchive) } else { t(Msg::Archive) }}
                            </button>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ul>
        <Button kind=ButtonKind::Secondary on_click=move |_| { editing.set(Some(blank.clone())); open.set(true); } test_id="new-badge">{t(Msg::NewBadge)}</Button>
        <Dialog open title=Msg::Badges test_id="badge-dialog">
            {move || editing.get().map(|b| view! { <BadgeForm badge=b reload open /> })}
        </Dialog>
    }
}

#[component]
fn LevelsEditor(levels: Vec<Level>, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let rows = RwSignal::new(
        levels
            .into_iter()
            .map(|l| {
                (
                    RwSignal::new(l.number),
                    RwSignal::new(l.name),
                    RwSignal::new(l.min_points),
                )
            })
            .collect::<Vec<_>>(),
    );
    let submit = Submit::<SaveLevels>::new().done(move |_| {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        reload.update(|r| *r += 1);
    });
    let error = submit.error();
    let save = move |_| {
        let levels: Vec<Level> = rows
            .get_untracked()
            .iter()
            .map(|(n, name, min)| Level {
                number: n.get_untracked(),
                name: name.get_untracked(),
                min_points: min.get_untracked(),
            })
            .collect();
        submit.run(SaveLevels { levels });
    };
    view! {
        <table class="table" data-testid="levels">
            <thead><tr><th scope="col">{t(Msg::LevelNumber)}</th><th scope="col">{t(Msg::LevelName)}</th><th scope="col">{t(Msg::LevelMin)}</th><th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().enumerate().map(|(i, (n, name, min))| view! {
                    <tr>
                        <td><input type="number" class="cell-input" aria-label=t(Msg::LevelNumber) prop:value=move || n.get().to_string()
                            on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { n.set(v) } /></td>
                        <td><input type="text" class="cell-input" aria-label=t(Msg::LevelName) prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev)) /></td>
                        <td><input type="number" class="cell-input" aria-label=t(Msg::LevelMin) prop:value=move || min.get().to_string()
                            on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { min.set(v) } /></td>
                        <td><button type="button" class="btn btn-ghost" on:click=move |_| rows.update(|r| { r.remove(i); })>{t(Msg::Remove)}</button></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <div class="actions">
            <Button kind=ButtonKind::Secondary on_click=move |_| rows.update(|r| {
                let next = r.iter().map(|(n, _, _)| n.get_untracked()).max().unwrap_or(0) + 1;
                let min = r.iter().map(|(_, _, m)| m.get_untracked()).max().unwrap_or(0) + 100;
                r.push((RwSignal::new(next), RwSignal::new(String::new()), RwSignal::new(min)));
            })>{t(Msg::AddLevel)}</Button>
            <Button on_click=save test_id="save-levels">{t(Msg::Save)}</Button>
        </div>
        <ErrorNotice error />
    }
}

/// The badge form (one at a time, in a dialog).
#[component]
fn BadgeForm(badge: BadgeRow, reload: RwSignal<u32>, open: RwSignal<bool>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let id = badge.id;
    let name = RwSignal::new(badge.name.clone());
    let description = RwSignal::new(badge.description.clone());
    let icon = RwSignal::new(badge.icon_url.clone().unwrap_or_default());
    let kind = RwSignal::new(badge.kind.clone());
    let rule = RwSignal::new(badge.rule.clone().unwrap_or_default());
    let n = RwSignal::new(badge.rule_n.unwrap_or(3));
    let archived = badge.archived;
    let submit = Submit::<SaveBadge>::new().done(move |_| {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        open.set(false);
        reload.update(|r| *r += 1);
    });
    let error = submit.error();
    let kinds = Signal::derive(move || {
        vec![
            SelectOption {
                value: "manual".into(),
                label: Msg::BadgeManual.text(lang).into(),
            },
            SelectOption {
                value: "automatic".into(),
                label: Msg::BadgeAutomatic.text(lang).into(),
            },
        ]
    });
    let rules = Signal::derive(move || {
        BadgeRule::ALL
            .into_iter()
            .map(|r| SelectOption {
                value: r.as_str().into(),
                label: r.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let takes_n = move || rule.get().parse::<BadgeRule>().is_ok_and(|r| r.takes_n());
    let submit = move |_| {
        let badge = BadgeRow {
            id,
            name: name.get_untracked(),
            description: description.get_untracked(),
            icon_url: Some(icon.get_untracked()).filter(|s| !s.is_empty()),
            kind: kind.get_untracked(),
            rule: Some(rule.get_untracked()).filter(|s| !s.is_empty()),
            rule_n: Some(n.get_untracked()),
            archived,
        };
        submit.run(SaveBadge { badge });
    };
    let err = error;
    view! {
        <div class="badge-form" data-testid="badge-form">
            <Show when=move || !icon.get().is_empty()>
                <img class="badge-icon" src=move || icon.get() alt="" />
            </Show>
            <BoundText name="badge_name" label=Msg::BadgeName value=name maxlength=80 error=err />
            <BoundText name="badge_description" label=Msg::Description value=description maxlength=300 />
            <Select name="badge_kind" label=Msg::BadgeKind options=kinds value=kind on_change=Callback::new(move |v| kind.set(v)) />
            <Show when=move || kind.get() == "automatic">
                <Select name="badge_rule" label=Msg::BadgeRuleLabel options=rules value=rule on_change=Callback::new(move |v| rule.set(v)) />
                <Show when=takes_n>
                    <NumberField name="badge_n" label=Msg::BadgeN value=n min=1 error=err />
                </Show>
            </Show>
            <FileUpload kind=UploadKind::Image label=Msg::UploadIcon on_uploaded=Callback::new(move |u: Uploaded| icon.set(u.url)) />
            <p class="field-error" role="alert">{move || error.get().and_then(|e| e.field("badge_rule")).map(t)}</p>
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
            <Button on_click=submit test_id="save-badge">{t(Msg::Save)}</Button>
        </div>
    }
}
