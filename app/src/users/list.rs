//! The users list: search, filters, sorting, pagination; activation of pending people,
//! pre-registration and CSV import; the dictionaries of branches and positions.

use super::{ActivateUser, ImportUsers, NewPerson, PreregisterUser, list_users};
use crate::dictionaries::{AddDictionaryEntry, DictKind, list_dictionaries};
use crate::domain::user::{Role, UserStatus};
use crate::domain::{BranchId, PositionId, UserId};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{
    BoundText, Button, ButtonKind, Dialog, ErrorNotice, NumberField, Pagination, Select,
    SelectOption, Spinner, Submit, ToastKind, use_toasts,
};
use leptos::prelude::*;

fn opts(v: &[crate::dictionaries::Entry]) -> Vec<SelectOption> {
    v.iter()
        .map(|e| SelectOption {
            value: e.id.to_string(),
            label: e.name.clone(),
        })
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let search = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_string());
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        search.track();
        role.track();
        status.track();
        branch.track();
        position.track();
        sort.track();
        page.set(1);
    });
    let users = Resource::new(
        move || {
            (
                search.get(),
                role.get(),
                status.get(),
                branch.get(),
                position.get(),
                sort.get(),
                page.get(),
                reload.get(),
            )
        },
        |(search, role, status, branch, position, sort, page, _)| {
            list_users(
                Some(search).filter(|s| !s.trim().is_empty()),
                role.parse().ok(),
                status.parse().ok(),
                branch.parse().ok().map(BranchId),
                position.parse().ok().map(PositionId),
                sort,
                page,
            )
        },
    );
    let dicts = Resource::new(move || reload.get(), |_| list_dictionaries());
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
    let sorts = Signal::derive(move || {
        [
            ("name", Msg::SortName),
            ("registered", Msg::SortRegistered),
            ("points", Msg::SortPoints),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    let activate_for = RwSignal::new(None::<(UserId, String)>);
    let activate_open = RwSignal::new(false);
    let pre_open = RwSignal::new(false);
    let import_open = RwSignal::new(false);
    view! {
        <div class="page-head">
            <h1>{t(Msg::ModuleUsers)}</h1>
            <div class="actions">
                <Button on_click=move |_| pre_open.set(true) test_id="preregister">{t(Msg::Preregister)}</Button>
                <Button kind=ButtonKind::Secondary on_click=move |_| import_open.set(true)>{t(Msg::ImportUsers)}</Button>
                <a class="btn btn-secondary" href="/admin/users/dictionaries">{t(Msg::Dictionaries)}</a>
            </div>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let d = dicts.await.unwrap_or_default();
                let (b, p) = (opts(&d.branches), opts(&d.positions));
                view! {
                    <div class="filters">
                        <BoundText name="user_search" label=Msg::SearchUsers value=search />
                        <Select name="filter_role" label=Msg::RoleField options=roles value=role all=Msg::AllRoles on_change=Callback::new(move |v| role.set(v)) />
                        <Select name="filter_status" label=Msg::Status options=statuses value=status all=Msg::AllStatuses on_change=Callback::new(move |v| status.set(v)) />
                        <Select name="filter_branch" label=Msg::BranchField options=Signal::derive(move || b.clone()) value=branch all=Msg::AllBranches on_change=Callback::new(move |v| branch.set(v)) />
                        <Select name="filter_position" label=Msg::PositionField options=Signal::derive(move || p.clone()) value=position all=Msg::AllPositions on_change=Callback::new(move |v| position.set(v)) />
                        <Select name="sort" label=Msg::SortBy options=sorts value=sort on_change=Callback::new(move |v| sort.set(v)) />
                    </div>
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(p) => {
                        let pages = p.pages();
                        view! {
                            <div class="table-scroll" tabindex="0"><table class="table" data-testid="users-table">
                                <thead><tr>
                                    <th scope="col">{t(Msg::Person)}</th>
                                    <th scope="col">{t(Msg::TelegramIdField)}</th>
                                    <th scope="col">{t(Msg::RoleField)}</th>
                                    <th scope="col">{t(Msg::Status)}</th>
                                    <th scope="col">{t(Msg::PositionField)}</th>
                                    <th scope="col">{t(Msg::BranchField)}</th>
                                    <th scope="col">{t(Msg::PointsColumn)}</th>
                                    <th scope="col">{t(Msg::RateCompletionHeader)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|r| {
                                        let id = r.user.id;
                                        let name = r.user.list_name();
                                        let pending = r.user.status == UserStatus::Pending;
                                        let n2 = name.clone();
                                        view! {
                                            <tr>
                                                <td><a href=format!("/admin/users/{id}")>{name}</a>
                                                    {r.user.username.clone().map(|u| view! { <span class="muted small">" @"{u}</span> })}</td>
                                                <td>{r.user.telegram_id.map(|t| t.to_string())}</td>
                                                <td>{r.user.role.label().text(lang)}</td>
                                                <td>{r.user.status.label().text(lang)}
                                                    {pending.then(|| view! {
                                                        " "<button type="button" class="btn btn-secondary" data-testid="activate"
                                                            on:click=move |_| { activate_for.set(Some((id, n2.clone()))); activate_open.set(true); }>{t(Msg::Activate)}</button>
                                                    })}
                                                </td>
                                                <td>{r.position.clone()}</td>
                                                <td>{r.branch.clone()}</td>
                                                <td>{r.points}</td>
                                                <td data-testid="user-completion">{match r.certs.completion() {
                                                    Some(p) => format!("{p}% ({} / {})", r.certs.passed, r.certs.assigned),
                                                    None => "—".to_owned(),
                                                }}</td>
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
        <Dialog open=activate_open title=Msg::Activate test_id="activate-dialog">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let d = dicts.await.unwrap_or_default();
                    view! { <ActivateForm who=activate_for branches=opts(&d.branches) positions=opts(&d.positions)
                        done=Callback::new(move |_| { activate_open.set(false); reload.update(|r| *r += 1); toasts.show(ToastKind::Success, Msg::Saved.text(lang)); }) /> }
                })}
            </Suspense>
        </Dialog>
        <Dialog open=pre_open title=Msg::Preregister test_id="preregister-dialog">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let d = dicts.await.unwrap_or_default();
                    view! { <PreregisterForm branches=opts(&d.branches) positions=opts(&d.positions)
                        done=Callback::new(move |_| { pre_open.set(false); reload.update(|r| *r += 1); toasts.show(ToastKind::Success, Msg::Saved.text(lang)); }) /> }
                })}
            </Suspense>
        </Dialog>
        <Dialog open=import_open title=Msg::ImportUsers test_id="import-users-dialog">
            <ImportUsersForm done=Callback::new(move |_| reload.update(|r| *r += 1)) />
        </Dialog>
    }
}

#[component]
fn ActivateForm(
    who: RwSignal<Option<(UserId, String)>>,
    branches: Vec<SelectOption>,
    positions: Vec<SelectOption>,
    done: Callback<()>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let activate = Submit::<ActivateUser>::new().done(move |_| done.run(()));
    let error = activate.error();
    let submit = move |_| {
        let Some((id, _)) = who.get_untracked() else {
            return;
        };
        let (Ok(p), Ok(b)) = (
            position.get_untracked().parse(),
            branch.get_untracked().parse(),
        ) else {
            activate.refuse(AppError::refused(Msg::ErrChoosePlacement));
            return;
        };
        activate.run(ActivateUser {
            id,
            position: PositionId(p),
            branch: BranchId(b),
        });
    };
    view! {
        <p>{move || who.get().map(|(_, n)| Msg::ActivateWho.with(lang, &[("name", &n)]))}</p>
        <Select name="activate_position" label=Msg::PositionField options=Signal::derive(move || positions.clone()) value=position required=true on_change=Callback::new(move |v| position.set(v)) />
        <Select name="activate_branch" label=Msg::BranchField options=Signal::derive(move || branches.clone()) value=branch required=true on_change=Callback::new(move |v| branch.set(v)) />
        <ErrorNotice error />
        <Button busy=activate.busy() on_click=submit test_id="activate-submit">{t(Msg::Activate)}</Button>
    }
}

#[component]
fn PreregisterForm(
    branches: Vec<SelectOption>,
    positions: Vec<SelectOption>,
    done: Callback<()>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let tg = RwSignal::new(0i64);
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let role = RwSignal::new("employee".to_string());
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let preregister = Submit::<PreregisterUser>::new().done(move |_| done.run(()));
    let error = preregister.error();
    let roles = Signal::derive(move || {
        Role::ALL
            .iter()
            .map(|r| SelectOption {
                value: r.as_str().into(),
                label: r.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let submit = move |_| {
        let person = NewPerson {
            telegram_id: tg.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            role: role.get_untracked().parse().unwrap_or(Role::Employee),
            position: position.get_untracked().parse().ok().map(PositionId),
            branch: branch.get_untracked().parse().ok().map(BranchId),
        };
        preregister.run(PreregisterUser { person });
    };
    let err = error;
    view! {
        <NumberField name="telegram_id" label=Msg::TelegramIdField value=tg min=1 error=err />
        <BoundText name="pre_first_name" label=Msg::FirstName value=first maxlength=64 error=Signal::derive(move || error.get().map(|e| rename(e, "first_name", "pre_first_name"))) />
        <BoundText name="pre_last_name" label=Msg::LastName value=last maxlength=64 />
        <Select name="pre_role" label=Msg::RoleField options=roles value=role on_change=Callback::new(move |v| role.set(v)) />
        <Select name="pre_position" label=Msg::PositionField options=Signal::derive(move || positions.clone()) value=position on_change=Callback::new(move |v| position.set(v)) />
        <Select name="pre_branch" label=Msg::BranchField options=Signal::derive(move || branches.clone()) value=branch on_change=Callback::new(move |v| branch.set(v)) />
        <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
        <Button busy=preregister.busy() on_click=submit test_id="preregister-submit">{t(Msg::Save)}</Button>
    }
}

/// Server field names differ from this form's field ids in a few places.
fn rename(e: AppError, from: &str, to: &str) -> AppError {
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
fn ImportUsersForm(done: Callback<()>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let data = RwSignal::new(String::new());
    let import = Submit::<ImportUsers>::new().done(move |rep| {
        if rep.errors.is_empty() {
            done.run(());
        }
    });
    let report = import.action.value();
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
        import.run(ImportUsers {
            csv: data.get_untracked(),
        })
    };
    view! {
        <p class="hint">{t(Msg::ImportUsersHint)}</p>
        <div class="field">
            <label for="users-file">{t(Msg::File)}</label>
            <input id="users-file" type="file" accept=".csv" on:change=on_file />
        </div>
        <Button busy=import.busy() on_click=submit test_id="import-users-submit">{t(Msg::Import)}</Button>
        {move || report.get().map(|r| match r {
            Err(e) => view! { <div class="notice notice-error" role="alert">{e.message(lang)}</div> }.into_any(),
            Ok(rep) if rep.errors.is_empty() => view! { <div class="notice notice-ok" role="status">{Msg::ImportedUsers.with(lang, &[("n", &rep.imported.to_string())])}</div> }.into_any(),
            Ok(rep) => view! {
                <div class="notice notice-error" role="alert">
                    <p>{t(Msg::ImportNothing)}</p>
                    <ul>{rep.errors.into_iter().map(|e| view! {
                        <li>{Msg::RowN.with(lang, &[("n", &e.row.to_string())])}" · "{e.field}": "{e.msg.text(lang)}{e.detail.map(|d| format!(" ({d})"))}</li>
                    }).collect_view()}</ul>
                </div>
            }.into_any(),
        })}
    }
}

#[component]
pub fn DictionariesPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let reload = RwSignal::new(0u32);
    let dicts = Resource::new(move || reload.get(), |_| list_dictionaries());
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    // One action per dictionary: each clears its own field.
    let adder = move |value: RwSignal<String>| {
        Submit::<AddDictionaryEntry>::new()
            .done(move |_| {
                value.set(String::new());
                reload.update(|r| *r += 1);
                toasts.show(ToastKind::Success, Msg::Saved.text(lang));
            })
            .failed(move |e| toasts.show(ToastKind::Error, e.message(lang)))
    };
    let (add_branch, add_position) = (adder(branch), adder(position));
    let add = move |kind: DictKind, value: RwSignal<String>| {
        let submit = match kind {
            DictKind::Branch => add_branch,
            DictKind::Position => add_position,
        };
        submit.run(AddDictionaryEntry {
            kind,
            name: value.get_untracked(),
        });
    };
    view! {
        <p><a href="/admin/users">{t(Msg::BackToUsers)}</a></p>
        <h1>{t(Msg::Dictionaries)}</h1>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match dicts.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => view! {
                        <div class="two-cols">
                            <section class="card section">
                                <h2>{t(Msg::Branches)}</h2>
                                <ul>{d.branches.into_iter().map(|e| view! { <li>{e.name}</li> }).collect_view()}</ul>
                            </section>
                            <section class="card section">
                                <h2>{t(Msg::Positions)}</h2>
                                <ul>{d.positions.into_iter().map(|e| view! { <li>{e.name}</li> }).collect_view()}</ul>
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        <div class="inline-form">
            <BoundText name="new_branch" label=Msg::NewBranch value=branch maxlength=100 />
            <Button kind=ButtonKind::Secondary on_click=move |_| add(DictKind::Branch, branch)>{t(Msg::Add)}</Button>
            <BoundText name="new_position" label=Msg::NewPosition value=position maxlength=100 />
            <Button kind=ButtonKind::Secondary on_click=move |_| add(DictKind::Position, position)>{t(Msg::Add)}</Button>
        </div>
    }
}
