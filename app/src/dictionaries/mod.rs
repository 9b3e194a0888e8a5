//! Branches and positions: the dictionaries users are placed in (module "users").

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A branch or position as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dictionaries {
    pub branches: Vec<Entry>,
    pub positions: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DictKind {
    Branch,
    Position,
}

pub const DICT_NAME_MAX: usize = 100;

#[server(prefix = "/api", endpoint = "dictionaries/list")]
pub async fn list_dictionaries() -> Result<Dictionaries, AppError> {
    use crate::auth::{guard, service::internal};
    use crate::domain::permissions::Module;
    use crate::storage::dictionaries::{Dictionary, list};
    guard::respond(
        async {
            guard::module(Module::Users).await?;
            let state = guard::state();
            let mut read = state.db.read().await.map_err(internal)?;
            let to_entries = |v: Vec<crate::storage::dictionaries::DictEntry>| {
                v.into_iter()
                    .map(|e| Entry {
                        id: e.id,
                        name: e.name,
                    })
                    .collect()
            };
            let branches = to_entries(
                list(read.conn(), Dictionary::Branches)
                    .await
                    .map_err(internal)?,
            );
            let positions = to_entries(
                list(read.conn(), Dictionary::Positions)
                    .await
                    .map_err(internal)?,
            );
            Ok(Dictionaries {
                branches,
                positions,
            })
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "dictionaries/add")]
pub async fn add_dictionary_entry(kind: DictKind, name: String) -> Result<Entry, AppError> {
    use crate::auth::{
        guard,
        service::{internal, label_of},
    };
    use crate::domain::audit::{AuditAction, AuditEntry};
    use crate::domain::permissions::Module;
    use crate::i18n::Msg;
    use crate::storage::dictionaries::{Dictionary, ensure};
    guard::respond(
        async {
            let actor = guard::module(Module::Users).await?;
            let name = name.trim().to_owned();
            if name.is_empty()
                || name.chars().count() > DICT_NAME_MAX
                || name.chars().any(char::is_control)
            {
                return Err(AppError::invalid("name", Msg::ErrDictName));
            }
            let state = guard::state();
            let dict = match kind {
                DictKind::Branch => Dictionary::Branches,
                DictKind::Position => Dictionary::Positions,
            };
            let now = state.now();
            let result = async {
                let mut tx = state.db.begin().await?;
                let entry = ensure(tx.conn(), dict, &name, now).await?;
                crate::storage::audit::record(
                    tx.conn(),
                    &AuditEntry {
                        at: now,
                        actor_id: Some(actor.user.id),
                        actor_label: label_of(&actor.user),
                        action: AuditAction::DictionaryEdited,
                        target_type: Some(match kind {
                            DictKind::Branch => "branch".into(),
                            DictKind::Position => "position".into(),
                        }),
                        target_id: Some(entry.id.to_string()),
                        details: serde_json::json!({ "name": entry.name }),
                        origin: guard::origin("admin"),
                    },
                )
                .await?;
                tx.commit().await?;
                Ok::<_, crate::storage::StorageError>(entry)
            }
            .await;
            let entry = result.map_err(internal)?;
            Ok(Entry {
                id: entry.id,
                name: entry.name,
            })
        }
        .await,
    )
}
