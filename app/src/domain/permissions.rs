//! Admin-panel modules and per-user permissions.
//!
//! The role gives defaults; per-user grants and withdrawals override them. The rules about who
//! may change roles, permissions and passwords live here so the server enforces them the same
//! way everywhere.

use super::UserId;
use super::user::Role;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Certifications,
    QuestionBank,
    Users,
    Gamification,
    AuditLog,
    ApiKeys,
    Settings,
}

impl Module {
    pub const ALL: [Module; 7] = [
        Module::Certifications,
        Module::QuestionBank,
        Module::Users,
        Module::Gamification,
        Module::AuditLog,
        Module::ApiKeys,
        Module::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Certifications => "certifications",
            Module::QuestionBank => "question_bank",
            Module::Users => "users",
            Module::Gamification => "gamification",
            Module::AuditLog => "audit_log",
            Module::ApiKeys => "api_keys",
            Module::Settings => "settings",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            Module::Certifications => Msg::ModuleCertifications,
            Module::QuestionBank => Msg::ModuleQuestionBank,
            Module::Users => Msg::ModuleUsers,
            Module::Gamification => Msg::ModuleGamification,
            Module::AuditLog => Msg::ModuleAuditLog,
            Module::ApiKeys => Msg::ModuleApiKeys,
            Module::Settings => Msg::ModuleSettings,
        }
    }

    /// The admin-panel path of the module's first page.
    pub fn path(self) -> &'static str {
        match self {
            Module::Certifications => "/admin/certifications",
            Module::QuestionBank => "/admin/questions",
            Module::Users => "/admin/users",
            Module::Gamification => "/admin/gamification",
            Module::AuditLog => "/admin/audit",
            Module::ApiKeys => "/admin/api-keys",
            Module::Settings => "/admin/settings",
        }
    }

    /// Further pages of the module the sidebar lists under it (`admin_only`: for admins).
    pub fn subpages(self) -> &'static [(&'static str, Msg, bool)] {
        match self {
            Module::Certifications => &[("/admin/compliance", Msg::ComplianceTitle, false)],
            Module::ApiKeys => &[("/admin/webhooks", Msg::WebhooksTitle, true)],
            _ => &[],
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::str::FromStr for Module {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Module::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl TryFrom<String> for Module {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A set of modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModuleSet(u8);

impl ModuleSet {
    pub const EMPTY: ModuleSet = ModuleSet(0);

    pub fn contains(self, m: Module) -> bool {
        self.0 & m.bit() != 0
    }

    pub fn with(self, m: Module) -> Self {
        ModuleSet(self.0 | m.bit())
    }

    pub fn without(self, m: Module) -> Self {
        ModuleSet(self.0 & !m.bit())
    }

    pub fn iter(self) -> impl Iterator<Item = Module> {
        Module::ALL.into_iter().filter(move |m| self.contains(*m))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Module> for ModuleSet {
    fn from_iter<I: IntoIterator<Item = Module>>(iter: I) -> Self {
        iter.into_iter().fold(ModuleSet::EMPTY, ModuleSet::with)
    }
}

/// The modules a role opens by default.
pub fn role_defaults(role: Role) -> ModuleSet {
    match role {
        Role::Employee => ModuleSet::EMPTY,
        Role::Manager => [
            Module::Certifications,
            Module::QuestionBank,
            Module::Users,
            Module::Gamification,
        ]
        .into_iter()
        .collect(),
        Role::Admin => Module::ALL.into_iter().collect(),
    }
}

/// A stored per-user decision that overrides the role default for one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionOverride {
    pub module: Module,
    pub granted: bool,
}

/// The modules a user may open: role defaults, then each override.
pub fn effective_modules(role: Role, overrides: &[PermissionOverride]) -> ModuleSet {
    overrides
        .iter()
        .fold(role_defaults(role), |set, o| match o.granted {
            true => set.with(o.module),
            false => set.without(o.module),
        })
}

/// Who is acting, as the permission rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorRef {
    pub id: UserId,
    pub role: Role,
    pub modules: ModuleSet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PermissionDenied {
    #[error("module {0:?} is not open to this user")]
    MissingModule(Module),
    #[error("only admins may do this")]
    AdminOnly,
    #[error("nobody may change their own role or permissions")]
    SelfEscalation,
    #[error("nobody may change their own points, level, badges or progress")]
    SelfService,
}

impl PermissionDenied {
    pub fn msg(self) -> Msg {
        match self {
            PermissionDenied::MissingModule(_) => Msg::ErrNoModule,
            PermissionDenied::AdminOnly => Msg::ErrAdminOnly,
            PermissionDenied::SelfEscalation => Msg::ErrSelfEscalation,
            PermissionDenied::SelfService => Msg::ErrSelfService,
        }
    }
}

pub fn require_module(actor: ActorRef, module: Module) -> Result<(), PermissionDenied> {
    if actor.modules.contains(module) {
        Ok(())
    } else {
        Err(PermissionDenied::MissingModule(module))
    }
}

/// Roles and per-user permissions: admins only, never on oneself.
pub fn may_change_role_or_permissions(
    actor: ActorRef,
    target: UserId,
) -> Result<(), PermissionDenied> {
    if actor.id == target {
        return Err(PermissionDenied::SelfEscalation);
    }
    if actor.role != Role::Admin {
        return Err(PermissionDenied::AdminOnly);
    }
    Ok(())
}

/// Another user's admin-panel password: admins only. One's own password is changed with the
/// current password, which this rule does not cover.
pub fn may_set_password_of(actor: ActorRef, target: UserId) -> Result<(), PermissionDenied> {
    if actor.id != target && actor.role != Role::Admin {
        return Err(PermissionDenied::AdminOnly);
    }
    Ok(())
}

/// Ending someone's sessions on every device (a lost phone, a leaver): admins, for others.
pub fn may_end_sessions_of(actor: ActorRef, target: UserId) -> Result<(), PermissionDenied> {
    if actor.role != Role::Admin {
        return Err(PermissionDenied::AdminOnly);
    }
    if actor.id == target {
        return Err(PermissionDenied::SelfService);
    }
    Ok(())
}

/// Points, levels, badges and certification progress (resets) are changed by others only:
/// nobody rewards themselves or gives themselves fresh attempts.
pub fn may_change_rewards_or_progress(
    actor: ActorRef,
    target: UserId,
) -> Result<(), PermissionDenied> {
    if actor.id == target {
        return Err(PermissionDenied::SelfService);
    }
    Ok(())
}

/// Changing someone's status (activating, deactivating): admins for anyone but themselves,
/// others for employees only.
pub fn may_change_status(
    actor: ActorRef,
    target: UserId,
    target_role: Role,
) -> Result<(), PermissionDenied> {
    may_edit_profile(actor, target, target_role)?;
    if actor.id == target {
        return Err(PermissionDenied::SelfEscalation);
    }
    if actor.role != Role::Admin && target_role != Role::Employee {
        return Err(PermissionDenied::AdminOnly);
    }
    Ok(())
}

/// Editing another person's profile fields (names, position, branch, status) from the users
/// module: admins edit anyone but themselves through this path; others edit employees only.
/// Changing a role goes through [`may_change_role_or_permissions`] as well.
pub fn may_edit_profile(
    actor: ActorRef,
    target: UserId,
    target_role: Role,
) -> Result<(), PermissionDenied> {
    require_module(actor, Module::Users)?;
    if actor.role != Role::Admin && target_role != Role::Employee && actor.id != target {
        return Err(PermissionDenied::AdminOnly);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, role: Role) -> ActorRef {
        ActorRef {
            id: UserId(id),
            role,
            modules: role_defaults(role),
        }
    }

    #[test]
    fn role_defaults_widen_with_the_role() {
        assert!(role_defaults(Role::Employee).is_empty());
        let manager = role_defaults(Role::Manager);
        assert!(manager.contains(Module::Certifications));
        assert!(!manager.contains(Module::ApiKeys));
        assert!(!manager.contains(Module::Settings));
        assert_eq!(role_defaults(Role::Admin).iter().count(), Module::ALL.len());
    }

    #[test]
    fn overrides_grant_and_withdraw_single_modules() {
        let overrides = [
            PermissionOverride {
                module: Module::Users,
                granted: false,
            },
            PermissionOverride {
                module: Module::AuditLog,
                granted: true,
            },
        ];
        let set = effective_modules(Role::Manager, &overrides);
        assert!(!set.contains(Module::Users));
        assert!(set.contains(Module::AuditLog));
        assert!(set.contains(Module::Certifications));
        // Two users with the same role differ only by their overrides.
        assert_ne!(set, effective_modules(Role::Manager, &[]));
    }

    #[test]
    fn module_guard_refuses_what_is_not_granted() {
        let a = actor(1, Role::Manager);
        assert_eq!(require_module(a, Module::Certifications), Ok(()));
        assert_eq!(
            require_module(a, Module::ApiKeys),
            Err(PermissionDenied::MissingModule(Module::ApiKeys))
        );
    }

    #[test]
    fn only_admins_change_roles_and_never_their_own() {
        let admin = actor(1, Role::Admin);
        let manager = actor(2, Role::Manager);
        assert_eq!(may_change_role_or_permissions(admin, UserId(3)), Ok(()));
        assert_eq!(
            may_change_role_or_permissions(admin, UserId(1)),
            Err(PermissionDenied::SelfEscalation)
        );
        assert_eq!(
            may_change_role_or_permissions(manager, UserId(3)),
            Err(PermissionDenied::AdminOnly)
        );
        assert_eq!(
            may_change_role_or_permissions(manager, UserId(2)),
            Err(PermissionDenied::SelfEscalation)
        );
    }

    #[test]
    fn only_admins_set_other_peoples_passwords() {
        let admin = actor(1, Role::Admin);
        let manager = actor(2, Role::Manager);
        assert_eq!(may_set_password_of(admin, UserId(2)), Ok(()));
        assert_eq!(may_set_password_of(manager, UserId(2)), Ok(()));
        assert_eq!(
            may_set_password_of(manager, UserId(1)),
            Err(PermissionDenied::AdminOnly)
        );
    }

    #[test]
    fn managers_edit_employees_only() {
        let manager = actor(2, Role::Manager);
        assert_eq!(may_edit_profile(manager, UserId(5), Role::Employee), Ok(()));
        assert_eq!(
            may_edit_profile(manager, UserId(1), Role::Admin),
            Err(PermissionDenied::AdminOnly)
        );
        assert_eq!(
            may_edit_profile(manager, UserId(3), Role::Manager),
            Err(PermissionDenied::AdminOnly)
        );
        let admin = actor(1, Role::Admin);
        assert_eq!(may_edit_profile(admin, UserId(3), Role::Manager), Ok(()));
        let no_module = ActorRef {
            modules: ModuleSet::EMPTY,
            ..manager
        };
        assert_eq!(
            may_edit_profile(no_module, UserId(5), Role::Employee),
            Err(PermissionDenied::MissingModule(Module::Users))
        );
    }

    #[test]
    fn nobody_rewards_or_resets_themselves() {
        let admin = actor(1, Role::Admin);
        assert_eq!(
            may_change_rewards_or_progress(admin, UserId(1)),
            Err(PermissionDenied::SelfService)
        );
        assert_eq!(may_change_rewards_or_progress(admin, UserId(2)), Ok(()));
    }

    #[test]
    fn status_changes_follow_the_role_rules() {
        let manager = actor(2, Role::Manager);
        let admin = actor(1, Role::Admin);
        assert_eq!(
            may_change_status(manager, UserId(5), Role::Employee),
            Ok(())
        );
        assert_eq!(
            may_change_status(manager, UserId(6), Role::Manager),
            Err(PermissionDenied::AdminOnly)
        );
        assert_eq!(may_change_status(admin, UserId(6), Role::Manager), Ok(()));
        assert_eq!(
            may_change_status(admin, UserId(1), Role::Admin),
            Err(PermissionDenied::SelfEscalation)
        );
    }

    #[test]
    fn module_names_round_trip() {
        for m in Module::ALL {
            assert_eq!(m.as_str().parse::<Module>().unwrap(), m);
        }
    }
}
