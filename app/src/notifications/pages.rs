//! The settings module's notifications page (kinds with their texts, rate, quiet hours, bot
//! status, the log with resend) and each person's "notify me about" form, in the admin
//! panel's profile and in the Mini App.

use super::{
    MyNotificationKinds, NotificationsPageData, ResendNotification, SaveMyNotifications,
    SaveNotificationSettings, my_notifications, notification_log, notifications_admin,
};
use crate::admin::use_admin;
use crate::auth::Surface;
use crate::domain::notifications::{NotificationKind, NotificationSettings, QuietHours};
use crate::domain::permissions::Module;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, ErrorNotice, NumberField, Pagination, Select,
    SelectOption, Spinner, Submit, ToastKind, use_toasts,
};
use leptos::prelude::*;

fn hhmm(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `/admin/settings`: notifications (the audit group has its own section).
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let t = use_t();
    let ctx = use_admin();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| notifications_admin());
    view! {
        <h1>{t(Msg::ModuleSettings)}</h1>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                let allowed = ctx.me().await.is_some_and(|me| me.modules.contains(Module::Settings));
                if !allowed {
                    return view! { <div class="notice notice-error" role="alert">{t(Msg::ErrNoModule)}</div> }.into_any();
                }
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! {
                        <BotSection d=d.clone() />
                        <SettingsForm d reload />
                    }.into_any(),
                }
            })}
        </Suspense>
        // These load by themselves (resources stay outside Suspense bodies).
        <crate::audit::page::AuditSettingsSection />
        <section class="card section" aria-labelledby="log-h">
            <h2 id="log-h">{t(Msg::NotifLog)}</h2>
            <NotificationLog />
        </section>
    }
}

#[component]
fn BotSection(d: NotificationsPageData) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let counts = d
        .counts
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <section class="card section" aria-labelledby="bot-h">
            <h2 id="bot-h">{t(Msg::BotStatus)}</h2>
            <dl class="result-facts" data-testid="bot-status">
                <dt>{t(Msg::BotUsername)}</dt>
                <dd>{match (d.bot_configured, d.bot.username.clone()) {
                    (false, _) => t(Msg::BotNotConfigured).to_owned(),
                    (true, Some(u)) => format!("@{u}"),
                    (true, None) => t(Msg::BotNotChecked).to_owned(),
                }}</dd>
                <dt>{t(Msg::BotMode)}</dt><dd>{d.bot.mode.clone()}</dd>
                <dt>{t(Msg::BotLastError)}</dt>
                <dd>{match (d.bot.last_error.clone(), d.bot.last_error_at) {
                    (Some(e), Some(at)) => format!("{} — {e}", at.format_datetime(offset)),
                    (Some(e), None) => e,
                    _ => t(Msg::Nothing).to_owned(),
                }}</dd>
                <dt>{t(Msg::NotifQueue)}</dt><dd>{if counts.is_empty() { t(Msg::Nothing).to_owned() } else { counts }}</dd>
            </dl>
            {(!d.buttons_allowed).then(|| view! { <p class="notice">{Msg::NotifNoButtons.text(lang)}</p> })}
        </section>
    }
}

#[component]
fn SettingsForm(d: NotificationsPageData, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let s = d.settings.clone();
    let enabled: Vec<(NotificationKind, RwSignal<bool>)> = NotificationKind::ALL
        .into_iter()
        .map(|k| (k, RwSignal::new(s.is_enabled(k))))
        .collect();
    let enabled = StoredValue::new(enabled);
    let rate = RwSignal::new(i64::from(s.rate_per_sec));
    let quiet_on = RwSignal::new(s.quiet_hours.is_some());
    let q = s.quiet_hours.unwrap_or_default();
    let quiet_from = RwSignal::new(hhmm(q.start_min));
    let quiet_to = RwSignal::new(hhmm(q.end_min));
    let submit = Submit::<SaveNotificationSettings>::new().done(move |_| {
        toasts.show(ToastKind::Success, Msg::Saved.text(lang));
        reload.update(|r| *r += 1);
    });
    let error = submit.error();
    let previews = d.previews.clone();
    let save = move |_| {
        let quiet = if quiet_on.get_untracked() {
            match (
                parse_hhmm(&quiet_from.get_untracked()),
                parse_hhmm(&quiet_to.get_untracked()),
            ) {
                (Some(start_min), Some(end_min)) => Some(QuietHours { start_min, end_min }),
                _ => {
                    submit.refuse(AppError::invalid("quiet_hours", Msg::ErrQuietHours));
                    return;
                }
            }
        } else {
            None
        };
        let settings = NotificationSettings {
            enabled: enabled
                .get_value()
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(k, _)| *k)
                .collect(),
            rate_per_sec: rate.get_untracked().clamp(0, 1000) as u32,
            quiet_hours: quiet,
        };
        submit.run(SaveNotificationSettings { settings });
    };
    let err = error;
    view! {
        <section class="card section" aria-labelledby="notif-h">
            <h2 id="notif-h">{t(Msg::NotifSettings)}</h2>
            <fieldset class="checks">
                <legend>{t(Msg::NotifKinds)}</legend>
                {enabled.get_value().into_iter().map(|(k, on)| {
                    let preview = previews.iter().find(|(p, _)| *p == k).map(|(_, text)| text.clone()).unwrap_or_default();
                    view! {
                        <label class="check notif-kind">
                            <input type="checkbox" data-kind=k.as_str() prop:checked=move || on.get()
                                on:change=move |ev| on.set(event_target_checked(&ev)) />
                            <span class="check-text">
                                {t(k.label())}
                                <small class="preview hint">{preview}</small>
                            </span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <NumberField name="rate_per_sec" label=Msg::NotifRate value=rate min=1 max=30 error=err hint=Msg::NotifRateHint />
            <Checkbox name="quiet_on" label=Msg::QuietHours checked=quiet_on />
            <div class="form-inline">
                <BoundText name="quiet_from" label=Msg::QuietFrom value=quiet_from input_type="time" disabled=Signal::derive(move || !quiet_on.get()) error=err />
                <BoundText name="quiet_to" label=Msg::QuietTo value=quiet_to input_type="time" disabled=Signal::derive(move || !quiet_on.get()) error=err />
            </div>
            <p class="hint">{t(Msg::QuietHoursHint)}</p>
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
            <Button on_click=save test_id="save-notifications">{t(Msg::Save)}</Button>
        </section>
    }
}

/// Why a message was not sent, in words (the reasons the queue writes); Telegram's own errors
/// stay as Telegram gave them.
fn note_text(lang: crate::i18n::Lang, note: &str) -> String {
    let msg = match note {
        "kind switched off" => Msg::SkipKindOff,
        "muted by the person" => Msg::SkipMuted,
        "no Telegram account" => Msg::SkipNoTelegram,
        "unreachable: blocked the bot" => Msg::SkipBlocked,
        "not an active member" => Msg::SkipInactive,
        _ => return note.to_owned(),
    };
    msg.text(lang).to_owned()
}

#[component]
fn NotificationLog() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let toasts = use_toasts();
    let status = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (status.get(), kind.get(), page.get(), reload.get()),
        |(s, k, p, _)| notification_log(Some(s), Some(k), p),
    );
    let statuses = Signal::derive(move || {
        super::OutboxStatus::ALL
            .iter()
            .map(|s| SelectOption {
                value: s.as_str().into(),
                label: s.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let kinds = Signal::derive(move || {
        NotificationKind::ALL
            .into_iter()
            .map(|k| SelectOption {
                value: k.as_str().into(),
                label: k.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let resending = Submit::<ResendNotification>::new()
        .done(move |_| {
            toasts.show(ToastKind::Success, Msg::NotifResent.text(lang));
            reload.update(|r| *r += 1);
        })
        .failed(move |e| toasts.show(ToastKind::Error, e.message(lang)));
    let resend = move |id: i64| resending.run(ResendNotification { id });
    view! {
        <div class="filters">
            <Select name="log_status" label=Msg::Status options=statuses value=status all=Msg::AllStatuses
                on_change=Callback::new(move |v| { status.set(v); page.set(1); }) />
            <Select name="log_kind" label=Msg::NotifKind options=kinds value=kind all=Msg::AllKinds
                on_change=Callback::new(move |v| { kind.set(v); page.set(1); }) />
        </div>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    // Without the module the page says so once, above.
                    Err(AppError::Forbidden(_) | AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="muted">{t(Msg::NotifLogEmpty)}</p> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                            <div class="table-scroll" tabindex="0"><table class="table" data-testid="notification-log">
                                <thead><tr>
                                    <th scope="col">{t(Msg::When)}</th>
                                    <th scope="col">{t(Msg::NotifRecipient)}</th>
                                    <th scope="col">{t(Msg::NotifKind)}</th>
                                    <th scope="col">{t(Msg::Status)}</th>
                                    <th scope="col">{t(Msg::NotifError)}</th>
                                    <th scope="col"><span class="sr-only">{t(Msg::Actions)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|e| {
                                        let m = e.message;
                                        let id = m.id;
                                        let kind_label = m.kind.parse::<NotificationKind>().map(|k| k.label().text(lang).to_owned()).unwrap_or(m.kind.clone());
                                        let resendable = matches!(m.status.as_str(), "failed" | "dead" | "unreachable");
                                        view! {
                                            <tr data-status=m.status.clone()>
                                                <td>{m.sent_at.unwrap_or(m.created_at).format_datetime(offset)}</td>
                                                <td>{e.recipient.unwrap_or_else(|| m.chat_id.to_string())}</td>
                                                <td title=m.text.clone()>{kind_label}</td>
                                                <td>{super::OutboxStatus::parse(&m.status).map(|s| s.label().text(lang).to_owned()).unwrap_or(m.status.clone())}</td>
                                                <td class="small">{m.last_error.as_deref().map(|e| note_text(lang, e)).unwrap_or_default()}</td>
                                                <td>{resendable.then(|| view! {
                                                    <Button kind=ButtonKind::Secondary on_click=move |_| resend(id) test_id="resend">{t(Msg::NotifResend)}</Button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pagination page pages=Signal::derive(move || pages) />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// "Notify me about": each kind the person hears about, on or off.
#[component]
pub fn MutesForm(surface: Surface) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let data = Resource::new(|| (), move |_| my_notifications(surface));
    let submit = Submit::<SaveMyNotifications>::new()
        .done(move |_| toasts.show(ToastKind::Success, Msg::Saved.text(lang)))
        .failed(move |e| toasts.show(ToastKind::Error, e.message(lang)));
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::Unauthorized) => ().into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(MyNotificationKinds { kinds, muted }) => {
                        let on: Vec<(NotificationKind, RwSignal<bool>)> = kinds.into_iter().map(|k| (k, RwSignal::new(!muted.contains(&k)))).collect();
                        let on = StoredValue::new(on);
                        let save = move |_| {
                            let muted: Vec<NotificationKind> = on.get_value().iter().filter(|(_, v)| !v.get_untracked()).map(|(k, _)| *k).collect();
                            submit.run(SaveMyNotifications { surface, muted });
                        };
                        view! {
                            <fieldset class="checks" data-testid="my-notifications">
                                <legend>{t(Msg::NotifyMeAbout)}</legend>
                                {on.get_value().into_iter().map(|(k, v)| view! {
                                    <label class="check">
                                        <input type="checkbox" data-kind=k.as_str() prop:checked=move || v.get() on:change=move |ev| v.set(event_target_checked(&ev)) />
                                        <span class="check-text">
                                            {t(k.label())}
                                            <small class="hint" data-testid="notification-example">{t(k.example())}</small>
                                        </span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <Button busy=submit.busy() on_click=save test_id="save-my-notifications">{t(Msg::Save)}</Button>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/app/settings`: the Mini App's notification choices.
#[component]
pub fn MiniSettingsPage() -> impl IntoView {
    let t = use_t();
    view! {
        <h1>{t(Msg::MiniNotifications)}</h1>
        <MutesForm surface=Surface::MiniApp />
    }
}
