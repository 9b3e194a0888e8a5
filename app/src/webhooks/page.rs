//! `/admin/webhooks`: subscriptions with their status (queued and failed deliveries, last
//! success and error), a form for a new one whose secret is shown once, and per subscription:
//! switch off/on, a new secret, a test delivery, its deliveries with "redeliver", delete.

use super::{
    CreateWebhook, DeleteWebhook, DeliveryRow, PingWebhook, RedeliverWebhook, RotateWebhookSecret,
    SetWebhookEnabled, WebhookForm, WebhookRow, WebhookSecret, list_webhooks, webhook_deliveries,
};
use crate::admin::use_admin;
use crate::domain::webhooks::WebhookEvent;
use crate::error::AppError;
use crate::i18n::{Msg, use_offset, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, CheckList, ConfirmButton, ConfirmIds, ErrorNotice, SecretOnce,
    Spinner, Submit,
};
use leptos::prelude::*;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let t = use_t();
    let ctx = use_admin();
    let reload = RwSignal::new(0u32);
    let hooks = Resource::new(move || reload.get(), |_| list_webhooks());
    let secret = RwSignal::new(None::<WebhookSecret>);
    let shown = RwSignal::new(false);
    view! {
        <h1>{t(Msg::WebhooksTitle)}</h1>
        <p class="hint">{t(Msg::WebhooksIntro)} " " <a href="/api/docs" target="_blank" rel="noopener">{t(Msg::ApiKeysDocs)}</a></p>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                let allowed = ctx
                    .me()
                    .await
                    .is_some_and(|me| crate::api_keys::manages_integrations(&me));
                if !allowed {
                    return view! { <div class="notice notice-error" role="alert">{t(Msg::ErrNoModule)}</div> }.into_any();
                }
                match hooks.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(list) => view! {
                        <NewWebhookForm reload secret shown />
                        <WebhookTable list reload secret shown />
                    }.into_any(),
                }
            })}
        </Suspense>
        // Its own resource and Suspense: a resource made inside another Suspense's async
        // block is made anew on each pass of server rendering and breaks hydration.
        <crate::xapi::page::XapiSection />
        <crate::scim::page::ScimSection />
        <SecretOnce open=shown title=Msg::WebhookNew text=Msg::WebhookSecretOnce test_id="webhook-secret"
            secret=Signal::derive(move || secret.get().map(|c| c.secret).unwrap_or_default())
            forget=move |_| secret.set(None) />
    }
}

#[component]
fn NewWebhookForm(
    reload: RwSignal<u32>,
    secret: RwSignal<Option<WebhookSecret>>,
    shown: RwSignal<bool>,
) -> impl IntoView {
    let t = use_t();
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let events: Vec<(WebhookEvent, RwSignal<bool>)> = WebhookEvent::ALL
        .into_iter()
        .map(|e| (e, RwSignal::new(false)))
        .collect();
    let create = Submit::<CreateWebhook>::new().done(move |s| {
        name.set(String::new());
        url.set(String::new());
        secret.set(Some(s));
        shown.set(true);
        reload.update(|n| *n += 1);
    });
    let (error, busy) = (create.error(), create.busy());
    let chosen = events.clone();
    let submit = move || {
        let form = WebhookForm {
            name: name.get_untracked(),
            url: url.get_untracked(),
            events: chosen
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(e, _)| e.as_str().to_owned())
                .collect(),
        };
        create.run(CreateWebhook { form });
    };
    let err = error;
    view! {
        <section class="card section" aria-labelledby="new-webhook-h">
            <h2 id="new-webhook-h">{t(Msg::WebhookNew)}</h2>
            <form on:submit=move |ev| { ev.prevent_default(); submit(); } data-testid="webhook-form">
                <BoundText name="name" label=Msg::ApiKeyName value=name maxlength=100 required=true error=err />
                <BoundText name="url" label=Msg::WebhookUrl value=url input_type="url" required=true placeholder="https://hr.example.com/hooks/attest" error=err />
                <CheckList legend=Msg::WebhookEvents name="events" id_prefix="event" help=Msg::WebhookEventsHelp
                    options=events.iter().map(|(e, on)| (e.as_str().to_owned(), e.description(), *on)).collect()
                    error=Signal::derive(move || error.get().and_then(|e| e.field("events"))) />
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                <Button submit=true busy=busy test_id="webhook-create">{t(Msg::WebhookCreate)}</Button>
            </form>
        </section>
    }
}

#[component]
fn WebhookTable(
    list: Vec<WebhookRow>,
    reload: RwSignal<u32>,
    secret: RwSignal<Option<WebhookSecret>>,
    shown: RwSignal<bool>,
) -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    if list.is_empty() {
        return view! { <p class="empty">{t(Msg::WebhookNone)}</p> }.into_any();
    }
    let when = move |ts: Option<crate::domain::Timestamp>| {
        ts.map(|ts| ts.format_datetime(offset))
            .unwrap_or_else(|| t(Msg::ApiKeyNever).to_owned())
    };
    let toggle = Submit::<SetWebhookEnabled>::new().done(move |_| reload.update(|n| *n += 1));
    let ping = Submit::<PingWebhook>::new().done(move |_| reload.update(|n| *n += 1));
    let rotate = Submit::<RotateWebhookSecret>::new().done(move |s| {
        secret.set(Some(s));
        shown.set(true);
        reload.update(|n| *n += 1);
    });
    let error = Signal::derive(move || {
        toggle
            .error()
            .get()
            .or_else(|| ping.last_error())
            .or_else(|| rotate.last_error())
    });
    let open_deliveries = RwSignal::new(None::<i64>);
    let rows = list
        .into_iter()
        .map(|h| {
            let id = h.id;
            let enabled = h.enabled;
            let status = if enabled {
                t(Msg::WebhookOn).to_owned()
            } else {
                format!(
                    "{} {}",
                    t(Msg::WebhookOff),
                    h.disabled_reason.clone().unwrap_or_default()
                )
            };
            let last_error = h.last_error.clone().unwrap_or_default();
            view! {
                <tr data-testid="webhook-row">
                    <td>{h.name.clone()}<br /><code class="wrap">{h.url.clone()}</code></td>
                    <td><code>{h.events.replace(',', ", ")}</code></td>
                    <td data-testid="webhook-status">{status}</td>
                    <td class="num" data-testid="webhook-pending">{h.pending}</td>
                    <td class="num" data-testid="webhook-dead">{h.dead}</td>
                    <td>{when(h.last_success_at)}</td>
                    <td>{when(h.last_failure_at)}<br /><small>{last_error}</small></td>
                    <td class="actions">
                        <Button kind=ButtonKind::Secondary on_click=move |_| toggle.run(SetWebhookEnabled { id, enabled: !enabled }) test_id="webhook-toggle">
                            {t(if enabled { Msg::WebhookDisable } else { Msg::WebhookEnable })}
                        </Button>
                        <Button kind=ButtonKind::Secondary on_click=move |_| ping.run(PingWebhook { id }) disabled=!enabled test_id="webhook-ping">{t(Msg::WebhookPing)}</Button>
                        <Button kind=ButtonKind::Secondary on_click=move |_| rotate.run(RotateWebhookSecret { id }) test_id="webhook-rotate">{t(Msg::WebhookRotate)}</Button>
                        <Button kind=ButtonKind::Secondary on_click=move |_| open_deliveries.update(|o| *o = if *o == Some(id) { None } else { Some(id) }) test_id="webhook-deliveries">{t(Msg::WebhookDeliveries)}</Button>
                        <DeleteButton id name=h.name.clone() reload />
                    </td>
                </tr>
                <Show when=move || open_deliveries.get() == Some(id)>
                    <tr data-testid="deliveries-open"><td colspan="8"><Deliveries id reload /></td></tr>
                </Show>
            }
        })
        .collect_view();
    view! {
        <section class="card section">
            <ErrorNotice error />
            <table class="table" data-testid="webhooks">
                <thead><tr>
                    <th>{t(Msg::ApiKeyName)}</th><th>{t(Msg::WebhookEvents)}</th><th>{t(Msg::Status)}</th>
                    <th>{t(Msg::WebhookPendingCount)}</th><th>{t(Msg::WebhookDeadCount)}</th>
                    <th>{t(Msg::WebhookLastSuccess)}</th><th>{t(Msg::WebhookLastError)}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="hint">{t(Msg::WebhookRotateHint)}</p>
        </section>
    }
    .into_any()
}

#[component]
fn Deliveries(id: i64, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    let again = RwSignal::new(0u32);
    let list = Resource::new(move || again.get(), move |_| webhook_deliveries(id));
    let redeliver_it = Submit::<RedeliverWebhook>::new().done(move |_| {
        again.update(|n| *n += 1);
        reload.update(|n| *n += 1);
    });
    let row = move |d: DeliveryRow| {
        let status = match d.status.as_str() {
            "delivered" => Msg::DeliveryDelivered,
            "dead" => Msg::DeliveryDead,
            _ => Msg::DeliveryPending,
        };
        let pending = d.status == "pending";
        let delivery = d.id;
        let redeliver = move |_| redeliver_it.run(RedeliverWebhook { id, delivery });
        let outcome = match (d.last_status, d.last_error.clone()) {
            (Some(s), Some(e)) => format!("{s} {e}"),
            (Some(s), None) => s.to_string(),
            (None, Some(e)) => e,
            (None, None) => String::new(),
        };
        view! {
            <tr data-testid="delivery-row">
                <td><code>{d.event_type.clone()}</code></td>
                <td data-testid="delivery-status">{t(status)}</td>
                <td class="num">{d.attempts}</td>
                <td>{outcome}</td>
                <td>{d.created_at.format_datetime(offset)}</td>
                <td>{(!pending).then(|| view! {
                    <Button kind=ButtonKind::Secondary on_click=redeliver test_id="delivery-redeliver">{t(Msg::WebhookRedeliver)}</Button>
                })}</td>
            </tr>
        }
    };
    view! {
        <ErrorNotice error=redeliver_it.error() />
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(rows) => view! {
                        <table class="table" data-testid="deliveries">
                            <thead><tr>
                                <th>{t(Msg::WebhookEvent)}</th><th>{t(Msg::Status)}</th><th>{t(Msg::WebhookAttempts)}</th>
                                <th>{t(Msg::WebhookLastError)}</th><th></th><th></th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeleteButton(id: i64, name: String, reload: RwSignal<u32>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let ids = ConfirmIds {
        open: "webhook-delete",
        dialog: "webhook-delete-dialog",
        submit: "webhook-delete-submit",
    };
    view! {
        <ConfirmButton label=Msg::WebhookDelete kind=ButtonKind::Danger ids
            question=Msg::WebhookDeleteConfirm.with(lang, &[("name", &name)])
            input=move || DeleteWebhook { id }
            done=move |_| reload.update(|n| *n += 1) />
    }
}
