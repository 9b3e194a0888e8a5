//! The users module's rules on the server. Roles, permissions and other people's passwords are
//! for admins only, and nobody changes their own role or permissions; a manager with the module
//! edits employees' profile fields only.

use super::{CardProgress, NewPerson, ProfileEdit, UserCard, UserRow, UsersImportReport};
use crate::auth::{guard, password};
use crate::domain::actor::{Actor, By, audit_by};
use crate::domain::audit::AuditAction;
use crate::domain::audit::Origin;
use crate::domain::events::DomainEvent;
use crate::domain::gamification::{delta_to_level, level_of};
use crate::domain::permissions::{
    Module, effective_modules, may_change_rewards_or_progress, may_change_role_or_permissions,
    may_change_status, may_edit_profile, may_set_password_of, role_defaults,
};
use crate::domain::scope::PeopleScope;
use crate::domain::user::{Role, User, UserStatus, check_password_strength, normalize_login};
use crate::domain::{BranchId, PositionId, TelegramId, UserId};
use crate::error::{AppError, AppResult};
use crate::gamification::BadgeStatus;
use crate::gamification::ledger::{BadgeAward, Paid, Payment, award_badge, evaluate_badges, pay};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::state::AppState;
use crate::storage::{self, StorageError};
use serde_json::json;

pub type TxResult<T> = Result<Result<T, AppError>, StorageError>;

fn flatten<T>(r: TxResult<T>) -> AppResult<T> {
    r.map_err(AppError::from)?
}

async fn users_actor() -> AppResult<Actor> {
    guard::module(Module::Users).await
}

/// Points, levels and badges from the user card need the gamification module as well, so an
/// admin can let a manager edit people but not reward them.
async fn rewards_actor() -> AppResult<Actor> {
    let actor = users_actor().await?;
    crate::auth::service::require(&actor, Module::Gamification)?;
    Ok(actor)
}

/// A branch the actor may not place people in.
fn out_of_scope() -> AppError {
    AppError::invalid("branch", Msg::ErrBranchOutOfScope)
}

fn reason_of(reason: &str) -> AppResult<String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
    }
    Ok(r.to_owned())
}

pub async fn list(
    search: Option<String>,
    role: Option<Role>,
    status: Option<UserStatus>,
    branch: Option<BranchId>,
    position: Option<PositionId>,
    sort: String,
    page: i64,
) -> AppResult<Page<UserRow>> {
    let actor = users_actor().await?;
    let state = guard::state();
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let filter = storage::users::UserFilter {
        search,
        role,
        status,
        branch,
        position,
        sort,
        scope: actor.scope,
    };
    let (rows, total) = storage::users::search(c.conn(), &filter, limit, offset)
        .await
        .map_err(AppError::from)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| UserRow {
                user: r.user,
                position: r.position,
                branch: r.branch,
                points: r.points,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

pub async fn card(id: UserId) -> AppResult<UserCard> {
    let actor = users_actor().await?;
    let state = guard::state();
    let result: TxResult<UserCard> = async {
        let mut c = state.db.read().await?;
        let Some(user) = storage::users::get_in_scope(c.conn(), id, &actor.scope).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let profile = storage::users::profile(c.conn(), id).await?;
        let balance = storage::gamification::balance(c.conn(), id).await?;
        let levels = storage::gamification::levels(c.conn()).await?;
        let catalogue = storage::gamification::badges(c.conn(), false).await?;
        let held = storage::gamification::held(c.conn(), id).await?;
        let badges = catalogue
            .iter()
            .filter_map(|b| {
                held.iter()
                    .find(|h| h.badge_id == b.id && h.revoked_at.is_none())
                    .map(|h| BadgeStatus {
                        badge: b.clone(),
                        earned_at: Some(h.awarded_at),
                    })
            })
            .collect();
        let ledger = storage::gamification::ledger(c.conn(), id, 100).await?;
        let overrides = storage::permissions::overrides_of(c.conn(), id).await?;
        let mine = storage::attempts::my_certifications(c.conn(), id).await?;
        let mut progress = Vec::new();
        for m in mine {
            let attempts = storage::attempts::history(c.conn(), id, m.id).await?;
            let full_review = storage::certifications::get(c.conn(), m.id)
                .await?
                .is_some_and(|cert| {
                    crate::domain::attempt::full_review_open(
                        cert.settings.review_allowed,
                        cert.status == crate::domain::certification::CertStatus::Open,
                        cert.settings.max_attempts,
                        crate::domain::attempt::Standing {
                            attempts_used: m.attempts_used.unwrap_or(0),
                            best_percent: m.best_percent,
                            in_progress: m.attempt_id.is_some(),
                        },
                    )
                });
            progress.push(CardProgress {
                certification_id: m.id,
                title: m.title,
                attempts,
                full_review,
            });
        }
        use storage::dictionaries::{Dictionary, list as dict};
        let branches = dict(c.conn(), Dictionary::Branches)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let positions = dict(c.conn(), Dictionary::Positions)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let has_password = storage::users::has_password(c.conn(), id).await?;
        let manager_branches = storage::notifications::manager_branches(c.conn(), id).await?;
        let tg_unreachable = storage::notifications::unreachable_of(c.conn(), id).await?;
        Ok(Ok(UserCard {
            manager_branches,
            tg_unreachable,
            level: level_of(&levels, balance).cloned(),
            role_defaults: role_defaults(user.role),
            effective: if user.is_active() {
                effective_modules(user.role, &overrides)
            } else {
                Default::default()
            },
            overrides,
            position: profile.as_ref().and_then(|p| p.position.clone()),
            branch: profile.and_then(|p| p.branch),
            user,
            has_password,
            balance,
            levels,
            badges,
            catalogue,
            ledger,
            progress,
            branches,
            positions,
        }))
    }
    .await;
    flatten(result)
}

/// Refuses a position or branch that does not exist (a stale form, a crafted request) with a
/// field error instead of a foreign-key failure.
async fn check_placement(
    tx: &mut storage::Tx,
    position: Option<PositionId>,
    branch: Option<BranchId>,
) -> Result<Result<(), AppError>, StorageError> {
    use storage::certifications::{TargetKind, target_exists};
    if let Some(p) = position
        && !target_exists(tx.conn(), TargetKind::Position, p.0).await?
    {
        return Ok(Err(AppError::invalid("position", Msg::ErrNotFound)));
    }
    if let Some(b) = branch
        && !target_exists(tx.conn(), TargetKind::Branch, b.0).await?
    {
        return Ok(Err(AppError::invalid("branch", Msg::ErrNotFound)));
    }
    Ok(Ok(()))
}

fn validate_names(first: &str, last: &str) -> AppResult<(String, String)> {
    let (f, l) = crate::profile::service::parse_names(first, last)?;
    Ok((f.into(), l.map(String::from).unwrap_or_default()))
}

pub async fn update(id: UserId, edit: ProfileEdit) -> AppResult<()> {
    let actor = users_actor().await?;
    let origin = guard::origin("admin");
    update_as(
        &guard::state(),
        &By::Person(actor),
        id,
        edit,
        None,
        None,
        &origin,
    )
    .await
    .map(|_| ())
}

/// Edits a person's profile fields, role and status as `by` (the admin panel or an API key),
/// under the same rules. With `expected_version` (an API `If-Match`), refuses with
/// [`AppError::PreconditionFailed`] when the person changed since the caller read them. With
/// `external_id`, sets (or with `Some(None)` clears) the HR id in the same change.
pub async fn update_as(
    state: &AppState,
    by: &By,
    id: UserId,
    edit: ProfileEdit,
    external_id: Option<Option<&str>>,
    expected_version: Option<i64>,
    origin: &Origin,
) -> AppResult<User> {
    let result: TxResult<User> = async {
        let mut tx = state.db.begin().await?;
        let change = Change {
            edit,
            external_id,
            expected_version,
            more: serde_json::Map::new(),
        };
        let after = match update_in_tx(state, &mut tx, by, id, change, origin).await? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        tx.commit().await?;
        Ok(Ok(after))
    }
    .await;
    flatten(result)
}

/// One edit of a person for [`update_in_tx`]; `more` adds changes the caller made in the same
/// transaction (SCIM's login and phone) to the audit entry and the event.
pub struct Change<'a> {
    pub edit: ProfileEdit,
    pub external_id: Option<Option<&'a str>>,
    pub expected_version: Option<i64>,
    pub more: serde_json::Map<String, serde_json::Value>,
}

/// [`update_as`] inside the caller's transaction: the rules, the write, the audit entry and
/// the `UserEdited` event.
pub async fn update_in_tx(
    state: &AppState,
    tx: &mut storage::Tx,
    by: &By,
    id: UserId,
    change: Change<'_>,
    origin: &Origin,
) -> TxResult<User> {
    let Change {
        edit,
        external_id,
        expected_version,
        more,
    } = change;
    let (first, last) = match validate_names(&edit.first_name, &edit.last_name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let now = state.now();
    let actor = by.as_ref();
    storage::users::lock(tx.conn(), id).await?;
    let Some(before) = storage::users::get_in_scope(tx.conn(), id, by.scope()).await? else {
        return Ok(Err(AppError::NotFound));
    };
    if edit.branch != before.branch_id && !by.scope().includes(edit.branch) {
        return Ok(Err(out_of_scope()));
    }
    if expected_version.is_some_and(|v| v != before.version) {
        return Ok(Err(AppError::PreconditionFailed));
    }
    if let Err(e) = may_edit_profile(actor, id, before.role) {
        return Ok(Err(e.into()));
    }
    let changes_access =
        edit.role != before.role || (id == actor.id && edit.status != before.status);
    if changes_access && let Err(e) = may_change_role_or_permissions(actor, id) {
        return Ok(Err(e.into()));
    }
    if edit.status != before.status && actor.role != Role::Admin && before.role != Role::Employee {
        return Ok(Err(AppError::Forbidden(Msg::ErrAdminOnly)));
    }
    if edit.status == UserStatus::Pending && before.status != UserStatus::Pending {
        return Ok(Err(AppError::invalid("status", Msg::ErrValidation)));
    }
    if let Err(e) = check_placement(tx, edit.position, edit.branch).await? {
        return Ok(Err(e));
    }
    let new_external = external_id.filter(|e| *e != before.external_id.as_deref());
    if let Some(Some(ext)) = new_external
        && storage::users::get_by_external_id(tx.conn(), ext)
            .await?
            .is_some()
    {
        return Ok(Err(AppError::invalid(
            "external_id",
            Msg::ErrExternalIdTaken,
        )));
    }
    storage::users::update_profile(
        tx.conn(),
        id,
        &first,
        &last,
        edit.role,
        edit.status,
        edit.position,
        edit.branch,
        now,
    )
    .await?;
    if let Some(ext) = new_external {
        storage::users::set_external_id(tx.conn(), id, ext, now).await?;
    }
    if edit.status == UserStatus::Deactivated && before.status != UserStatus::Deactivated {
        storage::sessions::revoke_all_of_user(tx.conn(), id, None, now).await?;
    }
    let mut changes = json!({
        "first_name": [before.first_name, first], "last_name": [before.last_name, last],
        "role": [before.role.as_str(), edit.role.as_str()], "status": [before.status.as_str(), edit.status.as_str()],
        "position_id": [before.position_id, edit.position], "branch_id": [before.branch_id, edit.branch],
    });
    if let Some(ext) = new_external {
        changes["external_id"] = json!([before.external_id, ext]);
    }
    if let Some(map) = changes.as_object_mut() {
        map.extend(more);
    }
    storage::audit::record(
        tx.conn(),
        &by.audit(
            AuditAction::UserEdited,
            "user",
            id,
            changes.clone(),
            origin,
            now,
        ),
    )
    .await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::UserEdited {
            user_id: id,
            by: by.user_id(),
            changes,
        },
        now,
    )
    .await?;
    let Some(after) = storage::users::get(tx.conn(), id).await? else {
        return Ok(Err(AppError::NotFound));
    };
    Ok(Ok(after))
}

pub async fn activate(id: UserId, position: PositionId, branch: BranchId) -> AppResult<()> {
    let actor = users_actor().await?;
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        // A pending person has no branch yet: a manager limited to branches does not see them.
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Ok(Err(AppError::NotFound));
        };
        if user.status != UserStatus::Pending {
            return Ok(Err(AppError::refused(Msg::ErrNotPending)));
        }
        if let Err(e) = may_change_status(actor.as_ref(), id, user.role) {
            return Ok(Err(e.into()));
        }
        use storage::certifications::{TargetKind, target_exists};
        if !target_exists(tx.conn(), TargetKind::Position, position.0).await?
            || !target_exists(tx.conn(), TargetKind::Branch, branch.0).await?
        {
            return Ok(Err(AppError::NotFound));
        }
        storage::users::set_placement(tx.conn(), id, Some(position), Some(branch), now).await?;
        storage::users::set_role_and_status(tx.conn(), id, user.role, UserStatus::Active, now)
            .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::UserActivated,
                "user",
                id,
                json!({ "position_id": position, "branch_id": branch }),
                &origin,
                now,
            ),
        )
        .await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::UserEdited {
                user_id: id,
                by: Some(actor.user.id),
                changes: json!({ "status": ["pending", "active"] }),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

async fn insert_person(
    tx: &mut storage::Tx,
    p: &NewPerson,
    scope: &PeopleScope,
    by: Option<UserId>,
    now: crate::domain::Timestamp,
) -> Result<Result<UserId, AppError>, StorageError> {
    if p.telegram_id <= 0 {
        return Ok(Err(AppError::invalid("telegram_id", Msg::ErrTelegramId)));
    }
    if !scope.includes(p.branch) {
        return Ok(Err(out_of_scope()));
    }
    if storage::users::get_by_telegram_id(tx.conn(), TelegramId(p.telegram_id))
        .await?
        .is_some()
    {
        return Ok(Err(AppError::invalid(
            "telegram_id",
            Msg::ErrTelegramIdTaken,
        )));
    }
    let row = NewRow {
        telegram_id: Some(TelegramId(p.telegram_id)),
        first_name: &p.first_name,
        last_name: &p.last_name,
        role: p.role,
        status: UserStatus::Active,
        position: p.position,
        branch: p.branch,
        login: None,
    };
    let id = insert_row(tx, &row, now).await?;
    tracing::debug!(by = ?by, user = ?id, "person registered by Telegram id");
    Ok(id)
}

/// A person to insert: by Telegram id (the admin panel, the API) or without one yet (SCIM,
/// linked later).
pub struct NewRow<'a> {
    pub telegram_id: Option<TelegramId>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    pub status: UserStatus,
    pub position: Option<PositionId>,
    pub branch: Option<BranchId>,
    pub login: Option<&'a str>,
}

/// Validates names and placement, inserts the person and emits `UserRegistered`. The caller
/// checks uniqueness and audits.
pub async fn insert_row(
    tx: &mut storage::Tx,
    p: &NewRow<'_>,
    now: crate::domain::Timestamp,
) -> TxResult<UserId> {
    let (first, last) = match validate_names(p.first_name, p.last_name) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = check_placement(tx, p.position, p.branch).await? {
        return Ok(Err(e));
    }
    let user = storage::users::insert(
        tx.conn(),
        &storage::users::NewUser {
            telegram_id: p.telegram_id,
            first_name: first,
            last_name: last,
            names_edited: true,
            username: None,
            role: p.role,
            status: p.status,
            position_id: p.position,
            branch_id: p.branch,
            login: p.login.map(str::to_owned),
            password_hash: None,
        },
        now,
    )
    .await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::UserRegistered {
            user_id: user.id,
            pending: p.status == UserStatus::Pending,
        },
        now,
    )
    .await?;
    Ok(Ok(user.id))
}

pub async fn preregister(p: NewPerson) -> AppResult<UserId> {
    let actor = users_actor().await?;
    let origin = guard::origin("admin");
    create_as(&guard::state(), &By::Person(actor), &p, None, &origin)
        .await
        .map(|u| u.id)
}

/// Registers a person by Telegram id as `by` (the admin panel or an API key), with an optional
/// HR id: active at once, under the same rules (only admins add managers and admins).
pub async fn create_as(
    state: &AppState,
    by: &By,
    p: &NewPerson,
    external_id: Option<&str>,
    origin: &Origin,
) -> AppResult<User> {
    if p.role != Role::Employee && by.role() != Role::Admin {
        return Err(AppError::Forbidden(Msg::ErrAdminOnly));
    }
    let now = state.now();
    let result: TxResult<User> = async {
        let mut tx = state.db.begin().await?;
        if let Some(ext) = external_id
            && storage::users::get_by_external_id(tx.conn(), ext).await?.is_some()
        {
            return Ok(Err(AppError::invalid("external_id", Msg::ErrExternalIdTaken)));
        }
        let id = match insert_person(&mut tx, p, by.scope(), by.user_id(), now).await? {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(ext) = external_id {
            storage::users::set_external_id(tx.conn(), id, Some(ext), now).await?;
        }
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::UserPreregistered,
                "user",
                id,
                json!({ "telegram_id": p.telegram_id, "role": p.role.as_str(), "external_id": external_id }),
                origin,
                now,
            ),
        )
        .await?;
        let Some(user) = storage::users::get(tx.conn(), id).await? else {
            return Ok(Err(AppError::NotFound));
        };
        tx.commit().await?;
        Ok(Ok(user))
    }
    .await;
    flatten(result)
}

pub async fn import(csv: String) -> AppResult<UsersImportReport> {
    use crate::questions::import::RowError;
    let actor = users_actor().await?;
    if csv.len() > crate::questions::import::MAX_IMPORT_BYTES {
        return Err(AppError::refused(Msg::ErrImportTooLarge));
    }
    let records = crate::csv::records(&csv, crate::csv::delimiter_of(&csv))
        .map_err(|_| AppError::refused(Msg::ErrImportFormat))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(AppError::refused(Msg::ErrImportEmpty));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(tg), Some(first)) = (col("telegram_id"), col("first_name")) else {
        return Err(AppError::refused(Msg::ErrUsersImportHeader));
    };
    let (last, pos, branch) = (col("last_name"), col("position"), col("branch"));
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<UsersImportReport> = async {
        let mut tx = state.db.begin().await?;
        let mut errors = Vec::new();
        let mut count = 0;
        for (i, r) in rows.iter().enumerate() {
            let get = |k: Option<usize>| {
                k.and_then(|k| r.get(k))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            };
            let row = i + 1;
            let Ok(telegram_id) = get(Some(tg)).parse::<i64>() else {
                errors.push(RowError {
                    row,
                    field: "telegram_id".into(),
                    msg: Msg::ErrTelegramId,
                    detail: Some(get(Some(tg))),
                });
                continue;
            };
            use storage::dictionaries::{Dictionary, ensure};
            let position = match get(pos) {
                p if p.is_empty() => None,
                p => Some(PositionId(
                    ensure(tx.conn(), Dictionary::Positions, &p, now).await?.id,
                )),
            };
            let branch_id = match get(branch) {
                b if b.is_empty() => None,
                b => Some(BranchId(
                    ensure(tx.conn(), Dictionary::Branches, &b, now).await?.id,
                )),
            };
            let person = NewPerson {
                telegram_id,
                first_name: get(Some(first)),
                last_name: get(last),
                role: Role::Employee,
                position,
                branch: branch_id,
            };
            match insert_person(&mut tx, &person, &actor.scope, Some(actor.user.id), now).await? {
                Ok(_) => count += 1,
                Err(AppError::Invalid { fields }) => {
                    errors.extend(fields.into_iter().map(|f| RowError {
                        row,
                        field: f.field,
                        msg: f.msg,
                        detail: None,
                    }))
                }
                Err(e) => return Ok(Err(e)),
            }
        }
        if !errors.is_empty() || count == 0 {
            if errors.is_empty() {
                errors.push(RowError {
                    row: 0,
                    field: "file".into(),
                    msg: Msg::ErrImportEmpty,
                    detail: None,
                });
            }
            // Nothing of a file with errors is kept.
            return Ok(Ok(UsersImportReport {
                imported: 0,
                errors,
            }));
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::UsersImported,
                "user",
                "import",
                json!({ "count": count }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(UsersImportReport {
            imported: count,
            errors: Vec::new(),
        }))
    }
    .await;
    flatten(result)
}

pub async fn set_manager_branches(id: UserId, mut branches: Vec<BranchId>) -> AppResult<()> {
    let actor = users_actor().await?;
    may_change_role_or_permissions(actor.as_ref(), id)?;
    branches.sort();
    branches.dedup();
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let Some(target) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Ok(Err(AppError::NotFound));
        };
        if target.role != Role::Manager {
            return Ok(Err(AppError::refused(Msg::ErrNotManager)));
        }
        for b in &branches {
            if !storage::certifications::target_exists(
                tx.conn(),
                storage::certifications::TargetKind::Branch,
                b.0,
            )
            .await?
            {
                return Ok(Err(AppError::NotFound));
            }
        }
        let before = storage::notifications::manager_branches(tx.conn(), id).await?;
        storage::notifications::set_manager_branches(tx.conn(), id, &branches, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::ManagerBranchesChanged,
                "user",
                id,
                json!({ "before": before, "after": branches }),
                &guard::origin("admin"),
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn set_permissions(id: UserId, changes: Vec<(Module, Option<bool>)>) -> AppResult<()> {
    let actor = users_actor().await?;
    may_change_role_or_permissions(actor.as_ref(), id)?;
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let Some(target) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let before = storage::permissions::overrides_of(tx.conn(), id).await?;
        for (module, decision) in &changes {
            storage::permissions::set_override(
                tx.conn(),
                id,
                *module,
                *decision,
                actor.user.id,
                now,
            )
            .await?;
        }
        let after = storage::permissions::overrides_of(tx.conn(), id).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::PermissionsChanged,
                "user",
                id,
                json!({ "before": before, "after": after, "role": target.role.as_str() }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn end_sessions(id: UserId) -> AppResult<u64> {
    let actor = users_actor().await?;
    crate::domain::permissions::may_end_sessions_of(actor.as_ref(), id)?;
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<u64> = async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, &actor.scope)
            .await?
            .is_none()
        {
            return Ok(Err(AppError::NotFound));
        }
        let ended = storage::sessions::revoke_all_of_user(tx.conn(), id, None, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::SessionsRevoked,
                "user",
                id,
                json!({ "sessions": ended }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(ended))
    }
    .await;
    flatten(result)
}

pub async fn set_password(
    id: UserId,
    login: String,
    password: String,
    confirm: String,
) -> AppResult<()> {
    let actor = users_actor().await?;
    if id == actor.user.id {
        // One's own password is changed knowing the current one (not from the users module).
        return Err(AppError::Forbidden(Msg::ErrAdminOnly));
    }
    may_set_password_of(actor.as_ref(), id)?;
    let login = normalize_login(&login).ok_or(AppError::invalid("login", Msg::ErrLoginInvalid))?;
    check_password_strength(&password).map_err(|e| AppError::invalid("password", e.msg()))?;
    if password != confirm {
        return Err(AppError::invalid("confirm", Msg::ErrPasswordsDiffer));
    }
    let hash = password::hash(password).await?;
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, &actor.scope)
            .await?
            .is_none()
        {
            return Ok(Err(AppError::NotFound));
        }
        if let Some(other) = storage::users::get_by_login(tx.conn(), &login).await?
            && other.user.id != id
        {
            return Ok(Err(AppError::invalid("login", Msg::ErrLoginTaken)));
        }
        storage::users::set_login_and_password(tx.conn(), id, &login, &hash, now).await?;
        // Sessions opened with the old password end.
        storage::sessions::revoke_all_of_user(
            tx.conn(),
            id,
            Some(crate::auth::Surface::Admin),
            now,
        )
        .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::PasswordChanged,
                "user",
                id,
                json!({ "login": login }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

async fn change_points(
    id: UserId,
    delta: Option<i64>,
    level: Option<i64>,
    reason: String,
) -> AppResult<i64> {
    let actor = rewards_actor().await?;
    let origin = guard::origin("admin");
    change_points_as(
        &guard::state(),
        &By::Person(actor),
        id,
        delta,
        level,
        &reason,
        None,
        &origin,
    )
    .await
}

/// Changes a person's points by `delta` (or to the start of `level`) as `by`. An entry with a
/// `source_key` already paid is not paid again: the API's idempotency key for a ledger entry.
#[allow(clippy::too_many_arguments)]
pub async fn change_points_as(
    state: &AppState,
    by: &By,
    id: UserId,
    delta: Option<i64>,
    level: Option<i64>,
    reason: &str,
    source_key: Option<&str>,
    origin: &Origin,
) -> AppResult<i64> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    if delta.is_some_and(|d| d.abs() > crate::domain::certification::MAX_POINTS) {
        return Err(AppError::invalid("points_delta", Msg::ErrPointsChange));
    }
    let reason = reason_of(reason)?;
    let now = state.now();
    let result: TxResult<i64> = async {
        let mut tx = state.db.begin().await?;
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, by.scope()).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let balance = storage::gamification::balance(tx.conn(), id).await?;
        let delta = match (delta, level) {
            (Some(d), _) => d,
            (None, Some(number)) => {
                let levels = storage::gamification::levels(tx.conn()).await?;
                let Some(l) = levels.iter().find(|l| l.number == number) else {
                    return Ok(Err(AppError::NotFound));
                };
                delta_to_level(balance, l)
            }
            _ => 0,
        };
        let (source, key) = match source_key {
            // A manual entry (the ledger's `admin` source) keyed by the API's idempotency key.
            Some(k) => ("admin", format!("api:{id}:{k}")),
            None => ("admin", format!("admin:{}:{}", id, crate::auth::cookie::new_token())),
        };
        let paid = pay(
            tx.conn(),
            &Payment { user: &user, delta, reason: &reason, source, source_key: &key, admin: by.user_id(), certification: None },
            now,
        )
        .await?;
        let after = match paid {
            Paid::Yes { balance } => balance,
            // Paid before under the same key: nothing changes, nothing more is recorded.
            Paid::AlreadyPaid => return Ok(Ok(balance)),
            Paid::Refused(r) => return Ok(Err(AppError::refused(r.msg()))),
        };
        storage::audit::record(tx.conn(), &by.audit(AuditAction::PointsChanged, "user", id,
            json!({ "delta": delta, "before": balance, "after": after, "reason": reason, "level": level }), origin, now)).await?;
        storage::events::emit(tx.conn(), &DomainEvent::PointsPaid { user_id: id, delta, source_event: 0 }, now).await?;
        tx.commit().await?;
        Ok(Ok(after))
    }
    .await;
    flatten(result)
}

pub async fn adjust_points(id: UserId, delta: i64, reason: String) -> AppResult<i64> {
    change_points(id, Some(delta), None, reason).await
}

pub async fn set_level(id: UserId, level: i64, reason: String) -> AppResult<i64> {
    change_points(id, None, Some(level), reason).await
}

pub async fn award(id: UserId, badge_id: i64, reason: String) -> AppResult<()> {
    let actor = rewards_actor().await?;
    award_as(
        &guard::state(),
        &By::Person(actor),
        &guard::origin("admin"),
        id,
        badge_id,
        &reason,
    )
    .await
}

/// Awards a manual badge as `by` (the panel, or an API key); employees only.
pub async fn award_as(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: UserId,
    badge_id: i64,
    reason: &str,
) -> AppResult<()> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    let reason = reason_of(reason)?;
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let (Some(user), Some(badge)) = (
            storage::users::get_in_scope(tx.conn(), id, by.scope()).await?,
            storage::gamification::badge(tx.conn(), badge_id).await?,
        ) else {
            return Ok(Err(AppError::NotFound));
        };
        if badge.kind != "manual" {
            return Ok(Err(AppError::refused(Msg::ErrBadgeNotManual)));
        }
        let key = format!("manual:{}:{}", badge_id, crate::auth::cookie::new_token());
        let award = BadgeAward {
            user: &user,
            badge: &badge,
            by: Some(by),
            reason: &reason,
            source_key: &key,
            origin,
        };
        if !award_badge(tx.conn(), &award, now).await? {
            return Ok(Err(AppError::refused(Msg::ErrBadgeHeld)));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn revoke(id: UserId, badge_id: i64, reason: String) -> AppResult<()> {
    let actor = rewards_actor().await?;
    revoke_as(
        &guard::state(),
        &By::Person(actor),
        &guard::origin("admin"),
        id,
        badge_id,
        &reason,
    )
    .await
}

/// Revokes a badge someone holds as `by`.
pub async fn revoke_as(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: UserId,
    badge_id: i64,
    reason: &str,
) -> AppResult<()> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    let reason = reason_of(reason)?;
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, by.scope())
            .await?
            .is_none()
            || !storage::gamification::revoke(tx.conn(), id, badge_id, by.user_id(), &reason, now)
                .await?
        {
            return Ok(Err(AppError::NotFound));
        }
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::BadgeRevoked,
                "user",
                id,
                json!({ "badge_id": badge_id, "reason": reason }),
                origin,
                now,
            ),
        )
        .await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::BadgeRevoked {
                user_id: id,
                badge_id,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn evaluate(id: UserId) -> AppResult<usize> {
    let actor = rewards_actor().await?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<usize> = async {
        let mut tx = state.db.begin().await?;
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let n = evaluate_badges(
            tx.conn(),
            &user,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(n))
    }
    .await;
    flatten(result)
}
