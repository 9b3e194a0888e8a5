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
    h.update(b"|");
    h.update(g.external_id.as_deref().unwrap_or_default().as_bytes());
    for (id, _, _) in members {
        h.update(b",");
        h.update(id.0.to_string().as_bytes());
    }
    format!("W/\"{}\"", &hex::encode(h.finalize())[..16])
}

fn resource(state: &AppState, g: &GroupRow, members: &[(UserId, String, String)]) -> Value {
    let base = &state.config.public_url;
    let mut r = json!({
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
    });
    if let Some(e) = &g.external_id {
        r["externalId"] = json!(e);
    }
    r
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
        for t in filter::parse(
            f,
            &[
                "displayname",
                "externalid",
                "id",
                "members",
                "members.value",
            ],
        )? {
            let Some(text) = t.value.as_text() else {
                return Err(ScimError::InvalidFilter(format!("{} takes a string", t.attr)).into());
            };
            let number = || text.parse::<i64>().unwrap_or(-1);
            match t.attr.as_str() {
                "displayname" => q.name = Some(text.clone()),
                "externalid" => q.external_id = Some(text.clone()),
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

async fn live_in(c: storage::Conn<'_>, id: i64) -> ScimResult<(GroupRow, Members)> {
    let mut c = c;
    match storage::scim::group(c.re(), id).await? {
        Some(g) if !g.archived => {
            let members = storage::scim::members(c, BranchId(g.id)).await?;
            Ok((g, members))
        }
        _ => Err(AppError::NotFound.into()),
    }
}

type Members = Vec<(UserId, String, String)>;

pub async fn get(state: &AppState, id: &str) -> ScimResult<(Value, String)> {
    let mut c = state.db.read().await?;
    let (g, members) = live_in(c.conn(), parse_id(id)?).await?;
    Ok((resource(state, &g, &members), version(&g, &members)))
}

/// Moves a person into `branch` (or, with `None`, out of `only_from`), as an edit of the
/// person. A person who is not there (deleted over SCIM, a stale id) is refused when added and
/// skipped when removed: the provider's view of them is already right.
async fn place(
    caller: &Caller<'_>,
    tx: &mut storage::Tx,
    user: UserId,
    branch: Option<BranchId>,
    only_from: Option<BranchId>,
) -> ScimResult<()> {
    storage::users::lock(tx.conn(), user).await?;
    let Some(row) = storage::scim::get(tx.conn(), user)
        .await?
        .filter(|r| !r.scim_hidden)
    else {
        if branch.is_some() {
            return Err(ScimError::InvalidValue(format!("no user {user}")).into());
        }
        return Ok(());
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
    update_in_tx(caller.state, tx, caller.by, user, change, caller.origin).await?;
    Ok(())
}

/// Member ids as sent. To add, each must be one of ours; to remove, an id naming nobody of ours
/// is skipped (the group is as asked already).
fn user_ids(ids: &[String], strict: bool) -> ScimResult<Vec<UserId>> {
    let mut out = Vec::new();
    for s in ids {
        match s.trim().parse::<i64>() {
            Ok(n) if n > 0 => out.push(UserId(n)),
            _ if strict => {
                return Err(ScimError::InvalidValue(format!("{s} is not a user id")).into());
            }
            _ => {}
        }
    }
    Ok(out)
}

fn clean_name(name: &str) -> ScimResult<String> {
    let name = name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > crate::dictionaries::DICT_NAME_MAX
        || name.chars().any(char::is_control)
    {
        return Err(ScimError::InvalidValue("displayName: 1 to 100 characters".into()).into());
    }
    Ok(name)
}

/// Renames the branch unless another (archived or not) has the name.
async fn rename(
    caller: &Caller<'_>,
    tx: &mut storage::Tx,
    g: &GroupRow,
    name: &str,
) -> ScimResult<()> {
    let name = clean_name(name)?;
    if name == g.name {
        return Ok(());
    }
    if storage::scim::group_by_name(tx.conn(), &name)
        .await?
        .is_some_and(|o| o.id != g.id)
    {
        return Err(ScimFailure::Uniqueness("displayName"));
    }
    let now = caller.state.now();
    storage::dictionaries::rename(
        tx.conn(),
        storage::dictionaries::Dictionary::Branches,
        g.id,
        &name,
        now,
    )
    .await?;
    let details = json!({ "name": [g.name, name] });
    storage::audit::record(
        tx.conn(),
        &caller.by.audit(
            AuditAction::DictionaryEdited,
            "branch",
            g.id,
            details,
            caller.origin,
            now,
        ),
    )
    .await?;
    Ok(())
}

async fn apply(
    caller: &Caller<'_>,
    tx: &mut storage::Tx,
    g: &GroupRow,
    changes: Vec<GroupChange>,
) -> ScimResult<()> {
    let branch = BranchId(g.id);
    for change in changes {
        match change {
            GroupChange::Rename(name) => rename(caller, tx, g, &name).await?,
            GroupChange::ExternalId(e) => {
                if e.as_deref()
                    .is_some_and(|e| e.chars().count() > 100 || e.chars().any(char::is_control))
                {
                    return Err(ScimError::InvalidValue(
                        "externalId: at most 100 characters".into(),
                    )
                    .into());
                }
                storage::scim::set_group_external_id(
                    tx.conn(),
                    g.id,
                    e.as_deref(),
                    caller.state.now(),
                )
                .await?;
            }
            GroupChange::Add(ids) => {
                for u in user_ids(&ids, true)? {
                    place(caller, tx, u, Some(branch), None).await?;
                }
            }
            GroupChange::Remove(ids) => {
                for u in user_ids(&ids, false)? {
                    place(caller, tx, u, None, Some(branch)).await?;
                }
            }
            GroupChange::Set(ids) => {
                let wanted = user_ids(&ids, true)?;
                let current = storage::scim::members(tx.conn(), branch).await?;
                for (u, _, _) in current.iter().filter(|(u, _, _)| !wanted.contains(u)) {
                    place(caller, tx, *u, None, Some(branch)).await?;
                }
                for u in wanted {
                    place(caller, tx, u, Some(branch), None).await?;
                }
            }
            GroupChange::RemoveAll => {
                for (u, _, _) in storage::scim::members(tx.conn(), branch).await? {
                    place(caller, tx, u, None, Some(branch)).await?;
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

fn external_of(body: &Value) -> ScimResult<Option<String>> {
    Ok(opt_string(
        body.get("externalId").unwrap_or(&Value::Null),
        "externalId",
    )?)
}

fn name_of(body: &Value) -> ScimResult<String> {
    let name = opt_string(
        body.get("displayName").unwrap_or(&Value::Null),
        "displayName",
    )?
    .ok_or_else(|| ScimError::InvalidValue("displayName is required".into()))?;
    clean_name(&name)
}

/// The group after the request's transaction, for the answer.
async fn answer(caller: &Caller<'_>, mut tx: storage::Tx, id: i64) -> ScimResult<(Value, String)> {
    let (g, members) = live_in(tx.conn(), id).await?;
    tx.commit().await?;
    Ok((resource(caller.state, &g, &members), version(&g, &members)))
}

/// `POST /Groups`: a new branch (an archived one of that name comes back), all in one
/// transaction with its members.
pub async fn create(caller: &Caller<'_>, body: &Value) -> ScimResult<(Value, String)> {
    let name = name_of(body)?;
    let members = members_of(body)?;
    let now = caller.state.now();
    let mut tx = caller.state.db.begin().await?;
    let id = match storage::scim::group_by_name(tx.conn(), &name).await? {
        Some(g) if !g.archived => return Err(ScimFailure::Uniqueness("displayName")),
        Some(g) => {
            storage::scim::set_archived(tx.conn(), g.id, false, now).await?;
            g.id
        }
        None => {
            storage::dictionaries::ensure(
                tx.conn(),
                storage::dictionaries::Dictionary::Branches,
                &name,
                now,
            )
            .await?
            .id
        }
    };
    storage::audit::record(
        tx.conn(),
        &caller.by.audit(
            AuditAction::DictionaryEdited,
            "branch",
            id,
            json!({ "name": name, "via": "scim" }),
            caller.origin,
            now,
        ),
    )
    .await?;
    let (g, _) = live_in(tx.conn(), id).await?;
    let mut changes = vec![GroupChange::ExternalId(external_of(body)?)];
    changes.extend(members.unwrap_or_default());
    apply(caller, &mut tx, &g, changes).await?;
    answer(caller, tx, id).await
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

/// `PATCH /Groups/{id}`: members, displayName and externalId, all or nothing.
pub async fn patch(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<&str>,
) -> ScimResult<(Value, String)> {
    let changes = group_changes(&operations(body)?)?;
    let id = parse_id(id)?;
    let mut tx = caller.state.db.begin().await?;
    // The version is checked under the group's lock: of two changes made against the same
    // ETag, the second sees the first's result and gets 412.
    storage::scim::lock_group(tx.conn(), id).await?;
    let (g, members) = live_in(tx.conn(), id).await?;
    check_version(expected, &g, &members)?;
    apply(caller, &mut tx, &g, changes).await?;
    answer(caller, tx, id).await
}

/// `PUT /Groups/{id}`: the name, and the external id and members when given.
pub async fn replace(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<&str>,
) -> ScimResult<(Value, String)> {
    let name = name_of(body)?;
    let id = parse_id(id)?;
    let mut tx = caller.state.db.begin().await?;
    // The version is checked under the group's lock: of two changes made against the same
    // ETag, the second sees the first's result and gets 412.
    storage::scim::lock_group(tx.conn(), id).await?;
    let (g, members) = live_in(tx.conn(), id).await?;
    check_version(expected, &g, &members)?;
    let mut changes = vec![GroupChange::Rename(name)];
    if body.get("externalId").is_some() {
        changes.push(GroupChange::ExternalId(external_of(body)?));
    }
    changes.extend(members_of(body)?.unwrap_or_default());
    apply(caller, &mut tx, &g, changes).await?;
    answer(caller, tx, id).await
}

/// `DELETE /Groups/{id}`: its people leave it and the branch is archived, together.
pub async fn delete(caller: &Caller<'_>, id: &str, expected: Option<&str>) -> ScimResult<()> {
    let id = parse_id(id)?;
    let now = caller.state.now();
    let mut tx = caller.state.db.begin().await?;
    // The version is checked under the group's lock: of two changes made against the same
    // ETag, the second sees the first's result and gets 412.
    storage::scim::lock_group(tx.conn(), id).await?;
    let (g, members) = live_in(tx.conn(), id).await?;
    check_version(expected, &g, &members)?;
    apply(caller, &mut tx, &g, vec![GroupChange::RemoveAll]).await?;
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
