//! The audit log page (`/admin/audit`, module "audit log"): filters, the newest entries first
//! with "older" pages, an entry's changes, the CSV export of what is filtered; and the audit
//! group's section of the settings page.

use super::{
    AuditDetail, AuditFilter, AuditSettings, AuditSettingsView, AuditTestMessage,
    SaveAuditSettings, TopicMode, audit_entry_detail, audit_list, load_audit_settings,
};
use crate::admin::use_admin;
use crate::domain::audit::{AuditAction, AuditGroup};
use crate::domain::permissions::Module;
use crate::domain::{AuditId, Timestamp};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, Dialog, ErrorNotice, NumberField, Select, SelectOption, Spinner,
    Submit, ToastKind, use_toasts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn day_start(date: &str, offset: i32) -> Option<Timestamp> {
    Timestamp::from_local_input(&format!("{date}T00:00"), offset)
}

/// The filter as URL query parameters (the export link, the feed's links into the page).
fn query_of(f: &AuditFilter) -> String {
    let mut q: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            q.push((k.to_owned(), v));
        }
    };
    add("actor", f.actor.clone());
    add("actor_id", f.actor_id.map(|a| a.to_string()));
    add("group", f.group.map(|g| g.as_str().to_owned()));
    add("action", f.action.clone());
    add("target_type", f.target_type.clone());
    add("target_id", f.target_id.clone());
    add("from", f.from.map(|t| t.millis().to_string()));
    add("to", f.to.map(|t| t.millis().to_string()));
    add("search", f.search.clone());
    q.iter()
        .map(|(k, v)| format!("{k}={}", crate::ui::query_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let ctx = use_admin();
    let query = use_query_map();
    let q = |k: &str| query.get_untracked().get(k).unwrap_or_default();
    // Links from the Telegram feed carry a filter or an entry.
    let search = RwSignal::new(q("search"));
    let actor = RwSignal::new(q("actor"));
    let group = RwSignal::new(q("group"));
    let action = RwSignal::new(q("action"));
    let target_type = RwSignal::new(q("target_type"));
    let target_id = RwSignal::new(q("target_id"));
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let from_ms = q("from").parse::<i64>().ok();
    let to_ms = q("to").parse::<i64>().ok();
    let actor_id = q("actor_id").parse::<i64>().ok();
    let selected = RwSignal::new(q("entry").parse::<i64>().ok().map(AuditId));
    let cursors = RwSignal::new(Vec::<Option<AuditId>>::new());
    let before = RwSignal::new(None::<AuditId>);
    let filter = Memo::new(move |_| {
        AuditFilter {
            actor: Some(actor.get()),
            actor_id: actor_id.map(crate::domain::UserId),
            group: group.get().parse().ok(),
            action: Some(action.get()),
            target_type: Some(target_type.get()),
            target_id: Some(target_id.get()),
            from: day_start(&from.get(), offset).or(from_ms.map(Timestamp)),
            to: day_start(&to.get(), offset)
                .map(|t| t.plus_secs(86_400))
                .or(to_ms.map(Timestamp)),
            search: Some(search.get()),
        }
        .normalized()
    });
    // A new filter starts from the newest entries.
    Effect::new(move |_| {
        filter.track();
        if before.get_untracked().is_some() {
            before.set(None);
        }
        if !cursors.with_untracked(Vec::is_empty) {
            cursors.set(Vec::new());
        }
    });
    let page = Resource::new(
        move || (filter.get(), before.get()),
        |(f, b)| audit_list(f, b),
    );
    let groups = Signal::derive(move || {
        AuditGroup::ALL
            .into_iter()
            .map(|g| SelectOption {
                value: g.as_str().into(),
                label: g.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });

    let targets = Signal::derive(move || {
        [
            ("user", Msg::AuditTargetUser),
            ("certification", Msg::AuditTargetCertification),
            ("question", Msg::AuditTargetQuestion),
            ("attempt", Msg::AuditTargetAttempt),
            ("badge", Msg::AuditTargetBadge),
            ("session", Msg::AuditTargetSession),
            ("settings", Msg::AuditTargetSettings),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    view! {
        <h1>{t(Msg::ModuleAuditLog)}</h1>
        <div class="filters audit-filters">
            <BoundText name="audit_search" label=Msg::Search value=search />
            <BoundText name="audit_actor" label=Msg::AuditActor value=actor />
            <Select name="audit_group" label=Msg::AuditGroupField options=groups value=group all=Msg::AllKinds
                on_change=Callback::new(move |v| { group.set(v); action.set(String::new()); }) />
            <ActionSelect group action />
            <Select name="audit_target_type" label=Msg::AuditTarget options=targets value=target_type all=Msg::AuditAnyTarget
                on_change=Callback::new(move |v| target_type.set(v)) />
            <BoundText name="audit_target_id" label=Msg::AuditTargetId value=target_id />
            <BoundText name="audit_from" label=Msg::AuditFrom value=from input_type="date" />
            <BoundText name="audit_to" label=Msg::AuditTo value=to input_type="date" />
        </div>
        <p>
            <a class="btn btn-secondary" data-testid="audit-export" download="audit.csv"
                href=move || format!("/admin/audit/export.csv?{}", query_of(&filter.get()))>{t(Msg::AuditExport)}</a>
        </p>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                let allowed = ctx.me().await.is_some_and(|me| me.modules.contains(Module::AuditLog));
                if !allowed {
                    return view! { <div class="notice notice-error" role="alert">{t(Msg::ErrNoModule)}</div> }.into_any();
                }
                match page.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="muted" data-testid="audit-empty">{t(Msg::AuditEmpty)}</p> }.into_any(),
                    Ok(p) => {
                        let older = p.older;
                        view! {
                            <div class="table-scroll" tabindex="0"><table class="table" data-testid="audit-table">
                                <thead><tr>
                                    <th scope="col">{t(Msg::When)}</th>
                                    <th scope="col">{t(Msg::AuditActor)}</th>
                                    <th scope="col">{t(Msg::AuditKind)}</th>
                                    <th scope="col">{t(Msg::AuditTarget)}</th>
                                    <th scope="col">{t(Msg::AuditChange)}</th>
                                    <th scope="col"><span class="sr-only">{t(Msg::Actions)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|r| {
                                        let id = r.id;
                                        let kind = AuditAction::try_from(r.action.clone())
                                            .map(|a| format!("{} {}", a.emoji(), a.label().text(lang)))
                                            .unwrap_or(r.action.clone());
                                        let details: serde_json::Value = serde_json::from_str(&r.details).unwrap_or_default();
                                        let change = super::text::summary(lang, &details).unwrap_or_default();
                                        let target = super::text::target_text(lang, &r).unwrap_or_default();
                                        view! {
                                            <tr data-action=r.action.clone()>
                                                <td>{r.at.format_datetime(offset)}</td>
                                                <td data-testid="audit-actor">{super::text::actor_text(lang, &r)}</td>
                                                <td>{kind}</td>
                                                <td>{target}</td>
                                                <td class="small">{change}</td>
                                                <td><Button kind=ButtonKind::Ghost on_click=move |_| selected.set(Some(id)) test_id="audit-details">{t(Msg::AuditDetails)}</Button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <nav class="pagination" aria-label=t(Msg::Pagination)>
                                <button type="button" class="btn btn-secondary" disabled=move || cursors.get().is_empty()
                                    on:click=move |_| {
                                        let mut c = cursors.get_untracked();
                                        let prev = c.pop().flatten();
                                        cursors.set(c);
                                        before.set(prev);
                                    }>{t(Msg::AuditNewer)}</button>
                                <button type="button" class="btn btn-secondary" data-testid="audit-older" disabled=older.is_none()
                                    on:click=move |_| {
                                        cursors.update(|c| c.push(before.get_untracked()));
                                        before.set(older);
                                    }>{t(Msg::AuditOlder)}</button>
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <EntryDialog selected />
    }
}

#[component]
fn EntryDialog(selected: RwSignal<Option<AuditId>>) -> impl IntoView {
    let t = use_t();
    let open = RwSignal::new(selected.get_untracked().is_some());
    // Each side is set only when it differs: a set always notifies, and the two effects would
    // otherwise wake each other for ever.
    Effect::new(move |_| {
        let want = selected.get().is_some();
        if open.get_untracked() != want {
            open.set(want);
        }
    });
    Effect::new(move |_| {
        if !open.get() && selected.get_untracked().is_some() {
            selected.set(None);
        }
    });
    let entry = Resource::new(
        move || selected.get(),
        |id| async move {
            match id {
                Some(id) => audit_entry_detail(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Dialog open title=Msg::AuditEntry test_id="audit-entry">
            <Suspense fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match entry.await {
                        Ok(Some(d)) => view! { <EntryView d /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="hint">{t(Msg::AuditAppendOnly)}</p>
        </Dialog>
    }
}

fn target_href(row: &super::AuditRow) -> Option<String> {
    let id = row.target_id.as_deref()?;
    Some(match row.target_type.as_deref()? {
        "user" => format!("/admin/users/{id}"),
        "certification" => format!("/admin/certifications/{id}"),
        "question" => format!("/admin/questions/{id}"),
        _ => return None,
    })
}

#[component]
fn EntryView(d: AuditDetail) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let r = d.row.clone();
    let kind = AuditAction::try_from(r.action.clone())
        .map(|a| a.label().text(lang).to_owned())
        .unwrap_or(r.action.clone());
    let name = super::text::actor_text(lang, &r);
    let actor = match r.actor_id {
        Some(id) => view! { <a href=format!("/admin/users/{id}")>{name}</a> }.into_any(),
        None => view! { <span>{name}</span> }.into_any(),
    };
    let channel = super::text::channel_text(lang, &r.channel);
    let target_text = super::text::target_text(lang, &r).unwrap_or_default();
    let target = match target_href(&r) {
        Some(href) => view! { <a href=href>{target_text}</a> }.into_any(),
        None => view! { <span>{target_text}</span> }.into_any(),
    };
    view! {
        <dl class="result-facts" data-testid="audit-entry-facts">
            <dt>{t(Msg::AuditKind)}</dt><dd>{kind}</dd>
            <dt>{t(Msg::When)}</dt><dd>{r.at.format_datetime(offset)}</dd>
            <dt>{t(Msg::AuditActor)}</dt><dd>{actor}" · "{channel}</dd>
            <dt>{t(Msg::AuditTarget)}</dt><dd>{target}</dd>
            <dt>{t(Msg::AuditOrigin)}</dt><dd>{r.ip.clone().unwrap_or_default()}" "{r.user_agent.clone().unwrap_or_default()}</dd>
        </dl>
        {(!d.changes.is_empty()).then(|| view! {
            <table class="table" data-testid="audit-diff">
                <thead><tr><th scope="col">{t(Msg::AuditField)}</th><th scope="col">{t(Msg::AuditBefore)}</th><th scope="col">{t(Msg::AuditAfter)}</th></tr></thead>
                <tbody>
                    {d.changes.into_iter().map(|c| view! {
                        <tr><td>{c.field}</td><td class="diff-before">{c.before}</td><td class="diff-after">{c.after}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <details>
            <summary>{t(Msg::AuditRaw)}</summary>
            <pre class="small">{d.details}</pre>
        </details>
    }
}

/// The audit group's section of the settings page.
#[component]
pub fn AuditSettingsSection() -> impl IntoView {
    let t = use_t();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| load_audit_settings());
    view! {
        <section class="card section" aria-labelledby="audit-settings-h">
            <h2 id="audit-settings-h">{t(Msg::AuditFeedTitle)}</h2>
            <Suspense fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(AppError::Forbidden(_) | AppError::Unauthorized) => ().into_any(),
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                        Ok(v) => view! { <AuditSettingsForm v reload /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AuditSettingsForm(v: AuditSettingsView, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let toasts = use_toasts();
    let s = v.settings.clone();
    let chat = RwSignal::new(s.chat_id.map(|c| c.to_string()).unwrap_or_default());
    let mode = RwSignal::new(
        match s.topics {
            TopicMode::PerGroup => "per_group",
            TopicMode::Single { .. } => "single",
            TopicMode::General => "general",
        }
        .to_owned(),
    );
    let thread = RwSignal::new(match s.topics {
        TopicMode::Single { thread_id } => thread_id,
        _ => 0,
    });
    let retention = RwSignal::new(i64::from(s.retention_days.unwrap_or(0)));
    let posted: Vec<(AuditGroup, RwSignal<bool>)> = AuditGroup::ALL
        .into_iter()
        .map(|g| (g, RwSignal::new(s.posted.contains(&g))))
        .collect();
    let posted = StoredValue::new(posted);
    let saving = Submit::<SaveAuditSettings>::new().done(move |_| {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        reload.update(|r| *r += 1);
    });
    let error = saving.error();
    let testing = Submit::<AuditTestMessage>::new()
        .done(move |_| toasts.show(ToastKind::Success, Msg::AuditTestQueued.text(lang)))
        .failed(move |e| toasts.show(ToastKind::Error, e.message(lang)));
    let modes = Signal::derive(move || {
        [
            ("per_group", Msg::AuditTopicsPerGroup),
            ("single", Msg::AuditTopicsSingle),
            ("general", Msg::AuditTopicsGeneral),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    let save = move |_| {
        let chat_text = chat.get_untracked();
        let chat_id = if chat_text.trim().is_empty() {
            None
        } else {
            match chat_text.trim().parse::<i64>() {
                Ok(c) => Some(c),
                Err(_) => {
                    saving.refuse(AppError::invalid("chat_id", Msg::ErrAuditChatId));
                    return;
                }
            }
        };
        let topics = match mode.get_untracked().as_str() {
            "single" => TopicMode::Single {
                thread_id: thread.get_untracked(),
            },
            "general" => TopicMode::General,
            _ => TopicMode::PerGroup,
        };
        let days = retention.get_untracked();
        let settings = AuditSettings {
            chat_id,
            topics,
            posted: posted
                .get_value()
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(g, _)| *g)
                .collect(),
            retention_days: (days > 0).then(|| days.clamp(0, u32::MAX as i64) as u32),
        };
        saving.run(SaveAuditSettings { settings });
    };
    let test = move |_| testing.run(AuditTestMessage {});
    let err = error;
    let status = v.status.clone();
    let title = match &v.group {
        Some(Ok(g)) if !g.title.is_empty() => Some(g.title.clone()),
        _ => status.chat_title.clone(),
    };
    let rights = v.group.clone().map(|g| match g {
        Ok(g) if g.bot_is_admin && g.can_manage_topics => ("ok", t(Msg::AuditBotOk).to_owned()),
        Ok(g) if g.bot_is_admin => ("warn", t(Msg::AuditBotNoTopics).to_owned()),
        Ok(_) => ("error", t(Msg::AuditBotNotAdmin).to_owned()),
        Err(e) => (
            "error",
            Msg::AuditBotUnreachable.with(lang, &[("error", &e)]),
        ),
    });
    view! {
        <p class="hint">{t(Msg::AuditFeedHint)}</p>
        <dl class="result-facts" data-testid="audit-feed-status">
            <dt>{t(Msg::AuditFeedGroup)}</dt><dd>{title.unwrap_or_else(|| t(Msg::Nothing).to_owned())}</dd>
            {rights.map(|(level, text)| view! {
                <dt>{t(Msg::AuditBotRights)}</dt>
                <dd data-testid="audit-bot-rights" data-level=level>{text}</dd>
            })}
            <dt>{t(Msg::AuditFeedWaiting)}</dt><dd>{status.waiting}</dd>
            <dt>{t(Msg::BotLastError)}</dt>
            <dd data-testid="audit-feed-error">{match (status.last_error.clone(), status.last_error_at) {
                (Some(e), Some(at)) => format!("{} — {e}", at.format_datetime(offset)),
                (Some(e), None) => e,
                _ => t(Msg::Nothing).to_owned(),
            }}</dd>
        </dl>
        <BoundText name="audit_chat_id" label=Msg::AuditChatId value=chat error=err placeholder="-1001234567890" />
        <Select name="audit_topics" label=Msg::AuditTopics options=modes value=mode on_change=Callback::new(move |v| mode.set(v)) />
        <Show when=move || mode.get() == "single">
            <NumberField name="thread_id" label=Msg::AuditThreadId value=thread min=1 error=err />
        </Show>
        <fieldset class="checks">
            <legend>{t(Msg::AuditPosted)}</legend>
            {posted.get_value().into_iter().map(|(g, on)| view! {
                <label class="check">
                    <input type="checkbox" data-group=g.as_str() prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />
                    " "{t(g.label())}
                </label>
            }).collect_view()}
        </fieldset>
        <NumberField name="retention_days" label=Msg::AuditRetention value=retention min=0 max=3650 error=err hint=Msg::AuditRetentionHint />
        <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
        <div class="actions">
            <Button busy=saving.busy() on_click=save test_id="save-audit-settings">{t(Msg::Save)}</Button>
            <Button kind=ButtonKind::Secondary busy=testing.busy() on_click=test test_id="audit-test-message">{t(Msg::AuditTest)}</Button>
        </div>
    }
}

/// The action filter: every kind, grouped by what it is about (access, people, …); choosing a
/// group above narrows it to that group.
#[component]
fn ActionSelect(group: RwSignal<String>, action: RwSignal<String>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    view! {
        <div class="field">
            <label for="field-audit_action">{t(Msg::AuditKind)}</label>
            <select id="field-audit_action" name="audit_action" data-testid="audit-action"
                on:change=move |ev| action.set(event_target_value(&ev))
                prop:value=move || action.get()>
                <option value="">{t(Msg::AllKinds)}</option>
                {move || {
                    let only: Option<AuditGroup> = group.get().parse().ok();
                    AuditGroup::ALL
                        .into_iter()
                        .filter(|g| only.is_none_or(|o| o == *g))
                        .map(|g| view! {
                            <optgroup label=g.label().text(lang)>
                                {g.actions().into_iter().map(|a| view! {
                                    <option value=a.as_str() selected=move || action.get() == a.as_str()>{a.label().text(lang)}</option>
                                }).collect_view()}
                            </optgroup>
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}
