//! Whom a manager or admin may see: `visible_people(actor)`, the one rule behind
//! notifications of results, the Mini App's team results, analytics and exports. Admins and
//! managers without a branch limit see everyone; a manager limited to branches sees the people
//! of those branches; employees see nobody's results.

use super::BranchId;
use super::user::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeopleScope {
    Everyone,
    /// People whose branch is one of these (people without a branch are not included).
    Branches(Vec<BranchId>),
    Nobody,
}

/// The people `role` with the branch limit `limited_to` (empty: none) may see.
pub fn visible_people(role: Role, limited_to: &[BranchId]) -> PeopleScope {
    match role {
        Role::Employee => PeopleScope::Nobody,
        Role::Admin => PeopleScope::Everyone,
        Role::Manager if limited_to.is_empty() => PeopleScope::Everyone,
        Role::Manager => PeopleScope::Branches(limited_to.to_vec()),
    }
}

/// A filter that forgets to say whose people it reads sees nobody.
impl Default for PeopleScope {
    fn default() -> Self {
        PeopleScope::Nobody
    }
}

impl PeopleScope {
    /// Whether a person of `branch` is visible.
    pub fn includes(&self, branch: Option<BranchId>) -> bool {
        match self {
            PeopleScope::Everyone => true,
            PeopleScope::Branches(b) => branch.is_some_and(|x| b.contains(&x)),
            PeopleScope::Nobody => false,
        }
    }

    /// The SQL condition on a branch column (ids are numbers, written inline).
    pub fn sql(&self, branch_column: &str) -> String {
        match self {
            PeopleScope::Everyone => "TRUE".into(),
            PeopleScope::Nobody => "FALSE".into(),
            PeopleScope::Branches(b) if b.is_empty() => "FALSE".into(),
            PeopleScope::Branches(b) => format!(
                "{branch_column} IN ({})",
                b.iter()
                    .map(|id| id.0.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_may_be_limited_to_branches_admins_never() {
        let kazan = BranchId(1);
        let perm = BranchId(2);
        assert_eq!(visible_people(Role::Admin, &[kazan]), PeopleScope::Everyone);
        assert_eq!(visible_people(Role::Manager, &[]), PeopleScope::Everyone);
        let limited = visible_people(Role::Manager, &[kazan]);
        assert!(limited.includes(Some(kazan)));
        assert!(!limited.includes(Some(perm)));
        assert!(!limited.includes(None));
        assert!(!visible_people(Role::Employee, &[]).includes(Some(kazan)));
        assert_eq!(limited.sql("u.branch_id"), "u.branch_id IN (1)");
        assert_eq!(PeopleScope::Nobody.sql("x"), "FALSE");
    }
}
