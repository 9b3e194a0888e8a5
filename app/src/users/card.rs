//! A user's card: profile fields, role and status, permissions, password (modal), points and
//! level, badges, certification progress and the points history.

use super::{
    AdjustPoints, AwardBadge, EndUserSessions, EvaluateUserBadges, ProfileEdit, RevokeBadge,
    SetLevel, SetPassword, SetPermissions, UpdateUser, UserCard, get_user_card,
};
use crate::domain::permissions::Module;
use crate::domain::user::{Role, UserStatus};
use crate::domain::{BranchId, PositionId, UserId};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, ConfirmButton, ConfirmIds, Dialog, ErrorNotice, NumberField,
    SaveBar, Select, SelectOption, Spinner, Submit, ToastKind, use_toasts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy)]
struct CardCtx {
    id: UserId,
    reload: RwSignal<u32>,
}

impl CardCtx {
    /// A card form's server function: "Saved", `after` and a reload of the card on success,
    /// the refusal as a toast too (the sections are long).
    fn submit<S>(self, after: impl Fn() + 'static) -> Submit<S>
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Submit::saving(self.reload, after)
    }
}

#[component]
pub fn UserCardPage() -> impl IntoView {
    let t = use_t();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(UserId)
    };
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_user_card(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let me = crate::admin::use_admin();
    let password_open = RwSignal::new(false);
    view! {
        <p><a href="/admin/users">{t(Msg::BackToUsers)}</a></p>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                let admin = me.me().await;
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(card) => {
                        let ctx = CardCtx { id: card.user.id, reload };
                        let is_admin = admin.as_ref().is_some_and(|a| a.user.role == Role::Admin);
                        let is_self = admin.as_ref().is_some_and(|a| a.user.id == card.user.id);
                        let can_reward = admin.as_ref().is_some_and(|a| a.modules.contains(Module::Gamification));
                        view! { <Card card ctx is_admin is_self can_reward password_open /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Who or what an entry of the points history came from, when no person gave it.
fn ledger_source(lang: crate::i18n::Lang, source: &str) -> String {
    match source {
        "certification" => Msg::LedgerFromCertification.text(lang).to_owned(),
        "admin" => Msg::LedgerFromApi.text(lang).to_owned(),
        "level" => Msg::LedgerFromLevel.text(lang).to_owned(),
        other => other.to_owned(),
    }
}

#[component]
fn Card(
    card: UserCard,
    ctx: CardCtx,
    is_admin: bool,
    is_self: bool,
    can_reward: bool,
    password_open: RwSignal<bool>,
) -> impl IntoView {
    // Nobody resets their own progress (the server refuses it too).
    let can_reset = !is_self;
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let u = card.user.clone();
    let timeline = card.clone();
    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="card-name">{u.full_name()}</h1>
                <p class="muted">
                    {u.role.label().text(lang)}" · "{u.status.label().text(lang)}
                    {u.telegram_id.map(|t| format!(" · Telegram ID {t}"))}
                    {u.username.clone().map(|n| format!(" · @{n}"))}
                    " · "{Msg::RegisteredOn.with(lang, &[("d", &u.registered_at.format_date(offset))])}
                </p>
            </div>
            <div class="actions">
                {(is_admin && !is_self && u.role != Role::Employee).then(|| view! {
                    <Button kind=ButtonKind::Secondary on_click=move |_| password_open.set(true) test_id="password-button">
                        {if card.has_password { t(Msg::ChangePassword) } else { t(Msg::SetPassword) }}
                    </Button>
                })}
                {(is_admin && !is_self).then(|| view! { <EndSessions ctx /> })}
            </div>
        </div>
        {(u.telegram_id.is_none() && u.status != crate::domain::user::UserStatus::Deactivated).then(|| {
            let id = u.id;
            view! { <crate::scim::page::TelegramInvite id /> }
        })}
        {card.tg_unreachable.clone().map(|(when, why)| view! {
            <p class="notice notice-error" data-testid="tg-unreachable">
                {Msg::TgUnreachable.with(lang, &[("when", &when.format_datetime(offset)), ("why", &why)])}
            </p>
        })}
        <section class="card section" aria-labelledby="progress-h">
            <h2 id="progress-h">{t(Msg::CertProgress)}</h2>
            {if card.progress.is_empty() {
                view! { <p class="muted">{t(Msg::MiniNothingYet)}</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="card-progress">
                        <thead><tr>
                            <th scope="col">{t(Msg::CardCertification)}</th>
                            <th scope="col">{t(Msg::CardState)}</th>
                            <th scope="col">{t(Msg::AttemptsUsed)}</th>
                            <th scope="col">{t(Msg::AttemptsHistoryCol)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
                        </tr></thead>
                        <tbody>
                        {card.progress.clone().into_iter().map(|p| {
                            let cert = p.certification_id;
                            view! {
                                <tr data-testid="card-progress-row">
                                    <td><a href=format!("/admin/certifications/{}/results", p.certification_id)>{p.title.clone()}</a></td>
                                    <td data-testid="card-state">{p.state.admin_text(lang)}</td>
                                    <td data-testid="card-attempts-used">{format!("{} / {}", p.attempts_used, p.max_attempts)}</td>
                                    <td>
                                        {p.attempts.iter().map(|a| view! {
                                            <a class="attempt-link" href=format!("/admin/attempts/{}", a.id) data-testid="attempt-record">
                                                {format!("№{}{}{}", a.number, a.percent.map(|p| format!(" · {p}%")).unwrap_or_default(), if a.flags.0.is_empty() { "" } else { " ⚑" })}
                                            </a>
                                            " "
                                        }).collect_view()}
                                    </td>
                                    <td class="row-actions">
                                        {(can_reset && p.may_grant).then(|| view! { <GrantAttempt ctx cert title=p.title.clone() reviewed=p.full_review /> })}
                                        {(can_reset && !p.attempts.is_empty()).then(|| view! { <ResetProgress ctx cert title=p.title.clone() reviewed=p.full_review /> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card section" aria-labelledby="profile-h">
            <h2 id="profile-h">{t(Msg::Profile)}</h2>
            <ProfileForm card=card.clone() ctx is_admin is_self />
        </section>
        {(is_admin && !is_self && u.role == Role::Manager).then(|| view! {
            <section class="card section" aria-labelledby="branches-h">
                <h2 id="branches-h">{t(Msg::ManagerBranches)}</h2>
                <ManagerBranches card=card.clone() ctx />
            </section>
        })}
        <section class="card section" aria-labelledby="points-h">
            <h2 id="points-h">{t(Msg::PointsAndLevel)}</h2>
            <PointsSection card=card.clone() ctx can_reward />
        </section>
        <section class="card section" aria-labelledby="badges-h">
            <h2 id="badges-h">{t(Msg::Badges)}</h2>
            <BadgesSection card=card.clone() ctx can_reward />
        </section>
        {is_admin.then(|| view! {
            <section class="card section" aria-labelledby="perm-h">
                <h2 id="perm-h">{t(Msg::Permissions)}</h2>
                <PermissionsSection card=card.clone() ctx is_self />
            </section>
        })}
        <super::timeline::Timeline card=timeline />
        <section class="card section" aria-labelledby="ledger-h">
            <h2 id="ledger-h">{t(Msg::PointsHistory)}</h2>
            <table class="table" data-testid="ledger">
                <thead><tr><th scope="col">{t(Msg::When)}</th><th scope="col">{t(Msg::PointsColumn)}</th><th scope="col">{t(Msg::Reason)}</th><th scope="col">{t(Msg::Who)}</th></tr></thead>
                <tbody>
                    {card.ledger.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.created_at.format_datetime(offset)}</td>
                            <td>{if l.delta > 0 { format!("+{}", l.delta) } else { l.delta.to_string() }}</td>
                            <td>{l.reason}</td>
                            <td>{l.admin_name.clone().unwrap_or_else(|| ledger_source(lang, &l.source))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <Dialog open=password_open title=if card.has_password { Msg::ChangePassword } else { Msg::SetPassword } test_id="password-dialog">
            <PasswordForm ctx login=u.login.clone().unwrap_or_default() open=password_open />
        </Dialog>
    }
}

fn dict_options(v: &[(i64, String)]) -> Vec<SelectOption> {
    v.iter()
        .map(|(id, n)| SelectOption {
            value: id.to_string(),
            label: n.clone(),
        })
        .collect()
}

#[component]
fn ProfileForm(card: UserCard, ctx: CardCtx, is_admin: bool, is_self: bool) -> impl IntoView {
    let lang = use_lang();
    let u = card.user.clone();
    let first = RwSignal::new(u.first_name.clone());
    let last = RwSignal::new(u.last_name.clone());
    let role = RwSignal::new(u.role.as_str().to_string());
    let status = RwSignal::new(u.status.as_str().to_string());
    let position = RwSignal::new(u.position_id.map(|p| p.to_string()).unwrap_or_default());
    let branch = RwSignal::new(u.branch_id.map(|b| b.to_string()).unwrap_or_default());
    let submit = ctx.submit::<UpdateUser>(|| ());
    let error = submit.error();
    let roles = Signal::derive(move || {
        Role::ALL
            .iter()
            .map(|r| SelectOption {
                value: r.as_str().into(),
                label: r.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let statuses = Signal::derive(move || {
        UserStatus::ALL
            .iter()
            .map(|s| SelectOption {
                value: s.as_str().into(),
                label: s.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let (b, p) = (dict_options(&card.branches), dict_options(&card.positions));
    let save = move |_| {
        let edit = ProfileEdit {
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            role: role.get_untracked().parse().unwrap_or(Role::Employee),
            status: status.get_untracked().parse().unwrap_or(UserStatus::Active),
            position: position.get_untracked().parse().ok().map(PositionId),
            branch: branch.get_untracked().parse().ok().map(BranchId),
        };
        submit.run(UpdateUser { id: ctx.id, edit });
    };
    let err = error;
    let role_locked = Signal::derive(move || !is_admin || is_self);
    let saved = (
        u.first_name.clone(),
        u.last_name.clone(),
        u.role.as_str().to_string(),
        u.status.as_str().to_string(),
        u.position_id.map(|p| p.to_string()).unwrap_or_default(),
        u.branch_id.map(|b| b.to_string()).unwrap_or_default(),
    );
    let dirty = Signal::derive(move || {
        (
            first.get(),
            last.get(),
            role.get(),
            status.get(),
            position.get(),
            branch.get(),
        ) != saved
    });
    view! {
        <div class="settings-grid" data-testid="profile-form">
            <BoundText name="first_name" label=Msg::FirstName value=first maxlength=64 error=err />
            <BoundText name="last_name" label=Msg::LastName value=last maxlength=64 error=err />
            <Select name="role" label=Msg::RoleField options=roles value=role disabled=role_locked on_change=Callback::new(move |v| role.set(v)) />
            <Select name="status" label=Msg::Status options=statuses value=status disabled=Signal::derive(move || is_self) on_change=Callback::new(move |v| status.set(v)) />
            <Select name="position" label=Msg::PositionField options=Signal::derive(move || p.clone()) value=position on_change=Callback::new(move |v| position.set(v)) />
            <Select name="branch" label=Msg::BranchField options=Signal::derive(move || b.clone()) value=branch on_change=Callback::new(move |v| branch.set(v)) />
        </div>
        <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
        <SaveBar dirty on_save=save test_id="save-user" />
    }
}

#[component]
fn PointsSection(card: UserCard, ctx: CardCtx, can_reward: bool) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let delta = RwSignal::new(0i64);
    let reason = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let level_reason = RwSignal::new(String::new());
    let points = ctx.submit::<AdjustPoints>(|| ());
    let set = ctx.submit::<SetLevel>(|| ());
    let (error, level_error) = (points.error(), set.error());
    let levels = Signal::derive({
        let levels = card.levels.clone();
        move || {
            levels
                .iter()
                .map(|l| SelectOption {
                    value: l.number.to_string(),
                    label: format!("{} — {} ({})", l.number, l.name, l.min_points),
                })
                .collect::<Vec<_>>()
        }
    });
    let apply = move |_| {
        let (d, r) = (delta.get_untracked(), reason.get_untracked());
        points.run(AdjustPoints {
            id: ctx.id,
            delta: d,
            reason: r,
        });
    };
    let apply_level = move |_| {
        let Ok(l) = level.get_untracked().parse::<i64>() else {
            set.refuse(AppError::invalid("level", Msg::ErrChooseLevel));
            return;
        };
        let r = level_reason.get_untracked();
        set.run(SetLevel {
            id: ctx.id,
            level: l,
            reason: r,
        });
    };
    view! {
        <p class="points" data-testid="card-points">{crate::i18n::points(lang, card.balance)}</p>
        <p data-testid="card-level">{card.level.as_ref().map(|l| Msg::LevelLine.with(lang, &[("n", &l.number.to_string()), ("name", &l.name)]))}</p>
        {(!card.user.role.earns_rewards()).then(|| view! { <p class="notice">{t(Msg::NoRewardsForRole)}</p> })}
        <Show when=move || can_reward>
        <div class="inline-form">
            <NumberField name="points_delta" label=Msg::PointsDelta value=delta error />
            <BoundText name="points_reason" label=Msg::Reason value=reason maxlength=500 error=Signal::derive(move || error.get().map(|e| rename_field(e, "reason", "points_reason"))) />
            <Button kind=ButtonKind::Secondary on_click=apply test_id="apply-points">{t(Msg::ApplyPoints)}</Button>
        </div>
        <div class="inline-form">
            <Select name="set_level" label=Msg::SetLevel options=levels value=level on_change=Callback::new(move |v| level.set(v)) />
            <BoundText name="level_reason" label=Msg::Reason value=level_reason maxlength=500 error=Signal::derive(move || level_error.get().map(|e| rename_field(e, "reason", "level_reason"))) />
            <Button kind=ButtonKind::Secondary on_click=apply_level test_id="apply-level">{t(Msg::SetLevel)}</Button>
        </div>
        </Show>
        <ErrorNotice error=Signal::derive(move || error.get().or(level_error.get()).filter(|e| !matches!(e, AppError::Invalid { .. }))) />
    }
}

fn rename_field(e: AppError, from: &str, to: &str) -> AppError {
    match e {
        AppError::Invalid { fields } => AppError::Invalid {
            fields: fields
                .into_iter()
                .map(|mut f| {
                    if f.field == from {
                        f.field = to.to_owned();
                    }
                    f
                })
                .collect(),
        },
        other => other,
    }
}

#[component]
fn BadgesSection(card: UserCard, ctx: CardCtx, can_reward: bool) -> impl IntoView {
    let t = use_t();
    let offset = use_offset();
    let chosen = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let award_it = ctx.submit::<AwardBadge>(|| ());
    let evaluate = ctx.submit::<EvaluateUserBadges>(|| ());
    let error = Signal::derive(move || award_it.last_error().or(evaluate.last_error()));
    let manual = Signal::derive({
        let held: Vec<i64> = card.badges.iter().map(|b| b.badge.id).collect();
        let catalogue = card.catalogue.clone();
        move || {
            catalogue
                .iter()
                .filter(|b| b.kind == "manual" && !held.contains(&b.id))
                .map(|b| SelectOption {
                    value: b.id.to_string(),
                    label: b.name.clone(),
                })
                .collect::<Vec<_>>()
        }
    });
    let award = move |_| {
        let Ok(badge) = chosen.get_untracked().parse::<i64>() else {
            award_it.refuse(AppError::invalid("award_badge", Msg::ErrChooseBadge));
            return;
        };
        let r = reason.get_untracked();
        award_it.run(AwardBadge {
            id: ctx.id,
            badge_id: badge,
            reason: r,
        });
    };
    let revoke_for = RwSignal::new(None::<(i64, String)>);
    let revoke_open = RwSignal::new(false);
    let revoke_reason = RwSignal::new(String::new());
    let revoke = ctx.submit::<RevokeBadge>(move || revoke_open.set(false));
    let revoke_error = revoke.error();
    let do_revoke = move |_| {
        let Some((badge, _)) = revoke_for.get_untracked() else {
            return;
        };
        let r = revoke_reason.get_untracked();
        revoke.run(RevokeBadge {
            id: ctx.id,
            badge_id: badge,
            reason: r,
        });
    };
    let none = card.badges.is_empty();
    view! {
        {none.then(|| view! { <p class="muted">{t(Msg::NoBadgesYet)}</p> })}
        <ul class="badges" data-testid="card-badges">
            {card.badges.into_iter().map(|b| {
                let (id, name) = (b.badge.id, b.badge.name.clone());
                view! {
                    <li class="badge-card earned">
                        {b.badge.icon_url.clone().map(|src| view! { <img src=src alt="" /> })}
                        <strong>{b.badge.name.clone()}</strong>
                        <span class="small">{b.earned_at.map(|t| t.format_date(offset))}</span>
                        {can_reward.then(|| view! {
                            <button type="button" class="btn btn-ghost" on:click=move |_| { revoke_for.set(Some((id, name.clone()))); revoke_open.set(true); }>{t(Msg::Revoke)}</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <Show when=move || can_reward>
        <div class="inline-form">
            <Select name="award_badge" label=Msg::AwardBadge options=manual value=chosen on_change=Callback::new(move |v| chosen.set(v)) />
            <BoundText name="award_reason" label=Msg::Reason value=reason maxlength=500 error=Signal::derive(move || error.get().map(|e| rename_field(e, "reason", "award_reason"))) />
            <Button kind=ButtonKind::Secondary on_click=award test_id="award-badge">{t(Msg::Award)}</Button>
            <Button kind=ButtonKind::Ghost on_click=move |_| evaluate.run(EvaluateUserBadges { id: ctx.id })>{t(Msg::EvaluateRules)}</Button>
        </div>
        </Show>
        <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
        <p class="field-error" role="alert">{move || error.get().and_then(|e| e.field("award_badge")).map(t)}</p>
        <Dialog open=revoke_open title=Msg::Revoke test_id="revoke-dialog">
            <p>{move || revoke_for.get().map(|(_, n)| n)}</p>
            <BoundText name="revoke_reason" label=Msg::Reason value=revoke_reason maxlength=500 error=Signal::derive(move || revoke_error.get().map(|e| rename_field(e, "reason", "revoke_reason"))) />
            <Button kind=ButtonKind::Danger busy=revoke.busy() on_click=do_revoke test_id="revoke-submit">{t(Msg::Revoke)}</Button>
            <ErrorNotice error=Signal::derive(move || revoke_error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
        </Dialog>
    }
}

#[component]
fn PermissionsSection(card: UserCard, ctx: CardCtx, is_self: bool) -> impl IntoView {
    let t = use_t();
    let submit = ctx.submit::<SetPermissions>(|| ());
    let state: Vec<(Module, bool, RwSignal<bool>)> = Module::ALL
        .into_iter()
        .map(|m| {
            (
                m,
                card.role_defaults.contains(m),
                RwSignal::new(card.effective.contains(m)),
            )
        })
        .collect();
    let saved: Vec<bool> = state.iter().map(|(_, _, on)| on.get_untracked()).collect();
    let state = StoredValue::new(state);
    let dirty = Signal::derive(move || {
        state
            .get_value()
            .iter()
            .map(|(_, _, on)| on.get())
            .collect::<Vec<_>>()
            != saved
    });
    let save = move |_| {
        let changes: Vec<(Module, Option<bool>)> = state
            .get_value()
            .into_iter()
            .map(|(m, default, on)| {
                let on = on.get_untracked();
                (m, if on == default { None } else { Some(on) })
            })
            .collect();
        submit.run(SetPermissions {
            id: ctx.id,
            changes,
        });
    };
    view! {
        {is_self.then(|| view! { <p class="notice">{t(Msg::ErrSelfEscalation)}</p> })}
        <fieldset class="permissions" data-testid="permissions" disabled=is_self>
            <legend class="visually-hidden">{t(Msg::Permissions)}</legend>
            {state.get_value().into_iter().map(|(m, default, on)| {
                let id = format!("perm-{}", m.as_str());
                let label_for = id.clone();
                view! {
                    <div class="field-check">
                        <label for=label_for>
                            <input id=id type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />
                            <span>{t(m.label())}</span>
                            <span class="muted small">{if default { t(Msg::ByRoleOn) } else { t(Msg::ByRoleOff) }}</span>
                        </label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
        <ErrorNotice error=submit.error() />
        <SaveBar dirty locked=Signal::derive(move || is_self) on_save=save test_id="save-permissions" />
    }
}

/// The branches a manager is limited to (admins only).
#[component]
fn ManagerBranches(card: UserCard, ctx: CardCtx) -> impl IntoView {
    let t = use_t();
    let chosen: Vec<(BranchId, String, RwSignal<bool>)> = card
        .branches
        .iter()
        .map(|(id, name)| {
            let id = BranchId(*id);
            (
                id,
                name.clone(),
                RwSignal::new(card.manager_branches.contains(&id)),
            )
        })
        .collect();
    let saved: Vec<bool> = chosen.iter().map(|(_, _, on)| on.get_untracked()).collect();
    let chosen = StoredValue::new(chosen);
    let dirty = Signal::derive(move || {
        chosen
            .get_value()
            .iter()
            .map(|(_, _, on)| on.get())
            .collect::<Vec<_>>()
            != saved
    });
    let submit = ctx.submit::<super::SetManagerBranches>(|| ());
    let save = move |_| {
        let branches: Vec<BranchId> = chosen
            .get_value()
            .iter()
            .filter(|(_, _, on)| on.get_untracked())
            .map(|(id, _, _)| *id)
            .collect();
        submit.run(super::SetManagerBranches {
            id: ctx.id,
            branches,
        });
    };
    view! {
        <fieldset class="checks" data-testid="manager-branches">
            <legend class="hint">{t(Msg::ManagerBranchesHint)}</legend>
            {chosen.get_value().into_iter().map(|(_, name, on)| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />
                    " "{name}
                </label>
            }).collect_view()}
        </fieldset>
        <ErrorNotice error=submit.error() />
        <SaveBar dirty on_save=save test_id="save-manager-branches" />
    }
}

/// One more attempt for the person, after a confirmation (the same action as on the results
/// page and in the REST API).
#[component]
fn GrantAttempt(
    ctx: CardCtx,
    cert: crate::domain::CertId,
    title: String,
    /// A full review with the right answers was open to them.
    reviewed: bool,
) -> impl IntoView {
    let lang = use_lang();
    let toasts = use_toasts();
    let user = ctx.id;
    let mut question = Msg::GrantAttemptQuestion.with(lang, &[("title", &title)]);
    if reviewed {
        question = format!("{question} {}", Msg::ResetAfterFullReview.text(lang));
    }
    view! {
        <ConfirmButton label=Msg::GrantAttempt kind=ButtonKind::Secondary
            ids=ConfirmIds { open: "card-grant", dialog: "card-grant-dialog", submit: "card-grant-submit" }
            question
            input=move || crate::taking::GrantAttempt { id: cert, user_id: user }
            done=move |_| { toasts.show(ToastKind::Success, Msg::GrantAttemptDone.text(lang)); ctx.reload.update(|r| *r += 1) } />
    }
}

/// A progress reset from the card: the same reset as on the certification's results page,
/// with a reason and an optional re-read of the theory.
#[component]
fn ResetProgress(
    ctx: CardCtx,
    cert: crate::domain::CertId,
    title: String,
    /// A full review with the right answers was open to them.
    reviewed: bool,
) -> impl IntoView {
    let t = use_t();
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reread = RwSignal::new(false);
    let submit = ctx.submit::<crate::taking::ResetProgress>(move || {
        reason.set(String::new());
        open.set(false);
    });
    let error = submit.error();
    let save = move || {
        submit.run(crate::taking::ResetProgress {
            id: cert,
            user_id: ctx.id,
            reason: reason.get_untracked(),
            require_reread: reread.get_untracked(),
        });
    };
    let err = error;
    view! {
        " "
        <Button kind=ButtonKind::Ghost on_click=move |_| open.set(true) test_id="card-reset">{t(Msg::ResetProgress)}</Button>
        <Dialog open title=Msg::ResetProgress test_id="card-reset-dialog">
            <p>{title.clone()}</p>
            {reviewed.then(|| view! {
                <p class="notice" data-testid="card-reset-reviewed">{t(Msg::ResetAfterFullReview)}</p>
            })}
            <form on:submit=move |ev| { ev.prevent_default(); save(); }>
                <BoundText name="reason" label=Msg::Reason value=reason error=err />
                <label class="check">
                    <input type="checkbox" prop:checked=move || reread.get() on:change=move |ev| reread.set(event_target_checked(&ev)) />
                    " "{t(Msg::RequireReread)}
                </label>
                <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                <Button submit=true busy=submit.busy() test_id="card-reset-submit">{t(Msg::ResetProgress)}</Button>
            </form>
        </Dialog>
    }
}

/// Signs the person out everywhere (a lost phone, a leaver), after a confirmation.
#[component]
fn EndSessions(ctx: CardCtx) -> impl IntoView {
    let t = use_t();
    let open = RwSignal::new(false);
    let submit = ctx.submit::<EndUserSessions>(move || open.set(false));
    let end = move |_| submit.run(EndUserSessions { id: ctx.id });
    view! {
        <Button kind=ButtonKind::Secondary on_click=move |_| open.set(true) test_id="end-sessions">{t(Msg::EndSessions)}</Button>
        <Dialog open title=Msg::EndSessions test_id="end-sessions-dialog">
            <p>{t(Msg::EndSessionsHint)}</p>
            <ErrorNotice error=submit.error() />
            <Button kind=ButtonKind::Danger busy=submit.busy() on_click=end test_id="end-sessions-submit">{t(Msg::EndSessions)}</Button>
        </Dialog>
    }
}

/// Setting a password happens only here, in a modal dialog, with confirmation and the
/// strength rule.
#[component]
fn PasswordForm(ctx: CardCtx, login: String, open: RwSignal<bool>) -> impl IntoView {
    let t = use_t();
    let login = RwSignal::new(login);
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submit = ctx.submit::<SetPassword>(move || {
        password.set(String::new());
        confirm.set(String::new());
        open.set(false);
    });
    let error = submit.error();
    let save = move |_| {
        submit.run(SetPassword {
            id: ctx.id,
            login: login.get_untracked(),
            password: password.get_untracked(),
            confirm: confirm.get_untracked(),
        });
    };
    let err = error;
    view! {
        <form on:submit=move |ev| { ev.prevent_default(); save(()); }>
            <BoundText name="login" label=Msg::LoginField value=login maxlength=64 error=err />
            <BoundText name="password" label=Msg::NewPassword value=password input_type="password" error=err />
            <BoundText name="confirm" label=Msg::ConfirmPassword value=confirm input_type="password" error=err />
            <p class="hint">{t(Msg::PasswordRule)}</p>
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
            <Button submit=true busy=submit.busy() test_id="password-submit">{t(Msg::Save)}</Button>
        </form>
    }
}
