//! `/admin/api-keys`: the keys with their scopes, limits, last use and counter; a form for a new
//! key whose secret is shown once; revoking with confirmation.

use super::{ApiKeyRow, CreateApiKey, CreatedApiKey, NewApiKey, RevokeApiKey, list_api_keys};
use crate::admin::use_admin;
use crate::domain::api_keys::Scope;
use crate::error::AppError;
use crate::i18n::{Msg, use_offset, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, CheckList, ConfirmButton, ConfirmIds, ErrorNotice, NumberField,
    SecretOnce, Spinner, Submit,
};
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let t = use_t();
    let ctx = use_admin();
    let reload = RwSignal::new(0u32);
    let keys = Resource::new(move || reload.get(), |_| list_api_keys());
    // Outside the Suspense: reloading the list after a create must not drop the secret.
    let created = RwSignal::new(None::<CreatedApiKey>);
    let shown = RwSignal::new(false);
    view! {
        <h1>{t(Msg::ApiKeysTitle)}</h1>
        <p class="hint">{t(Msg::ApiKeysIntro)} " " <a href="/api/docs" target="_blank" rel="noopener">{t(Msg::ApiKeysDocs)}</a>
            " · " <a href="/admin/webhooks" data-testid="webhooks-link">{t(Msg::ApiKeysWebhooksLink)}</a></p>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                let allowed = ctx.me().await.is_some_and(|me| super::manages_integrations(&me));
                if !allowed {
                    return view! { <div class="notice notice-error" role="alert">{t(Msg::ErrNoModule)}</div> }.into_any();
                }
                match keys.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(list) => view! {
                        <NewKeyForm reload created shown />
                        <KeyTable list reload />
                    }.into_any(),
                }
            })}
        </Suspense>
        <SecretOnce open=shown title=Msg::ApiKeyNew text=Msg::ApiKeySecretOnce test_id="api-key-secret"
            secret=Signal::derive(move || created.get().map(|c| c.secret).unwrap_or_default())
            forget=move |_| created.set(None) />
    }
}

#[component]
fn NewKeyForm(
    reload: RwSignal<u32>,
    created: RwSignal<Option<CreatedApiKey>>,
    shown: RwSignal<bool>,
) -> impl IntoView {
    let t = use_t();
    let name = RwSignal::new(String::new());
    let ip_allow = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let rate = RwSignal::new(50i64);
    let burst = RwSignal::new(100i64);
    let scopes: Vec<(Scope, RwSignal<bool>)> = Scope::all()
        .into_iter()
        .map(|s| (s, RwSignal::new(false)))
        .collect();
    let create = Submit::<CreateApiKey>::new().done(move |c| {
        name.set(String::new());
        created.set(Some(c));
        shown.set(true);
        reload.update(|n| *n += 1);
    });
    let chosen = scopes.clone();
    let submit = move || {
        let expires_days = match expires.get_untracked().trim() {
            "" => None,
            d => match d.parse::<i64>() {
                Ok(d) => Some(d),
                Err(_) => {
                    create.refuse(AppError::invalid("expires_days", Msg::ErrApiKeyExpiry));
                    return;
                }
            },
        };
        let key = NewApiKey {
            name: name.get_untracked(),
            scopes: chosen
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(s, _)| s.as_string())
                .collect(),
            expires_days,
            ip_allow: ip_allow.get_untracked(),
            rate_per_sec: rate.get_untracked(),
            burst: burst.get_untracked(),
        };
        create.run(CreateApiKey { key });
    };
    let error = create.error();
    let busy = create.busy();
    let err = error;
    view! {
        <section class="card section" aria-labelledby="new-key-h">
            <h2 id="new-key-h">{t(Msg::ApiKeyNew)}</h2>
            <form on:submit=move |ev| { ev.prevent_default(); submit(); } data-testid="api-key-form">
                <BoundText name="name" label=Msg::ApiKeyName value=name maxlength=100 required=true error=err />
                <CheckList legend=Msg::ApiKeyScopes name="scopes" id_prefix="scope" help=Msg::ApiKeyScopesHelp
                    options=scopes.iter().map(|(s, on)| (s.as_string(), s.description(), *on)).collect()
                    error=Signal::derive(move || error.get().and_then(|e| e.field("scopes"))) />
                <BoundText name="expires_days" label=Msg::ApiKeyExpiresDays value=expires input_type="number" error=err />
                <BoundText name="ip_allow" label=Msg::ApiKeyIpAllow value=ip_allow placeholder="10.0.0.0/8, 192.0.2.7" error=err />
                <NumberField name="rate_per_sec" label=Msg::ApiKeyRate value=rate min=1 max=10000 error=err />
                <NumberField name="burst" label=Msg::ApiKeyBurst value=burst min=1 error=err />
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                <Button submit=true busy=busy test_id="api-key-create">{t(Msg::ApiKeyCreate)}</Button>
            </form>
        </section>
    }
}

#[component]
fn KeyTable(list: Vec<ApiKeyRow>, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    if list.is_empty() {
        return view! { <p class="empty">{t(Msg::ApiKeyNone)}</p> }.into_any();
    }
    let when = move |ts: Option<crate::domain::Timestamp>| {
        ts.map(|ts| ts.format_datetime(offset))
            .unwrap_or_else(|| t(Msg::ApiKeyNever).to_owned())
    };
    let rows = list
        .into_iter()
        .map(|k| {
            let status = if k.revoked_at.is_some() {
                Msg::ApiKeyStatusRevoked
            } else {
                Msg::ApiKeyStatusActive
            };
            let active = k.revoked_at.is_none();
            let (id, key_name) = (k.id, k.name.clone());
            view! {
                <tr data-testid="api-key-row">
                    <td>{k.name.clone()}<br /><code>{format!("{}…", k.prefix)}</code></td>
                    <td><ul class="plain-list">{k.scopes.split(',').map(|raw| {
                        let words = crate::domain::api_keys::Scope::parse(raw).map(|s| t(s.description()).to_owned()).unwrap_or_else(|| raw.to_owned());
                        view! { <li title=raw.to_owned()>{words}" "<code class="hint">{raw.to_owned()}</code></li> }
                    }).collect_view()}</ul></td>
                    <td>{t(status)}</td>
                    <td>{format!("{}/s ({})", k.rate_per_sec, k.burst)}</td>
                    <td>{when(k.expires_at)}</td>
                    <td>{when(k.last_used_at)}</td>
                    <td class="num">{k.request_count}</td>
                    <td>{active.then(|| view! { <RevokeButton id name=key_name reload /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card section">
            <div class="table-scroll" tabindex="0"><table class="table" data-testid="api-keys">
                <thead><tr>
                    <th>{t(Msg::ApiKeyName)}</th><th>{t(Msg::ApiKeyScopes)}</th><th>{t(Msg::Status)}</th>
                    <th>{t(Msg::ApiKeyRate)}</th><th>{t(Msg::ApiKeyExpires)}</th><th>{t(Msg::ApiKeyLastUsed)}</th>
                    <th>{t(Msg::ApiKeyRequests)}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </section>
    }
    .into_any()
}

#[component]
fn RevokeButton(id: i64, name: String, reload: RwSignal<u32>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let ids = ConfirmIds {
        open: "api-key-revoke",
        dialog: "api-key-revoke-dialog",
        submit: "api-key-revoke-submit",
    };
    view! {
        <ConfirmButton label=Msg::ApiKeyRevoke kind=ButtonKind::Secondary ids
            question=Msg::ApiKeyRevokeConfirm.with(lang, &[("name", &name)])
            input=move || RevokeApiKey { id }
            done=move |_| reload.update(|n| *n += 1) />
    }
}
