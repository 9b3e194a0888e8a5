//! Branches and positions: the dictionaries users are placed in (module "users").

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;

/// A branch or position as the UI and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

#[server(prefix = "/api", endpoint = "dictionaries/list", output = crate::codec::Json)]
pub async fn list_dictionaries() -> Result<Dictionaries, AppError> {
    use crate::auth::guard;
    use crate::domain::permissions::Module;
    use crate::storage::dictionaries::{Dictionary, list};
    guard::respond(
        async {
            guard::module(Module::Users).await?;
            let state = guard::state();
            let mut read = state.db.read().await.map_err(AppError::from)?;
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
                    .map_err(AppError::from)?,
            );
            let positions = to_entries(
                list(read.conn(), Dictionary::Positions)
                    .await
                    .map_err(AppError::from)?,
            );
            Ok(Dictionaries {
                branches,
                positions,
            })
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "dictionaries/add", output = crate::codec::Json)]
pub async fn add_dictionary_entry(kind: DictKind, name: String) -> Result<Entry, AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    use crate::domain::permissions::Module;
    guard::respond(
        async {
            let actor = guard::module(Module::Users).await?;
            service::add(
                &guard::state(),
                &By::Person(actor),
                kind,
                &name,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}
