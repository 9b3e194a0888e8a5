//! SCIM `/Groups` are branches; a group's members are the people of the branch. A person has
//! one branch, so adding them to a group moves them there and removing them leaves them
//! without one. Creating a group adds a branch; deleting one archives it (history stays).
//! Membership changes go through the users module's edit, audited and evented per person.

use super::service::{Caller, ScimFailure, ScimResult};
use crate::domain::audit::AuditAction;
use crate::domain::scim::patch::{GroupChange, group_changes, operations};
use crate::domain::scim::{GROUP_SCHEMA, ScimError, filter, opt_string};
use crate::domain::{BranchId, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::scim::{GroupQuery, GroupRow};
use crate::storage::{self};
use crate::users::ProfileEdit;
use crate::users::service::{Change, update_in_tx};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A group's version: its name and members, hashed (membership lives on the people).
fn version(g: &GroupRow, members: &[(UserId, String, String)]) -> String {
    let mut h = Sha256::new();
    h.update(g.name.as_bytes());
    for (id, _, _) in members {
        h.update(b",");
        h.update(id.0.to_string().as_bytes());
    }
    format!("W/\"{}\"", &hex::encode(h.finalize())[..16])
}

fn resource(state: &AppState, g: &GroupRow, members: &[(UserId, String, String)]) -> Value {
    let base = &state.config.public_url;
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id.to_string(),
        "displayName": g.name,
        "members": members.iter().map(|(id, first, last)| json!({
            "value": id.to_string(),
            "display": format!("{first} {last}").trim().to_owned(),
            "$ref": format!("{base}/scim/v2/Users/{id}"),
            "type": "User",
        })).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "Group",
            "created": g.created_at.to_rfc3339(),
            "lastModified": g.updated_at.to_rfc3339(),
            "version": version(g, members),
            "location": format!("{base}/scim/v2/Groups/{}", g.id),
        },
    })
}

fn parse_id(id: &str) -> ScimResult<i64> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ScimFailure::App(AppError::NotFound))
}

/// `GET /Groups`: `filter` by displayName, id, members (or members.value).
pub async fn list(
    state: &AppState,
    filter: Option<&str>,
    start: i64,
    count: i64,
) -> ScimResult<(i64, Vec<Value>)> {
    let mut q = GroupQuery::default();
    if let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) {
        for t in filter::parse(f, &["displayname", "id", "members", "members.value"])? {
            let Some(text) = t.value.as_text() else {
                return Err(ScimError::InvalidFilter(format!("{} takes a string", t.attr)).into());
            };
            let number = || text.parse::<i64>().unwrap_or(-1);
            match t.attr.as_str() {
                "displayname" => q.name = Some(text.clone()),
                "id" => q.id = Some(number()),
                _ => q.member = Some(number()),
            }
        }
    }
    let mut c = state.db.read().await?;
    let (total, rows) = storage::scim::find_groups(c.conn(), &q, start - 1, count).await?;
    let mut out = Vec::with_capacity(rows.len());
    for g in &rows {
        let members = storage::scim::members(c.conn(), BranchId(g.id)).await?;
        out.push(resource(state, g, &members));
    }
    Ok((total, out))
}

async fn live(state: &AppState, id: i64) -> ScimResult<(GroupRow, Vec<(UserId, String, String)>)> {
    let mut c = state.db.read().await?;
    match storage::scim::group(c.conn(), id).await? {
        Some(g) if !g.archived => {
            let members = storage::scim::members(c.conn(), BranchId(g.id)).await?;
            Ok((g, members))
        }
        _ => Err(AppError::NotFound.into()),
    }
}

pub async fn get(state: &AppState, id: &str) -> ScimResult<(Value, String)> {
    let (g, members) = live(state, parse_id(id)?).await?;
    Ok((resource(state, &g, &members), version(&g, &members)))
}

/// Moves a person into `branch` (or out of `from`, `None`), as an edit of the person.
async fn place(
    caller: &Caller<'_>,
    user: UserId,
    branch: Option<BranchId>,
    only_from: Option<BranchId>,
) -> ScimResult<()> {
    let state = caller.state;
    let mut tx = state.db.begin().await?;
    let Some(row) = storage::scim::get(tx.conn(), user)
        .await?
        .filter(|r| !r.scim_hidden)
    else {
        return Err(ScimError::InvalidValue(format!("no user {user}")).into());
    };
    let u = row.user;
    if only_from.is_some_and(|b| u.branch_id != Some(b)) || u.branch_id == branch {
        return Ok(());
    }
    let edit = ProfileEdit {
        first_name: u.first_name,
        last_name: u.last_name,
        role: u.role,
        status: u.status,
        position: u.position_id,
        branch,
    };
    let change = Change {
        edit,
        external_id: None,
        expected_version: None,
        more: serde_json::Map::new(),
    };
    update_in_tx(state, &mut tx, caller.by, user, change, caller.origin).await??;
    tx.commit().await?;
    Ok(())
}

fn user_ids(ids: &[String]) -> ScimResult<Vec<UserId>> {
    ids.iter()
        .map(|s| {
            s.trim()
                .parse::<i64>()
                .map(UserId)
                .map_err(|_| ScimError::InvalidValue(format!("{s} is not a user id")).into())
        })
        .collect()
}

async fn apply(caller: &Caller<'_>, g: &GroupRow, changes: Vec<GroupChange>) -> ScimResult<()> {
    let branch = BranchId(g.id);
    for change in changes {
        match change {
            GroupChange::Rename(name) if name != g.name => {
                crate::dictionaries::service::rename_as(
                    caller.state,
                    caller.by,
                    crate::dictionaries::DictKind::Branch,
                    g.id,
                    &name,
                    caller.origin,
                )
                .await?;
            }
            GroupChange::Rename(_) => {}
            GroupChange::Add(ids) => {
                for u in user_ids(&ids)? {
                    place(caller, u, Some(branch), None).await?;
                }
            }
            GroupChange::Remove(ids) => {
                for u in user_ids(&ids)? {
                    place(caller, u, None, Some(branch)).await?;
                }
            }
            GroupChange::Set(ids) => {
                let wanted = user_ids(&ids)?;
                let current = {
                    let mut c = caller.state.db.read().await?;
                    storage::scim::members(c.conn(), branch).await?
                };
                for (u, _, _) in current.iter().filter(|(u, _, _)| !wanted.contains(u)) {
                    place(caller, *u, None, Some(branch)).await?;
                }
                for u in wanted {
                    place(caller, u, Some(branch), None).await?;
                }
            }
            GroupChange::RemoveAll => {
                let current = {
                    let mut c = caller.state.db.read().await?;
                    storage::scim::members(c.conn(), branch).await?
                };
                for (u, _, _) in current {
                    place(caller, u, None, Some(branch)).await?;
                }
            }
        }
    }
    Ok(())
}

fn members_of(body: &Value) -> ScimResult<Option<Vec<GroupChange>>> {
    match body.get("members") {
        None => Ok(None),
        Some(m) => {
            let ops = operations(
                &json!({ "Operations": [{ "op": "replace", "path": "members", "value": m }] }),
            )?;
            Ok(Some(group_changes(&ops)?))
        }
    }
}

fn name_of(body: &Value) -> ScimResult<String> {
    let name = opt_string(
        body.get("displayName").unwrap_or(&Value::Null),
        "displayName",
    )?
    .ok_or_else(|| ScimError::InvalidValue("displayName is required".into()))?;
    Ok(name)
}

/// `POST /Groups`: a new branch (an archived one of that name comes back).
pub async fn create(caller: &Caller<'_>, body: &Value) -> ScimResult<(Value, String)> {
    let name = name_of(body)?;
    let members = members_of(body)?;
    {
        let mut c = caller.state.db.read().await?;
        if storage::scim::group_by_name(c.conn(), &name)
            .await?
            .is_some_and(|g| !g.archived)
        {
            return Err(ScimFailure::Uniqueness("displayName"));
        }
    }
    let entry = crate::dictionaries::service::add_as(
        caller.state,
        caller.by,
        crate::dictionaries::DictKind::Branch,
        &name,
        caller.origin,
    )
    .await?;
    let (g, _) = live(caller.state, entry.id).await?;
    if let Some(changes) = members {
        apply(caller, &g, changes).await?;
    }
    get(caller.state, &entry.id.to_string()).await
}

fn check_version(
    expected: Option<&str>,
    g: &GroupRow,
    members: &[(UserId, String, String)],
) -> ScimResult<()> {
    match expected {
        Some(v)
            if v != "*"
                && v.trim_start_matches("W/") != version(g, members).trim_start_matches("W/") =>
        {
            Err(AppError::PreconditionFailed.into())
        }
        _ => Ok(()),
    }
}

/// `PATCH /Groups/{id}`: members and displayName.
pub async fn patch(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<&str>,
) -> ScimResult<(Value, String)> {
    let changes = group_changes(&operations(body)?)?;
    let (g, members) = live(caller.state, parse_id(id)?).await?;
    check_version(expected, &g, &members)?;
    apply(caller, &g, changes).await?;
    get(caller.state, id).await
}

/// `PUT /Groups/{id}`: the name, and the members when given.
pub async fn replace(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<&str>,
) -> ScimResult<(Value, String)> {
    let name = name_of(body)?;
    let (g, members) = live(caller.state, parse_id(id)?).await?;
    check_version(expected, &g, &members)?;
    let mut changes = vec![GroupChange::Rename(name)];
    changes.extend(members_of(body)?.unwrap_or_default());
    apply(caller, &g, changes).await?;
    get(caller.state, id).await
}

/// `DELETE /Groups/{id}`: its people leave it, and the branch is archived.
pub async fn delete(caller: &Caller<'_>, id: &str, expected: Option<&str>) -> ScimResult<()> {
    let (g, members) = live(caller.state, parse_id(id)?).await?;
    check_version(expected, &g, &members)?;
    apply(caller, &g, vec![GroupChange::RemoveAll]).await?;
    let now = caller.state.now();
    let mut tx = caller.state.db.begin().await?;
    storage::scim::set_archived(tx.conn(), g.id, true, now).await?;
    storage::audit::record(
        tx.conn(),
        &caller.by.audit(
            AuditAction::DictionaryEdited,
            "branch",
            g.id,
            json!({ "name": g.name, "archived": true }),
            caller.origin,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
