//! Adding people: pre-registration, the API's create and the CSV import.

use super::*;

async fn insert_person(
    tx: &mut storage::Tx,
    p: &NewPerson,
    scope: &PeopleScope,
    by: Option<UserId>,
    now: crate::domain::Timestamp,
) -> AppResult<UserId> {
    if p.telegram_id <= 0 {
        return Err(AppError::invalid("telegram_id", Msg::ErrTelegramId));
    }
    if !scope.includes(p.branch) {
        return Err(out_of_scope());
    }
    if storage::users::get_by_telegram_id(tx.conn(), TelegramId(p.telegram_id))
        .await?
        .is_some()
    {
        return Err(AppError::invalid("telegram_id", Msg::ErrTelegramIdTaken));
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
) -> AppResult<UserId> {
    let (first, last) = match validate_names(p.first_name, p.last_name) {
        Ok(n) => n,
        Err(e) => return Err(e),
    };
    check_placement(tx, p.position, p.branch).await?;
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
    Ok(user.id)
}

/// Registers a person by Telegram id as `by` (the admin panel or an API key), with an optional
/// HR id: active at once, under the same rules (only admins add managers and admins).
pub async fn create(
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
    async {
        let mut tx = state.db.begin().await?;
        if let Some(ext) = external_id
            && storage::users::get_by_external_id(tx.conn(), ext).await?.is_some()
        {
            return Err(AppError::invalid("external_id", Msg::ErrExternalIdTaken));
        }
        let id = insert_person(&mut tx, p, by.scope(), by.user_id(), now).await?;
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
            return Err(AppError::NotFound);
        };
        tx.commit().await?;
        Ok(user)
    }
    .await
}

pub async fn import(
    state: &AppState,
    actor: &Actor,
    csv: String,
    origin: &Origin,
) -> AppResult<UsersImportReport> {
    use crate::questions::import::RowError;
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
    let now = state.now();
    async {
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
            match insert_person(&mut tx, &person, &actor.scope, Some(actor.user.id), now).await {
                Ok(_) => count += 1,
                Err(AppError::Invalid { fields }) => {
                    errors.extend(fields.into_iter().map(|f| RowError {
                        row,
                        field: f.field,
                        msg: f.msg,
                        detail: None,
                    }))
                }
                Err(e) => return Err(e),
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
            return Ok(UsersImportReport {
                imported: 0,
                errors,
            });
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::UsersImported,
                "user",
                "import",
                json!({ "count": count }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(UsersImportReport {
            imported: count,
            errors: Vec::new(),
        })
    }
    .await
}
