//! SCIM `/Users`: find, read, create (or bring back), replace, patch and delete people, through
//! the users module's own functions (rules, audit with the key as actor, domain events).

use super::link::{LinkedBy, link_in_tx};
use super::{ScimSettings, UserNameMapping};
use crate::domain::actor::{By, audit_by};
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::scim::patch::{apply_to_user, operations};
use crate::domain::scim::{
    self as rules, ENTERPRISE_SCHEMA, ScimError, ScimUser, TELEGRAM_SCHEMA, USER_SCHEMA, filter,
};
use crate::domain::user::{Role, User, UserStatus, normalize_login};
use crate::domain::{BranchId, PositionId, TelegramId, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::dictionaries::Dictionary;
use crate::storage::scim::{ScimRow, UserQuery};
use crate::storage::{self, StorageError};
use crate::users::ProfileEdit;
use crate::users::service::{Change, NewRow, insert_row, update_in_tx};
use serde_json::{Value, json};

/// Why a SCIM request fails, before the HTTP layer gives it a status and a `scimType`.
#[derive(Debug, thiserror::Error)]
pub enum ScimFailure {
    #[error(transparent)]
    Scim(#[from] ScimError),
    /// 409 `uniqueness`: the attribute named is another person's.
    #[error("uniqueness: {0}")]
    Uniqueness(&'static str),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StorageError> for ScimFailure {
    fn from(e: StorageError) -> Self {
        ScimFailure::App(AppError::from(e))
    }
}

pub type ScimResult<T> = Result<T, ScimFailure>;

/// Who calls: the key, and where from.
pub struct Caller<'a> {
    pub state: &'a AppState,
    pub by: &'a By,
    pub origin: &'a Origin,
}

pub async fn settings(state: &AppState) -> AppResult<ScimSettings> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    crate::settings::load(c.conn())
        .await
        .map_err(AppError::from)
}

pub async fn save_settings(
    state: &AppState,
    by: &User,
    settings: ScimSettings,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    let result: Result<(), StorageError> = async {
        let mut tx = state.db.begin().await?;
        crate::settings::save(tx.conn(), &settings, Some(by.id), now).await?;
        let details = json!({ "section": "scim", "user_name": settings.user_name });
        storage::audit::record(
            tx.conn(),
            &audit_by(
                by,
                AuditAction::SettingsChanged,
                "settings",
                "scim",
                details,
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)
}

async fn mapping(state: &AppState) -> ScimResult<UserNameMapping> {
    let mut c = state.db.read().await?;
    let s: ScimSettings = crate::settings::load(c.conn()).await?;
    Ok(s.user_name)
}

/// The person as SCIM's attributes.
pub fn scim_of(row: &ScimRow, mapping: UserNameMapping) -> ScimUser {
    let u = &row.user;
    let fallback = || {
        u.login
            .clone()
            .or_else(|| u.telegram_id.map(|t| t.0.to_string()))
            .unwrap_or_else(|| format!("user-{}", u.id))
    };
    let user_name = match mapping {
        UserNameMapping::Login => u.login.clone().unwrap_or_else(fallback),
        UserNameMapping::TelegramId => u
            .telegram_id
            .map(|t| t.0.to_string())
            .unwrap_or_else(fallback),
    };
    ScimUser {
        user_name,
        external_id: u.external_id.clone(),
        given_name: u.first_name.clone(),
        family_name: u.last_name.clone(),
        active: u.status == UserStatus::Active,
        phone: row.phone.clone(),
        department: row.branch_name.clone(),
        title: row.position_name.clone(),
        telegram_id: u.telegram_id.map(|t| t.0),
    }
}

/// The `User` resource.
pub fn resource(state: &AppState, row: &ScimRow, mapping: UserNameMapping) -> Value {
    let s = scim_of(row, mapping);
    let u = &row.user;
    let mut r = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA, TELEGRAM_SCHEMA],
        "id": u.id.to_string(),
        "userName": s.user_name,
        "name": { "givenName": s.given_name, "familyName": s.family_name, "formatted": u.full_name() },
        "displayName": u.full_name(),
        "active": s.active,
        ENTERPRISE_SCHEMA: {},
        TELEGRAM_SCHEMA: { "telegramId": s.telegram_id, "linked": s.telegram_id.is_some() },
        "meta": {
            "resourceType": "User",
            "created": u.registered_at.to_rfc3339(),
            "lastModified": u.updated_at.to_rfc3339(),
            "version": etag(u.version),
            "location": format!("{}/scim/v2/Users/{}", state.config.public_url, u.id),
        },
    });
    if let Some(e) = &s.external_id {
        r["externalId"] = json!(e);
    }
    if let Some(p) = &s.phone {
        r["phoneNumbers"] = json!([{ "value": p, "type": "mobile", "primary": true }]);
    }
    if let Some(t) = &s.title {
        r["title"] = json!(t);
    }
    // An extension with nothing in it is left out, from `schemas` too.
    match &s.department {
        Some(d) => r[ENTERPRISE_SCHEMA]["department"] = json!(d),
        None => {
            if let Some(map) = r.as_object_mut() {
                map.remove(ENTERPRISE_SCHEMA);
            }
            r["schemas"] = json!([USER_SCHEMA, TELEGRAM_SCHEMA]);
        }
    }
    r
}

pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

fn parse_id(id: &str) -> ScimResult<UserId> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(UserId)
        .ok_or(ScimFailure::App(AppError::NotFound))
}

/// `GET /Users`: `filter` by userName, externalId, active, id (`eq`, `and`); 1-based pages.
pub async fn list(
    state: &AppState,
    filter: Option<&str>,
    start: i64,
    count: i64,
) -> ScimResult<(i64, Vec<Value>)> {
    let mapping = mapping(state).await?;
    let mut q = UserQuery::default();
    let mut impossible = false;
    if let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) {
        for t in filter::parse(f, &["username", "externalid", "active", "id"])? {
            match (t.attr.as_str(), &t.value) {
                ("active", filter::FilterValue::Bool(b)) => q.active = Some(*b),
                ("active", _) => {
                    return Err(
                        ScimError::InvalidFilter("active takes true or false".into()).into(),
                    );
                }
                (attr, v) => {
                    let Some(text) = v.as_text() else {
                        return Err(
                            ScimError::InvalidFilter(format!("{attr} takes a string")).into()
                        );
                    };
                    match attr {
                        "username" => match mapping {
                            UserNameMapping::Login => q.login = Some(text),
                            UserNameMapping::TelegramId => match text.parse() {
                                Ok(n) => q.telegram_id = Some(n),
                                Err(_) => impossible = true,
                            },
                        },
                        "externalid" => q.external_id = Some(text),
                        _ => match text.parse() {
                            Ok(n) => q.id = Some(n),
                            Err(_) => impossible = true,
                        },
                    }
                }
            }
        }
    }
    if impossible {
        return Ok((0, Vec::new()));
    }
    let mut c = state.db.read().await?;
    let (total, rows) = storage::scim::find(c.conn(), &q, start - 1, count).await?;
    Ok((
        total,
        rows.iter().map(|r| resource(state, r, mapping)).collect(),
    ))
}

async fn visible(c: storage::Conn<'_>, id: UserId) -> ScimResult<ScimRow> {
    match storage::scim::get(c, id).await? {
        Some(r) if !r.scim_hidden => Ok(r),
        _ => Err(AppError::NotFound.into()),
    }
}

pub async fn get(state: &AppState, id: &str) -> ScimResult<(Value, i64)> {
    let id = parse_id(id)?;
    let mapping = mapping(state).await?;
    let mut c = state.db.read().await?;
    let row = visible(c.conn(), id).await?;
    Ok((resource(state, &row, mapping), row.user.version))
}

/// The login or Telegram id `userName` stands for.
enum UserName {
    Login(String),
    Telegram(TelegramId),
}

fn user_name_of(s: &ScimUser, mapping: UserNameMapping) -> ScimResult<UserName> {
    match mapping {
        UserNameMapping::Login => normalize_login(&s.user_name)
            .map(UserName::Login)
            .ok_or_else(|| AppError::invalid("userName", Msg::ErrLoginInvalid).into()),
        UserNameMapping::TelegramId => s
            .user_name
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| UserName::Telegram(TelegramId(n)))
            .ok_or_else(|| AppError::invalid("userName", Msg::ErrTelegramId).into()),
    }
}

fn check_external(e: Option<&str>) -> ScimResult<()> {
    if let Some(e) = e
        && (e.chars().count() > 100 || e.chars().any(char::is_control))
    {
        return Err(AppError::invalid("externalId", Msg::ErrExternalIdInvalid).into());
    }
    Ok(())
}

/// The person already holding this userName or externalId, hidden or not.
async fn holder(
    tx: &mut storage::Tx,
    name: &UserName,
    external: Option<&str>,
) -> ScimResult<Vec<(ScimRow, &'static str)>> {
    let mut found = Vec::new();
    let by_name = match name {
        UserName::Login(l) => storage::users::get_by_login(tx.conn(), l)
            .await?
            .map(|u| u.user),
        UserName::Telegram(t) => storage::users::get_by_telegram_id(tx.conn(), *t).await?,
    };
    // A bare pending self-registration with this Telegram id is folded in by the link, not a
    // conflict.
    let foldable = |u: &User| u.status == UserStatus::Pending && u.login.is_none();
    let by_name = by_name.filter(|u| !(matches!(name, UserName::Telegram(_)) && foldable(u)));
    if let Some(u) = by_name
        && let Some(r) = storage::scim::get(tx.conn(), u.id).await?
    {
        found.push((r, "userName"));
    }
    if let Some(e) = external
        && let Some(u) = storage::users::get_by_external_id(tx.conn(), e).await?
        && let Some(r) = storage::scim::get(tx.conn(), u.id).await?
    {
        found.push((r, "externalId"));
    }
    Ok(found)
}

/// The branch or position with this name (created when missing), or none.
async fn placement(
    tx: &mut storage::Tx,
    dict: Dictionary,
    name: Option<&str>,
    now: crate::domain::Timestamp,
) -> ScimResult<Option<i64>> {
    let Some(name) = name else { return Ok(None) };
    if name.chars().count() > crate::dictionaries::DICT_NAME_MAX
        || name.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            if dict == Dictionary::Branches {
                "department"
            } else {
                "title"
            },
            Msg::ErrDictName,
        )
        .into());
    }
    // A department differing only in case is the same branch ("sales" is "Sales").
    if dict == Dictionary::Branches
        && let Some(g) = storage::scim::group_by_name(tx.conn(), name).await?
    {
        if g.archived {
            storage::scim::set_archived(tx.conn(), g.id, false, now).await?;
        }
        return Ok(Some(g.id));
    }
    Ok(Some(
        storage::dictionaries::ensure(tx.conn(), dict, name, now)
            .await?
            .id,
    ))
}

/// `POST /Users`: a new person, or a person deleted over SCIM with this userName or
/// externalId brought back (RFC 7644 leaves it open; Entra ID expects it).
pub async fn create(caller: &Caller<'_>, body: &Value) -> ScimResult<(Value, i64)> {
    let state = caller.state;
    let mapping = mapping(state).await?;
    let new = ScimUser::from_resource(body, None)?;
    let name = user_name_of(&new, mapping)?;
    check_external(new.external_id.as_deref())?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let holders = holder(&mut tx, &name, new.external_id.as_deref()).await?;
    if let Some((_, attr)) = holders.iter().find(|(r, _)| !r.scim_hidden) {
        return Err(ScimFailure::Uniqueness(attr));
    }
    let user = if let Some((row, _)) = holders.first() {
        if holders.iter().any(|(r, _)| r.user.id != row.user.id) {
            return Err(ScimFailure::Uniqueness("externalId"));
        }
        storage::scim::set_hidden(tx.conn(), row.user.id, false, now).await?;
        let old = scim_of(row, mapping);
        let user = apply(caller, &mut tx, row, &old, &new, None, mapping).await?;
        storage::audit::record(
            tx.conn(),
            &caller.by.audit(
                AuditAction::UserEdited,
                "user",
                user.id,
                json!({ "scim_restored": true }),
                caller.origin,
                now,
            ),
        )
        .await?;
        user
    } else {
        let branch = placement(
            &mut tx,
            Dictionary::Branches,
            new.department.as_deref(),
            now,
        )
        .await?;
        let position = placement(&mut tx, Dictionary::Positions, new.title.as_deref(), now).await?;
        let login = match &name {
            UserName::Login(l) => Some(l.as_str()),
            UserName::Telegram(_) => None,
        };
        let row = NewRow {
            telegram_id: None,
            first_name: &new.given_name,
            last_name: &new.family_name,
            role: Role::Employee,
            status: if new.active {
                UserStatus::Active
            } else {
                UserStatus::Deactivated
            },
            position: position.map(PositionId),
            branch: branch.map(BranchId),
            login,
        };
        let id = insert_row(&mut tx, &row, now).await.map_err(field_names)?;
        if let Some(e) = &new.external_id {
            storage::users::set_external_id(tx.conn(), id, Some(e), now).await?;
        }
        if let Some(p) = &new.phone {
            let digits = rules::phone::digits(p);
            storage::scim::set_phone(tx.conn(), id, Some(p), digits.as_deref(), now).await?;
        }
        let tg = telegram_wanted(&name, &new)?;
        if let Some(tg) = tg {
            link_in_tx(
                state,
                &mut tx,
                Some(caller.by),
                id,
                tg,
                LinkedBy::Scim,
                caller.origin,
            )
            .await
            .map_err(taken)?;
        }
        storage::audit::record(
            tx.conn(),
            &caller.by.audit(
                AuditAction::UserPreregistered,
                "user",
                id,
                json!({ "via": "scim", "user_name": new.user_name, "external_id": new.external_id, "telegram_id": tg }),
                caller.origin,
                now,
            ),
        )
        .await?;
        storage::users::get(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let row = visible(tx.conn(), user.id).await?;
    tx.commit().await?;
    Ok((resource(state, &row, mapping), row.user.version))
}

/// The Telegram id the request gives: by `userName` (when mapped so) or the extension; both
/// must agree.
fn telegram_wanted(name: &UserName, s: &ScimUser) -> ScimResult<Option<TelegramId>> {
    let by_name = match name {
        UserName::Telegram(t) => Some(*t),
        UserName::Login(_) => None,
    };
    match (by_name, s.telegram_id.map(TelegramId)) {
        (Some(a), Some(b)) if a != b => Err(ScimError::InvalidValue(
            "userName and telegramId name different Telegram ids".into(),
        )
        .into()),
        (a, b) => Ok(a.or(b)),
    }
}

fn taken(e: AppError) -> ScimFailure {
    match e {
        AppError::Invalid { .. } => ScimFailure::Uniqueness("telegramId"),
        other => ScimFailure::App(other),
    }
}

/// Our field names in errors become SCIM's.
fn field_names(e: AppError) -> ScimFailure {
    match e {
        AppError::Invalid { fields } => ScimFailure::App(AppError::Invalid {
            fields: fields
                .into_iter()
                .map(|mut f| {
                    f.field = match f.field.as_str() {
                        "first_name" => "name.givenName".into(),
                        "last_name" => "name.familyName".into(),
                        "external_id" => "externalId".into(),
                        _ => f.field,
                    };
                    f
                })
                .collect(),
        }),
        other => ScimFailure::App(other),
    }
}

/// Writes the difference between `old` and `new` (SCIM's view of `row`) in `tx`.
async fn apply(
    caller: &Caller<'_>,
    tx: &mut storage::Tx,
    row: &ScimRow,
    old: &ScimUser,
    new: &ScimUser,
    expected: Option<i64>,
    mapping: UserNameMapping,
) -> ScimResult<User> {
    let state = caller.state;
    let now = state.now();
    let id = row.user.id;
    let mut more = serde_json::Map::new();
    // userName: the login, or the Telegram id.
    let mut login = None;
    let mut tg_by_name = None;
    if !new.user_name.eq_ignore_ascii_case(&old.user_name) {
        match user_name_of(new, mapping)? {
            UserName::Login(l) => {
                if let Some(other) = storage::users::get_by_login(tx.conn(), &l).await?
                    && other.user.id != id
                {
                    return Err(ScimFailure::Uniqueness("userName"));
                }
                more.insert("login".into(), json!([row.user.login, l]));
                login = Some(l);
            }
            UserName::Telegram(t) => tg_by_name = Some(t),
        }
    }
    if new.external_id != old.external_id {
        check_external(new.external_id.as_deref())?;
        if let Some(e) = &new.external_id
            && storage::users::get_by_external_id(tx.conn(), e)
                .await?
                .is_some_and(|u| u.id != id)
        {
            return Err(ScimFailure::Uniqueness("externalId"));
        }
    }
    let tg = match (
        tg_by_name,
        new.telegram_id.filter(|t| Some(*t) != old.telegram_id),
    ) {
        (Some(a), Some(b)) if a.0 != b => {
            return Err(ScimError::InvalidValue(
                "userName and telegramId name different Telegram ids".into(),
            )
            .into());
        }
        (a, b) => a.or(b.map(TelegramId)),
    };
    if tg.is_some() && row.user.telegram_id.is_some() {
        return Err(ScimError::Mutability(
            "the Telegram account is changed in the admin panel, not over SCIM".into(),
        )
        .into());
    }
    let branch = if new.department == old.department {
        row.user.branch_id
    } else {
        placement(tx, Dictionary::Branches, new.department.as_deref(), now)
            .await?
            .map(BranchId)
    };
    let position = if new.title == old.title {
        row.user.position_id
    } else {
        placement(tx, Dictionary::Positions, new.title.as_deref(), now)
            .await?
            .map(PositionId)
    };
    // Only a change of `active` changes the status: a pending self-registration reads as
    // inactive, and an unrelated edit must not deactivate it.
    let status = match (new.active == old.active, new.active) {
        (true, _) => row.user.status,
        (false, true) => UserStatus::Active,
        (false, false) => UserStatus::Deactivated,
    };
    if new.phone != old.phone {
        more.insert("phone".into(), json!([old.phone, new.phone]));
    }
    let edit = ProfileEdit {
        first_name: new.given_name.clone(),
        last_name: new.family_name.clone(),
        role: row.user.role,
        status,
        position,
        branch,
    };
    let external = (new.external_id != old.external_id).then_some(new.external_id.as_deref());
    let change = Change {
        edit,
        external_id: external,
        expected_version: expected,
        more,
    };
    update_in_tx(state, tx, caller.by, id, change, caller.origin)
        .await
        .map_err(field_names)?;
    if let Some(l) = &login {
        storage::scim::set_login(tx.conn(), id, Some(l), now).await?;
    }
    if new.phone != old.phone {
        let digits = new.phone.as_deref().and_then(rules::phone::digits);
        storage::scim::set_phone(tx.conn(), id, new.phone.as_deref(), digits.as_deref(), now)
            .await?;
    }
    if let Some(tg) = tg {
        link_in_tx(
            state,
            tx,
            Some(caller.by),
            id,
            tg,
            LinkedBy::Scim,
            caller.origin,
        )
        .await
        .map_err(taken)?;
    }
    Ok(storage::users::get(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?)
}

async fn change(
    caller: &Caller<'_>,
    id: &str,
    expected: Option<i64>,
    edit: impl FnOnce(&ScimUser) -> ScimResult<ScimUser>,
) -> ScimResult<(Value, i64)> {
    let state = caller.state;
    let id = parse_id(id)?;
    let mapping = mapping(state).await?;
    let mut tx = state.db.begin().await?;
    storage::users::lock(tx.conn(), id).await?;
    let row = visible(tx.conn(), id).await?;
    if expected.is_some_and(|v| v != row.user.version) {
        return Err(AppError::PreconditionFailed.into());
    }
    let old = scim_of(&row, mapping);
    let mut new = edit(&old)?;
    // userName is case-insensitive: `Alice@X` after `alice@x` is no change.
    if new.user_name.eq_ignore_ascii_case(&old.user_name) {
        new.user_name.clone_from(&old.user_name);
    }
    if new != old {
        apply(caller, &mut tx, &row, &old, &new, expected, mapping).await?;
    }
    let row = visible(tx.conn(), id).await?;
    tx.commit().await?;
    Ok((resource(state, &row, mapping), row.user.version))
}

/// `PUT /Users/{id}`: what the body carries replaces; `active` and other attributes it omits
/// keep their values (Okta's updates omit `active`).
pub async fn replace(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<i64>,
) -> ScimResult<(Value, i64)> {
    change(caller, id, expected, |old| {
        Ok(ScimUser::from_resource(body, Some(old))?)
    })
    .await
}

/// `PATCH /Users/{id}`.
pub async fn patch(
    caller: &Caller<'_>,
    id: &str,
    body: &Value,
    expected: Option<i64>,
) -> ScimResult<(Value, i64)> {
    let ops = operations(body)?;
    change(caller, id, expected, |old| {
        let mut new = old.clone();
        apply_to_user(&mut new, &ops)?;
        Ok(new)
    })
    .await
}

/// `DELETE /Users/{id}`: deactivated (sessions end at once) and hidden from SCIM; the person
/// and their history stay.
pub async fn delete(caller: &Caller<'_>, id: &str, expected: Option<i64>) -> ScimResult<()> {
    let state = caller.state;
    let id = parse_id(id)?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    storage::users::lock(tx.conn(), id).await?;
    let row = visible(tx.conn(), id).await?;
    let u = &row.user;
    let edit = ProfileEdit {
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        role: u.role,
        status: UserStatus::Deactivated,
        position: u.position_id,
        branch: u.branch_id,
    };
    let mut more = serde_json::Map::new();
    more.insert("scim_deleted".into(), json!(true));
    let change = Change {
        edit,
        external_id: None,
        expected_version: expected,
        more,
    };
    update_in_tx(state, &mut tx, caller.by, id, change, caller.origin)
        .await
        .map_err(field_names)?;
    storage::scim::set_hidden(tx.conn(), id, true, now).await?;
    storage::scim::drop_invite(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(())
}
