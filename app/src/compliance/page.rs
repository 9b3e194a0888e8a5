//! `/admin/compliance`: the matrix with its filters, the pass rate per branch and position,
//! and the CSV of what is filtered. Cells carry words, not colour alone.

use super::{ComplianceFilter, ComplianceView, GroupRate, compliance_matrix};
use crate::domain::compliance::cell_text;
use crate::domain::compliance::{Cell, CellKind};
use crate::domain::{BranchId, PositionId};
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::ui::{ErrorNotice, Pagination, Select, SelectOption, Spinner};
use leptos::prelude::*;

fn cell_class(c: Cell) -> &'static str {
    match c.kind() {
        None => "cell",
        Some(CellKind::Passed) => "cell cell-passed",
        Some(CellKind::Failed) => "cell cell-failed",
        Some(CellKind::Overdue) => "cell cell-overdue",
        Some(CellKind::InProgress) => "cell cell-progress",
        Some(CellKind::NotStarted) => "cell cell-new",
    }
}

/// The query string of the filter, for the export link.
fn query(branch: &str, position: &str, state: &str) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("branch", branch), ("position", position), ("state", state)] {
        if !v.is_empty() {
            parts.push(format!("{k}={v}"));
        }
    }
    parts.join("&")
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let branch = RwSignal::new(String::new());
    let position = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    Effect::new(move |_| {
        branch.track();
        position.track();
        state.track();
        page.set(1);
    });
    let data = Resource::new(
        move || (branch.get(), position.get(), state.get(), page.get()),
        |(b, p, s, page)| {
            compliance_matrix(ComplianceFilter {
                branch: b.parse().ok().map(BranchId),
                position: p.parse().ok().map(PositionId),
                state: CellKind::parse(&s),
                page,
            })
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
    let export = move |ext: &str| {
        format!(
            "/admin/compliance.{ext}?{}",
            query(&branch.get(), &position.get(), &state.get())
        )
    };
    view! {
        <div class="page-head">
            <h1>{t(Msg::ComplianceTitle)}</h1>
            <div class="actions">
                <a class="btn btn-secondary" href=move || export("csv") download="" data-testid="compliance-export">{t(Msg::ExportCsv)}</a>
                <a class="btn btn-secondary" href=move || export("xlsx") download="" data-testid="compliance-export-xlsx">{t(Msg::ExportXlsx)}</a>
            </div>
        </div>
        <p class="hint">{t(Msg::ComplianceIntro)}</p>
        <Transition fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(v) => {
                        let options = |entries: &[crate::dictionaries::Entry]| {
                            let list: Vec<SelectOption> = entries
                                .iter()
                                .map(|e| SelectOption { value: e.id.to_string(), label: e.name.clone() })
                                .collect();
                            Signal::derive(move || list.clone())
                        };
                        let pages = Signal::derive({
                            let (total, per) = (v.total, v.per_page);
                            move || ((total + per - 1) / per).max(1)
                        });
                        view! {
                            <div class="filters">
                                <Select name="branch" label=Msg::BranchField options=options(&v.branches) value=branch
                                    all=Msg::AllBranches on_change=Callback::new(move |s| branch.set(s)) />
                                <Select name="position" label=Msg::PositionField options=options(&v.positions) value=position
                                    all=Msg::AllPositions on_change=Callback::new(move |s| position.set(s)) />
                                <Select name="state" label=Msg::ComplianceState options=states value=state
                                    all=Msg::AllStates on_change=Callback::new(move |s| state.set(s)) />
                            </div>
                            <Matrix v=v.clone() />
                            <Pagination page pages />
                            <Rates title=Msg::ComplianceByBranch v=v.clone() groups=v.by_branch.clone() test_id="by-branch" />
                            <Rates title=Msg::ComplianceByPosition v=v.clone() groups=v.by_position.clone() test_id="by-position" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Matrix(v: ComplianceView) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let offset = use_offset();
    if v.rows.is_empty() {
        return view! { <p class="hint" data-testid="compliance-empty">{t(Msg::ComplianceEmpty)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="table matrix" data-testid="compliance-table">
                <caption class="visually-hidden">{t(Msg::ComplianceTitle)}</caption>
                <thead><tr>
                    <th scope="col">{t(Msg::Person)}</th>
                    {v.columns.iter().map(|c| view! {
                        <th scope="col">
                            <a href=format!("/admin/certifications/{}/results", c.id)>{c.title.clone()}</a>
                            {c.closes_at.map(|at| view! { <span class="muted">" · "{Msg::ClosesAt.with(lang, &[("at", &at.format_date(offset))])}</span> })}
                        </th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {v.rows.into_iter().map(|r| {
                        let place = [r.branch.clone(), r.position.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                        view! {
                            <tr data-testid="compliance-row">
                                <th scope="row">
                                    <a href=format!("/admin/users/{}", r.user_id)>{r.name}</a>
                                    <br /><span class="muted">{place}</span>
                                </th>
                                {r.cells.into_iter().map(|c| view! {
                                    <td class=cell_class(c) data-state=c.kind().map(CellKind::as_str)>{cell_text(c, lang)}</td>
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Rates(
    title: Msg,
    v: ComplianceView,
    groups: Vec<GroupRate>,
    test_id: &'static str,
) -> impl IntoView {
    let t = use_t();
    if groups.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card section">
            <h2>{t(title)}</h2>
            <div class="table-scroll">
                <table class="table" data-testid=test_id>
                    <thead><tr>
                        <th scope="col">{t(title)}</th>
                        <th scope="col">{t(Msg::CompliancePeople)}</th>
                        {v.columns.iter().map(|c| view! { <th scope="col">{c.title.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {groups.into_iter().map(|g| view! {
                            <tr>
                                <th scope="row">{g.name}</th>
                                <td>{g.people}</td>
                                {g.rates.into_iter().map(|r| view! {
                                    <td>{r.map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
