//! Results of a certification for thousands of people: both rates, search, filters (branch,
//! position, state, flagged), sorting by any column, pages, the export of what is filtered,
//! one more attempt or a reset per person, and bulk actions on a selection with a preview of
//! how many people they reach.

use crate::domain::compliance::{CellKind, cell_text};
use crate::domain::{BranchId, CertId, PositionId, UserId};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::taking::{
    BulkAction, BulkOutcome, CertResults, GrantAttempt, ResetProgress, ResultsBulk, ResultsFilter,
    ResultsSort, certification_results,
};
use crate::ui::{
    BoundText, Button, ButtonKind, Checkbox, ConfirmButton, ConfirmIds, Dialog, ErrorNotice,
    Pagination, Select, SelectOption, Spinner, Submit, ToastKind, cell_class, param_i64,
    query_encode, use_toasts,
};
use leptos::prelude::*;

/// What the page narrows and orders by; also the export link's query.
#[derive(Clone, Copy)]
struct Query {
    search: RwSignal<String>,
    branch: RwSignal<String>,
    position: RwSignal<String>,
    state: RwSignal<String>,
    flagged: RwSignal<bool>,
    sort: RwSignal<ResultsSort>,
    desc: RwSignal<bool>,
    page: RwSignal<i64>,
}

impl Query {
    fn filter(&self) -> ResultsFilter {
        ResultsFilter {
            search: Some(self.search.get()).filter(|s| !s.trim().is_empty()),
            branch: self.branch.get().parse().ok().map(BranchId),
            position: self.position.get().parse().ok().map(PositionId),
            state: CellKind::parse(&self.state.get()),
            flagged: self.flagged.get(),
        }
    }

    fn export_href(&self, id: CertId, ext: &str) -> String {
        let f = self.filter();
        let mut q = vec![
            format!("sort={}", self.sort.get().as_str()),
            format!("desc={}", self.desc.get()),
            format!("flagged={}", f.flagged),
        ];
        if let Some(s) = f.search {
            q.push(format!("search={}", query_encode(&s)));
        }
        if let Some(b) = f.branch {
            q.push(format!("branch={}", b.0));
        }
        if let Some(p) = f.position {
            q.push(format!("position={}", p.0));
        }
        if let Some(s) = f.state {
            q.push(format!("state={}", s.as_str()));
        }
        format!("/admin/certifications/{id}/results.{ext}?{}", q.join("&"))
    }
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let raw_id = param_i64("id");
    let id = move || raw_id().map(CertId);
    let q = Query {
        search: RwSignal::new(String::new()),
        branch: RwSignal::new(String::new()),
        position: RwSignal::new(String::new()),
        state: RwSignal::new(String::new()),
        flagged: RwSignal::new(false),
        sort: RwSignal::new(ResultsSort::Name),
        desc: RwSignal::new(false),
        page: RwSignal::new(1),
    };
    let reload = RwSignal::new(0u32);
    // The chosen people; `everyone`: all the filter keeps, on every page.
    let selected = RwSignal::new(Vec::<UserId>::new());
    let everyone = RwSignal::new(false);
    Effect::new(move |_| {
        let _ = q.filter();
        q.page.set(1);
        selected.set(Vec::new());
        everyone.set(false);
    });
    let data = Resource::new(
        move || {
            (
                id(),
                q.filter(),
                q.sort.get(),
                q.desc.get(),
                q.page.get(),
                reload.get(),
            )
        },
        |(id, f, sort, desc, page, _)| async move {
            match id {
                Some(id) => {
                    certification_results(
                        id,
                        Some(f.flagged),
                        f.search,
                        f.branch,
                        f.position,
                        f.state,
                        Some(sort),
                        Some(desc),
                        Some(page),
                    )
                    .await
                }
                None => Err(AppError::NotFound),
            }
        },
    );
    let states = Signal::derive(move || {
        CellKind::ALL
            .into_iter()
            .map(|k| SelectOption {
                value: k.as_str().into(),
                label: k.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    view! {
        <p>{move || id().map(|id| view! { <a href=format!("/admin/certifications/{id}")>{t(Msg::BackToEditor)}</a> })}</p>
        // The heading, then the search (outside the reloading part: typing keeps the focus),
        // then the rest; both parts read the same resource.
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|d| {
                    let cert = id().unwrap_or(CertId(0));
                    view! {
                        <div class="page-head">
                            <h1>{t(Msg::Results)}": "{d.title.clone()}</h1>
                            <div class="actions">
                                <a class="btn btn-secondary" href=move || q.export_href(cert, "csv") download="" data-testid="results-export">{t(Msg::ExportCsv)}</a>
                                <a class="btn btn-secondary" href=move || q.export_href(cert, "xlsx") download="" data-testid="results-export-xlsx">{t(Msg::ExportXlsx)}</a>
                            </div>
                        </div>
                        <RatesLine d=d.clone() />
                    }
                })
            })}
        </Transition>
        <div class="filters">
            <BoundText name="results_search" label=Msg::SearchByName value=q.search input_type="search" />
            <Checkbox name="flagged_only" label=Msg::FlaggedOnly checked=q.flagged />
        </div>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => {
                        let options = |entries: &[(i64, String)]| {
                            let list: Vec<SelectOption> = entries
                                .iter()
                                .map(|(id, name)| SelectOption { value: id.to_string(), label: name.clone() })
                                .collect();
                            Signal::derive(move || list.clone())
                        };
                        let pages = Signal::derive({
                            let (total, per) = (d.total, d.per_page);
                            move || ((total + per - 1) / per).max(1)
                        });
                        let cert = id().unwrap_or(CertId(0));
                        view! {
                            <div class="filters">
                                <Select name="branch" label=Msg::BranchField options=options(&d.branches) value=q.branch
                                    all=Msg::AllBranches on_change=Callback::new(move |s| q.branch.set(s)) />
                                <Select name="position" label=Msg::PositionField options=options(&d.positions) value=q.position
                                    all=Msg::AllPositions on_change=Callback::new(move |s| q.position.set(s)) />
                                <Select name="state" label=Msg::ComplianceState options=states value=q.state
                                    all=Msg::AllStates on_change=Callback::new(move |s| q.state.set(s)) />
                            </div>
                            <BulkBar cert q selected everyone total=d.total reload />
                            <Table d=d.clone() cert q selected everyone reload />
                            <Pagination page=q.page pages />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        // Outside the Transition: its own resource (a resource made inside another Suspense's
        // async block breaks hydration).
        <crate::analytics::page::CertStatsSection id=Signal::derive(id) />
    }
}

/// Both rates, each named: completion over everyone assigned, the pass rate over those who
/// finished an attempt.
#[component]
fn RatesLine(d: CertResults) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let r = d.rates;
    view! {
        <p class="rates" data-testid="pass-rate">
            {r.completion_text(lang).unwrap_or_else(|| t(Msg::NobodyAssigned).to_owned())}
            {r.pass_rate_text(lang).map(|s| format!(" · {s}"))}
        </p>
    }
}

/// A column header that sorts the table (again: the other way).
#[component]
fn SortHeader(label: Msg, key: ResultsSort, q: Query) -> impl IntoView {
    let t = use_t();
    let aria = move || match (q.sort.get() == key, q.desc.get()) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = move || match (q.sort.get() == key, q.desc.get()) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    view! {
        <th scope="col" aria-sort=aria>
            <button type="button" class="th-sort" data-sort=key.as_str() on:click=move |_| {
                if q.sort.get_untracked() == key {
                    q.desc.update(|d| *d = !*d);
                } else {
                    q.sort.set(key);
                    q.desc.set(false);
                }
                q.page.set(1);
            }>{t(label)}<span aria-hidden="true">{arrow}</span></button>
        </th>
    }
}

#[component]
fn Table(
    d: CertResults,
    cert: CertId,
    q: Query,
    selected: RwSignal<Vec<UserId>>,
    everyone: RwSignal<bool>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    let toasts = use_toasts();
    if d.rows.is_empty() {
        return view! { <p class="hint" data-testid="results-empty">{t(Msg::NothingFound)}</p> }
            .into_any();
    }
    let on_page: Vec<UserId> = d.rows.iter().map(|l| l.row.user_id).collect();
    let on_page = StoredValue::new(on_page);
    let all_on_page = move || {
        everyone.get()
            || on_page
                .get_value()
                .iter()
                .all(|u| selected.with(|s| s.contains(u)))
    };
    // The person, their name, and whether a full review could show them the right answers.
    let reset_for = RwSignal::new(None::<(UserId, String, bool)>);
    let reset_open = RwSignal::new(false);
    view! {
        <div class="table-scroll" tabindex="0">
        <table class="table" data-testid="results-table">
            <thead><tr>
                <th scope="col">
                    <input type="checkbox" aria-label=t(Msg::SelectPage) data-testid="select-page"
                        prop:checked=all_on_page
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            everyone.set(false);
                            selected.update(|s| {
                                for u in on_page.get_value() {
                                    s.retain(|x| *x != u);
                                    if on {
                                        s.push(u);
                                    }
                                }
                            });
                        } />
                </th>
                <SortHeader label=Msg::Person key=ResultsSort::Name q />
                <SortHeader label=Msg::BranchField key=ResultsSort::Branch q />
                <SortHeader label=Msg::PositionField key=ResultsSort::Position q />
                <SortHeader label=Msg::ComplianceState key=ResultsSort::State q />
                <SortHeader label=Msg::AttemptsUsed key=ResultsSort::Attempts q />
                <SortHeader label=Msg::BestResult key=ResultsSort::Best q />
                <SortHeader label=Msg::PassedAt key=ResultsSort::PassedAt q />
                <th scope="col">{t(Msg::Integrity)}</th>
                <th scope="col"><span class="visually-hidden">{t(Msg::Actions)}</span></th>
            </tr></thead>
            <tbody>
                {d.rows.into_iter().map(|l| {
                    let r = l.row.clone();
                    let name = r.name();
                    let user = r.user_id;
                    let n2 = name.clone();
                    let reviewed = l.full_review;
                    // Nothing to reset before a first attempt.
                    let has_progress = r.attempts_used.unwrap_or(0) > 0 || r.best_percent.is_some();
                    let grant_question = Msg::GrantAttemptWho.with(lang, &[("name", &name)]);
                    view! {
                        <tr data-testid="results-row">
                            <td>
                                <input type="checkbox" aria-label=Msg::SelectPerson.with(lang, &[("name", &name)]) data-testid="select-row"
                                    prop:checked=move || everyone.get() || selected.with(|s| s.contains(&user))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        if everyone.get_untracked() {
                                            // Leaving "everyone": the page's people stay chosen.
                                            everyone.set(false);
                                            selected.set(on_page.get_value());
                                        }
                                        selected.update(|s| {
                                            s.retain(|x| *x != user);
                                            if on {
                                                s.push(user);
                                            }
                                        });
                                    } />
                            </td>
                            <td><a href=format!("/admin/users/{user}") data-testid="results-name">{name.clone()}</a>
                                {(r.resets.unwrap_or(0) > 0).then(|| view! { " "<span class="badge">{Msg::ResetsN.with(lang, &[("n", &r.resets.unwrap_or(0).to_string())])}</span> })}
                            </td>
                            <td>{r.branch.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>{r.position.clone().unwrap_or_else(|| "—".into())}</td>
                            <td><span class=cell_class(l.state) data-testid="results-state">{cell_text(l.state, lang)}</span></td>
                            <td>{format!("{} / {}", r.attempts_used.unwrap_or(0), d.max_attempts)}{(r.in_progress > 0).then(|| format!(" · {}", t(Msg::InProgressShort)))}</td>
                            <td>{r.best_percent.map(|b| format!("{b}%")).unwrap_or_else(|| "—".into())}</td>
                            <td>{r.passed_at.map(|p| p.format_date(offset)).unwrap_or_else(|| "—".into())}</td>
                            <td>{r.last_attempt_id.map(|a| view! {
                                <a href=format!("/admin/attempts/{a}") data-testid="attempt-record">
                                    {if r.flagged > 0 { Msg::FlaggedN.with(lang, &[("n", &r.flagged.to_string())]) } else { t(Msg::AttemptRecordLink).to_owned() }}
                                </a>
                            })}</td>
                            <td class="row-actions">
                                {l.may_grant.then(|| view! {
                                    <ConfirmButton label=Msg::GrantAttempt kind=ButtonKind::Secondary
                                        ids=ConfirmIds { open: "grant", dialog: "grant-dialog", submit: "grant-submit" }
                                        question=grant_question.clone()
                                        input=move || GrantAttempt { id: cert, user_id: user }
                                        done=move |_| { toasts.show(ToastKind::Success, Msg::GrantAttemptDone.text(lang)); reload.update(|x| *x += 1) } />
                                })}
                                " "
                                {has_progress.then(|| view! {
                                    <Button kind=ButtonKind::Ghost on_click=move |_| { reset_for.set(Some((user, n2.clone(), reviewed))); reset_open.set(true); }>
                                        {t(Msg::ResetProgress)}
                                    </Button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <ResetDialog cert reset_for open=reset_open reload />
    }
    .into_any()
}

/// One person's reset, with a reason and an optional re-read of the theory.
#[component]
fn ResetDialog(
    cert: CertId,
    reset_for: RwSignal<Option<(UserId, String, bool)>>,
    open: RwSignal<bool>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let reason = RwSignal::new(String::new());
    let reread = RwSignal::new(false);
    let reset = Submit::<ResetProgress>::new().done(move |_| {
        toasts.show(ToastKind::Success, Msg::ResetDone.text(lang));
        open.set(false);
        reason.set(String::new());
        reload.update(|x| *x += 1);
    });
    let error = reset.error();
    let do_reset = move |_| {
        let Some((user, _, _)) = reset_for.get_untracked() else {
            return;
        };
        reset.run(ResetProgress {
            id: cert,
            user_id: user,
            reason: reason.get_untracked(),
            require_reread: reread.get_untracked(),
        });
    };
    view! {
        <Dialog open title=Msg::ResetProgress test_id="reset-dialog">
            <p>{move || reset_for.get().map(|(_, n, _)| Msg::ResetWho.with(lang, &[("name", &n)]))}</p>
            {move || reset_for.get().filter(|r| r.2).map(|_| view! {
                <p class="notice" data-testid="reset-reviewed">{t(Msg::ResetAfterFullReview)}</p>
            })}
            <BoundText name="reason" label=Msg::Reason value=reason maxlength=500 error />
            <Checkbox name="reset_reread" label=Msg::RequireReread checked=reread />
            <ErrorNotice error=Signal::derive(move || error.get().filter(|e| e.field("reason").is_none())) />
            <Button kind=ButtonKind::Danger busy=reset.busy() on_click=do_reset test_id="reset-submit">{t(Msg::ResetProgress)}</Button>
        </Dialog>
    }
}

/// The chosen people and what to do with them: the preview says how many the action reaches
/// before it runs.
#[component]
fn BulkBar(
    cert: CertId,
    q: Query,
    selected: RwSignal<Vec<UserId>>,
    everyone: RwSignal<bool>,
    total: i64,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let action = RwSignal::new(String::from("remind"));
    let reason = RwSignal::new(String::new());
    let reread = RwSignal::new(false);
    let open = RwSignal::new(false);
    let preview = RwSignal::new(None::<BulkOutcome>);
    // The same function twice: a dry run says whom it reaches, then the run itself.
    let previewing = Submit::<ResultsBulk>::new().done(move |out| preview.set(Some(out)));
    let applying = Submit::<ResultsBulk>::new().done(move |out| {
        open.set(false);
        preview.set(None);
        selected.set(Vec::new());
        everyone.set(false);
        toasts.show(
            ToastKind::Success,
            Msg::BulkDone.with(lang, &[("n", &out.done.to_string())]),
        );
        reload.update(|x| *x += 1);
    });
    let error = Signal::derive(move || applying.last_error().or(previewing.last_error()));
    let busy = Signal::derive(move || previewing.is_busy() || applying.is_busy());
    let chosen = move || {
        if everyone.get() {
            total
        } else {
            selected.with(Vec::len) as i64
        }
    };
    let build = move || -> BulkAction {
        match action.get_untracked().as_str() {
            "grant" => BulkAction::GrantAttempt,
            "reset" => BulkAction::Reset {
                reason: reason.get_untracked(),
                require_reread: reread.get_untracked(),
            },
            _ => BulkAction::Remind,
        }
    };
    let run = move |dry_run: bool| {
        let filter = q.filter();
        let sel = (!everyone.get_untracked()).then(|| selected.get_untracked());
        let input = ResultsBulk {
            id: cert,
            filter,
            selected: sel,
            action: build(),
            dry_run,
        };
        if dry_run { previewing } else { applying }.run(input);
    };
    let actions = Signal::derive(move || {
        [
            ("remind", Msg::BulkRemind),
            ("grant", Msg::GrantAttempt),
            ("reset", Msg::ResetProgress),
        ]
        .into_iter()
        .map(|(v, m)| SelectOption {
            value: v.into(),
            label: m.text(lang).into(),
        })
        .collect::<Vec<_>>()
    });
    view! {
        <div class="bulk-bar" data-testid="bulk-bar">
            <span data-testid="bulk-chosen">{move || Msg::BulkChosen.with(lang, &[("n", &chosen().to_string())])}</span>
            {move || (!everyone.get() && total > 0).then(|| view! {
                <Button kind=ButtonKind::Ghost on_click=move |_| everyone.set(true) test_id="select-all-matching">
                    {Msg::SelectAllMatching.with(lang, &[("n", &total.to_string())])}
                </Button>
            })}
            <Select name="bulk_action" label=Msg::BulkAction options=actions value=action
                on_change=Callback::new(move |v| action.set(v)) />
            <Button kind=ButtonKind::Secondary disabled=Signal::derive(move || chosen() == 0)
                on_click=move |_| { preview.set(None); previewing.forget(); applying.forget(); open.set(true); if action.get_untracked() != "reset" { run(true) } }
                test_id="bulk-open">{t(Msg::BulkApply)}</Button>
        </div>
        <Dialog open title=Msg::BulkAction test_id="bulk-dialog">
            <Show when=move || action.get() == "reset">
                <BoundText name="bulk_reason" label=Msg::Reason value=reason maxlength=500 />
                <Checkbox name="bulk_reread" label=Msg::RequireReread checked=reread />
                <Button kind=ButtonKind::Secondary busy on_click=move |_| run(true) test_id="bulk-preview">{t(Msg::BulkPreview)}</Button>
            </Show>
            <p data-testid="bulk-preview-text">{move || preview.get().map(|p| {
                let key = match action.get().as_str() {
                    "remind" => Msg::BulkPreviewRemind,
                    _ => Msg::BulkPreviewApplies,
                };
                key.with(lang, &[
                    ("chosen", &p.chosen.to_string()),
                    ("applies", &p.applies.to_string()),
                    ("reached", &p.reached.to_string()),
                ])
            })}</p>
            <ErrorNotice error=Signal::derive(move || error.get()) />
            <Button kind=ButtonKind::Primary busy disabled=Signal::derive(move || preview.get().is_none_or(|p| p.reached == 0))
                on_click=move |_| run(false) test_id="bulk-submit">{t(Msg::BulkConfirm)}</Button>
        </Dialog>
    }
}
