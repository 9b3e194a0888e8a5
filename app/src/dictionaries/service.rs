//! Adding and renaming branches and positions, for the admin panel and the API alike.

use super::{DICT_NAME_MAX, DictKind, Entry};
use crate::domain::actor::By;
use crate::domain::audit::{AuditAction, Origin};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::dictionaries::{self, Dictionary};
use crate::storage::{self, StorageError};

fn dict_of(kind: DictKind) -> (Dictionary, &'static str) {
    match kind {
        DictKind::Branch => (Dictionary::Branches, "branch"),
        DictKind::Position => (Dictionary::Positions, "position"),
    }
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > DICT_NAME_MAX || name.chars().any(char::is_control)
    {
        return Err(AppError::invalid("name", Msg::ErrDictName));
    }
    Ok(name)
}

/// The entry with this name, created if missing (a name is its natural key).
pub async fn add(
    state: &AppState,
    by: &By,
    kind: DictKind,
    name: &str,
    origin: &Origin,
) -> AppResult<Entry> {
    let name = clean_name(name)?;
    let (dict, target) = dict_of(kind);
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let entry = dictionaries::ensure(tx.conn(), dict, &name, now).await?;
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::DictionaryEdited,
                target,
                entry.id,
                serde_json::json!({ "name": entry.name }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(entry)
    }
    .await;
    let entry = result.map_err(AppError::from)?;
    Ok(Entry {
        id: entry.id,
        name: entry.name,
    })
}

pub async fn rename(
    state: &AppState,
    by: &By,
    kind: DictKind,
    id: i64,
    name: &str,
    origin: &Origin,
) -> AppResult<Entry> {
    let name = clean_name(name)?;
    let (dict, target) = dict_of(kind);
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(before) = dictionaries::get(tx.conn(), dict, id).await? else {
            return Err(AppError::NotFound);
        };
        if before.name == name {
            return Ok(Entry { id, name });
        }
        dictionaries::rename(tx.conn(), dict, id, &name, now)
            .await
            .map_err(name_taken)?;
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::DictionaryEdited,
                target,
                id,
                serde_json::json!({ "name": [before.name, name] }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Entry { id, name })
    }
    .await
}

/// Another entry of the dictionary has the name already.
fn name_taken(e: StorageError) -> AppError {
    match e {
        StorageError::Conflict(_) => AppError::invalid("name", Msg::ErrDictNameTaken),
        other => other.into(),
    }
}
