//! The admin panel's profile page.

use super::{ChangeMyPassword, ProfileView, UpdateMyNames, my_profile};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, Dialog, ErrorNotice, Spinner, Submit, TextField, ToastKind,
    use_toasts,
};
use leptos::prelude::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let t = use_t();
    let save = ServerAction::<UpdateMyNames>::new();
    let profile = Resource::new(move || save.version().get(), |_| my_profile());
    let toasts = use_toasts();
    let lang = use_lang();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => toasts.show(ToastKind::Success, Msg::Saved.text(lang)),
        Some(Err(e)) => toasts.show(ToastKind::Error, e.message(lang)),
        None => {}
    });
    view! {
        <h1>{t(Msg::ProfileTitle)}</h1>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! { <ProfileCard p save /> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Transition>
        // Its data loads by itself (resources stay outside Suspense bodies).
        <section class="card section">
            <crate::notifications::pages::MutesForm surface=crate::auth::Surface::Admin />
        </section>
    }
}

#[component]
fn ProfileCard(p: ProfileView, save: ServerAction<UpdateMyNames>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let not_set = || Msg::NotSet.text(use_lang()).to_owned();
    let row = move |label: Msg, value: String, id: &'static str| {
        view! {
            <div class="profile-row">
                <dt>{t(label)}</dt>
                <dd data-testid=id>{value}</dd>
            </div>
        }
    };
    let first = p.first_name.clone();
    let last = p.last_name.clone();
    view! {
        <section class="card profile">
            <div class="profile-head">
                {match p.photo_url.clone() {
                    Some(src) => view! { <img class="avatar-lg" src=src alt=t(Msg::PhotoAlt) /> }.into_any(),
                    None => view! { <div class="avatar-lg avatar-placeholder" aria-hidden="true">{initials(&p)}</div> }.into_any(),
                }}
                <div>
                    <h2 data-testid="profile-name">{format!("{} {}", p.first_name, p.last_name).trim().to_owned()}</h2>
                    <p class="muted">{p.role.label().text(lang)}</p>
                </div>
            </div>
            <dl class="profile-fields">
                {row(Msg::RoleField, p.role.label().text(lang).to_owned(), "profile-role")}
                {row(Msg::PositionField, p.position.clone().unwrap_or_else(not_set), "profile-position")}
                {row(Msg::BranchField, p.branch.clone().unwrap_or_else(not_set), "profile-branch")}
                {row(Msg::RegisteredAt, p.registered_at.format_date(crate::i18n::use_offset()), "profile-registered")}
                {row(
                    Msg::TelegramIdField,
                    p.telegram_id.map(|t| t.to_string()).unwrap_or_else(not_set),
                    "profile-telegram-id",
                )}
                {row(
                    Msg::UsernameField,
                    p.username.clone().map(|u| format!("@{u}")).unwrap_or_else(not_set),
                    "profile-username",
                )}
            </dl>
            <ActionForm action=save attr:class="form-inline">
                <TextField name="first_name" label=Msg::FirstName value=first required=true maxlength=64 error />
                <TextField name="last_name" label=Msg::LastName value=last maxlength=64 error />
                <Button submit=true busy=save.pending() test_id="save-profile">{t(Msg::Save)}</Button>
            </ActionForm>
            {p.login.is_some().then(|| view! { <OwnPassword /> })}
        </section>
    }
}

/// One's own password, changed in a dialog with the current one.
#[component]
fn OwnPassword() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let change = Submit::<ChangeMyPassword>::new().done(move |_| {
        for f in [current, password, confirm] {
            f.set(String::new());
        }
        open.set(false);
        toasts.show(ToastKind::Success, Msg::PasswordChangedToast.text(lang));
    });
    let (error, busy) = (change.error(), change.busy());
    let save = move || {
        change.run(ChangeMyPassword {
            current: current.get_untracked(),
            password: password.get_untracked(),
            confirm: confirm.get_untracked(),
        });
    };
    let err = error;
    view! {
        <p>
            <Button kind=ButtonKind::Secondary on_click=move |_| open.set(true) test_id="own-password-button">
                {t(Msg::ChangePassword)}
            </Button>
        </p>
        <Dialog open title=Msg::ChangePassword test_id="own-password-dialog">
            <form on:submit=move |ev| { ev.prevent_default(); save(); }>
                <BoundText name="current" label=Msg::CurrentPassword value=current input_type="password" error=err />
                <BoundText name="password" label=Msg::NewPassword value=password input_type="password" error=err />
                <BoundText name="confirm" label=Msg::ConfirmPassword value=confirm input_type="password" error=err />
                <p class="hint">{t(Msg::PasswordRule)}</p>
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                <Button submit=true busy=Signal::derive(move || busy.get()) test_id="own-password-submit">{t(Msg::Save)}</Button>
            </form>
        </Dialog>
    }
}

fn initials(p: &ProfileView) -> String {
    p.first_name
        .chars()
        .next()
        .into_iter()
        .chain(p.last_name.chars().next())
        .collect()
}
