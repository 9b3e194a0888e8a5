//! Who acts: the signed-in person behind a request ([`Actor`]), an API key ([`KeyActor`]), the
//! two together as the author of a change ([`By`]), the front end a session belongs to
//! ([`Surface`]), and how each is named in the audit log. Below every feature, so storage,
//! services and the ledger can take an actor without depending on sign-in.

use crate::domain::SessionId;
use crate::domain::UserId;
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::permissions::{ActorRef, Module, ModuleSet};
use crate::domain::scope::PeopleScope;
use crate::domain::user::{Role, User};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The two front ends. Each has its own cookie, so an admin who opens the Mini App in the same
/// browser keeps both sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    MiniApp,
    Admin,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::MiniApp => "miniapp",
            Surface::Admin => "admin",
        }
    }

    pub fn cookie_name(self) -> &'static str {
        match self {
            Surface::MiniApp => "attest_app",
            Surface::Admin => "attest_admin",
        }
    }
}

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub modules: ModuleSet,
    pub session_id: SessionId,
    /// Whose people and results this actor sees and acts on (`visible_people`), read with the
    /// session on every request like the modules.
    pub scope: PeopleScope,
}

impl Actor {
    pub fn as_ref(&self) -> ActorRef {
        ActorRef {
            id: self.user.id,
            role: self.user.role,
            modules: self.modules,
        }
    }
}

/// An API key acting through the REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyActor {
    pub id: i64,
    pub name: String,
    /// The key has the `admin` scope: it may change roles and touch managers and admins.
    pub admin: bool,
}

/// Who makes a change: a person in the admin panel or an API key. The domain functions take
/// it, so the API goes through the same rules, audit entries and events as the admin panel.
#[derive(Debug, Clone)]
// A `By` lives for one request and is passed by reference: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum By {
    Person(Actor),
    Key(KeyActor),
}

impl By {
    /// The rules see a key as an admin with the `admin` scope and as a manager without it
    /// (employees only), with every module, and as nobody's self (id 0 is no user).
    pub fn as_ref(&self) -> ActorRef {
        match self {
            By::Person(a) => a.as_ref(),
            By::Key(k) => ActorRef {
                id: UserId(0),
                role: if k.admin { Role::Admin } else { Role::Manager },
                modules: Module::ALL
                    .iter()
                    .fold(ModuleSet::EMPTY, |set, m| set.with(*m)),
            },
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            By::Person(a) => Some(a.user.id),
            By::Key(_) => None,
        }
    }

    /// The people this actor may see and change. A key has no branch limit (its own rules
    /// keep a key without the `admin` scope to employees).
    pub fn scope(&self) -> &PeopleScope {
        match self {
            By::Person(a) => &a.scope,
            By::Key(_) => &PeopleScope::Everyone,
        }
    }

    pub fn role(&self) -> Role {
        self.as_ref().role
    }

    /// An audit entry for something this actor did to a target.
    pub fn audit(
        &self,
        action: AuditAction,
        target_type: &str,
        target_id: impl ToString,
        details: serde_json::Value,
        origin: &Origin,
        at: crate::domain::Timestamp,
    ) -> AuditEntry {
        match self {
            By::Person(a) => audit_by(&a.user, action, target_type, target_id, details, origin, at),
            By::Key(k) => AuditEntry {
                at,
                actor_id: None,
                actor_label: key_label(k.id, &k.name),
                action,
                target_type: Some(target_type.to_owned()),
                target_id: Some(target_id.to_string()),
                details,
                origin: Origin {
                    channel: "api".to_owned(),
                    ..origin.clone()
                },
            },
        }
    }
}

/// How an API key is named in the audit log.
pub fn key_label(id: i64, name: &str) -> String {
    format!("API key «{name}» (#{id})")
}

/// How a person is named in the audit log.
pub fn label_of(user: &User) -> String {
    match (&user.username, user.telegram_id) {
        (Some(u), _) => format!("{} (@{u})", user.full_name()),
        (None, Some(tg)) => format!("{} (tg {tg})", user.full_name()),
        (None, None) => user.full_name(),
    }
}

/// An audit entry for something `actor` did to a target.
pub fn audit_by(
    actor: &User,
    action: AuditAction,
    target_type: &str,
    target_id: impl ToString,
    details: serde_json::Value,
    origin: &Origin,
    at: crate::domain::Timestamp,
) -> AuditEntry {
    AuditEntry {
        at,
        actor_id: Some(actor.id),
        actor_label: label_of(actor),
        action,
        target_type: Some(target_type.to_owned()),
        target_id: Some(target_id.to_string()),
        details,
        origin: origin.clone(),
    }
}

/// The audit entry of a new session.
pub fn sign_in_entry(
    user: &User,
    session_id: SessionId,
    surface: Surface,
    method: &str,
    origin: &Origin,
    now: crate::domain::Timestamp,
) -> AuditEntry {
    AuditEntry {
        at: now,
        actor_id: Some(user.id),
        actor_label: label_of(user),
        action: AuditAction::SignIn,
        target_type: Some("session".into()),
        target_id: Some(session_id.to_string()),
        details: json!({ "surface": surface.as_str(), "method": method }),
        origin: origin.clone(),
    }
}
