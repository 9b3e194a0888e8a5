//! `/admin/compliance`: the matrix with its filters, the pass rate per branch and position,
//! and the CSV of what is filtered. Cells carry words, not colour alone.

use super::{ComplianceFilter, ComplianceRemind, ComplianceView, GroupRate, compliance_matrix};
use crate::domain::compliance::cell_text;
use crate::domain::compliance::{Cell, CellKind};
use crate::domain::{BranchId, PositionId};
use crate::i18n::{Msg, use_lang, use_offset, use_t};
use crate::model::taking::BulkOutcome;
use crate::ui::{
    Button, ButtonKind, Dialog, ErrorNotice, Pagination, Select, SelectOption, Spinner, Submit,
    ToastKind, cell_class, use_toasts,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The query string of the filter, for the export link.
fn query(branch: &str, position: &str, state: &str, due: &str) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("branch", branch),
        ("position", position),
        ("state", state),
        ("due", due),
    ] {
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
    // A link (the dashboard's) may open the matrix already filtered.
    let query_map = use_query_map();
    let initial = |k: &str| query_map.with_untracked(|q| q.get(k).unwrap_or_default());
    let branch = RwSignal::new(initial("branch"));
    let position = RwSignal::new(initial("position"));
    let state = RwSignal::new(initial("state"));
    let due = RwSignal::new(initial("due"));
    let page = RwSignal::new(1i64);
    Effect::new(move |_| {
        branch.track();
        position.track();
        state.track();
        due.track();
        page.set(1);
    });
    let filter = move || ComplianceFilter {
        branch: branch.get().parse().ok().map(BranchId),
        position: position.get().parse().ok().map(PositionId),
        state: CellKind::parse(&state.get()),
        due: due.get().parse().ok(),
        page: page.get(),
    };
    let data = Resource::new(filter, compliance_matrix);
    let states = Signal::derive(move || {
        CellKind::ALL
            .into_iter()
            .map(|k| SelectOption {
                value: k.as_str().into(),
                label: k.label().text(lang).into(),
            })
            .collect::<Vec<_>>()
    });
    let dues = Signal::derive(move || {
        [7, 14, 30]
            .into_iter()
            .map(|n| SelectOption {
                value: n.to_string(),
                label: Msg::DueWithinDays.with(lang, &[("n", &n.to_string())]),
            })
            .collect::<Vec<_>>()
    });
    let export = move |ext: &str| {
        format!(
            "/admin/compliance.{ext}?{}",
            query(&branch.get(), &position.get(), &state.get(), &due.get())
        )
    };
    view! {
        <div class="page-head">
            <h1>{t(Msg::ComplianceTitle)}</h1>
            <div class="actions">
                <RemindButton filter=Signal::derive(filter) />
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
                                <Select name="due" label=Msg::DueFilter options=dues value=due
                                    all=Msg::AnyDueDate on_change=Callback::new(move |s| due.set(s)) />
                            </div>
                            <p class="rates" data-testid="compliance-overall">
                                {v.overall.completion_text(lang).unwrap_or_else(|| t(Msg::ComplianceEmpty).to_owned())}
                                {v.overall.pass_rate_text(lang).map(|s| format!(" · {s}"))}
                            </p>
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
    let closes: Vec<_> = v.columns.iter().map(|c| c.closes_at).collect();
    view! {
        <div class="table-scroll" tabindex="0">
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
                                {r.cells.into_iter().zip(closes.iter().copied()).map(|(c, closes_at)| {
                                    // Not passed yet: the due date, where there is one.
                                    let due = closes_at
                                        .filter(|_| matches!(c, Cell::NotStarted | Cell::InProgress | Cell::Failed { .. }))
                                        .map(|at| Msg::DueOn.with(lang, &[("d", &at.format_date(offset))]));
                                    view! {
                                        <td class=cell_class(c) data-state=c.kind().map(CellKind::as_str)>
                                            {cell_text(c, lang)}
                                            {due.map(|d| view! { <br /><span class="muted cell-due" data-testid="cell-due">{d}</span> })}
                                        </td>
                                    }
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
            <div class="table-scroll" tabindex="0">
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

/// "Remind everyone not passed" for what the filter shows: a preview of how many the bot
/// reaches, then one message per person and certification.
#[component]
fn RemindButton(filter: Signal<ComplianceFilter>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let toasts = use_toasts();
    let open = RwSignal::new(false);
    let preview = RwSignal::new(None::<BulkOutcome>);
    // A dry run says whom the reminders reach, then the run sends them.
    let previewing = Submit::<ComplianceRemind>::new().done(move |out| preview.set(Some(out)));
    let sending = Submit::<ComplianceRemind>::new().done(move |out| {
        open.set(false);
        toasts.show(
            ToastKind::Success,
            Msg::BulkDone.with(lang, &[("n", &out.done.to_string())]),
        );
    });
    let error = Signal::derive(move || sending.last_error().or(previewing.last_error()));
    let busy = Signal::derive(move || previewing.is_busy() || sending.is_busy());
    let run = move |dry_run: bool| {
        let input = ComplianceRemind {
            filter: filter.get_untracked(),
            dry_run,
        };
        if dry_run { previewing } else { sending }.run(input);
    };
    view! {
        <Button kind=ButtonKind::Secondary on_click=move |_| { preview.set(None); previewing.forget(); sending.forget(); open.set(true); run(true) } test_id="compliance-remind">
            {t(Msg::RemindNotPassed)}
        </Button>
        <Dialog open title=Msg::RemindNotPassed test_id="compliance-remind-dialog">
            <p data-testid="compliance-remind-preview">{move || preview.get().map(|p| Msg::RemindPreview.with(lang, &[
                ("people", &p.chosen.to_string()),
                ("pairs", &p.applies.to_string()),
                ("reached", &p.reached.to_string()),
            ]))}</p>
            <ErrorNotice error=Signal::derive(move || error.get()) />
            <Button kind=ButtonKind::Primary busy disabled=Signal::derive(move || preview.get().is_none_or(|p| p.reached == 0))
                on_click=move |_| run(false) test_id="compliance-remind-submit">{t(Msg::BulkConfirm)}</Button>
        </Dialog>
    }
}
