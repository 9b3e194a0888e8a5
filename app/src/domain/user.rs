//! Users: roles, statuses, names and the user record shared by the database, the server
//! functions, the components and the API.

use super::{BranchId, PositionId, TelegramId, Timestamp, UserId};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Employee,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Employee, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            Role::Employee => Msg::RoleEmployee,
            Role::Manager => Msg::RoleManager,
            Role::Admin => Msg::RoleAdmin,
        }
    }

    /// Only employees earn points, appear in the rating and get activity badges.
    pub fn earns_rewards(self) -> bool {
        self == Role::Employee
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Registered by `/start` or a first Mini App launch; waits for an admin.
    Pending,
    Active,
    Deactivated,
}

impl UserStatus {
    pub const ALL: [UserStatus; 3] = [
        UserStatus::Pending,
        UserStatus::Active,
        UserStatus::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Pending => "pending",
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            UserStatus::Pending => Msg::StatusPending,
            UserStatus::Active => Msg::StatusActive,
            UserStatus::Deactivated => Msg::StatusDeactivated,
        }
    }
}

impl TryFrom<String> for UserStatus {
    type Error = UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for UserStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// A first or last name: trimmed, 1–64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

pub const NAME_MAX_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is empty")]
    Empty,
    #[error("name is longer than {NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("name contains control characters")]
    ControlCharacters,
}

impl NameError {
    pub fn msg(self) -> Msg {
        match self {
            NameError::Empty => Msg::ErrNameEmpty,
            NameError::TooLong => Msg::ErrNameTooLong,
            NameError::ControlCharacters => Msg::ErrNameInvalid,
        }
    }
}

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().count() > NAME_MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// A last name may be empty (Telegram does not require one).
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, NameError> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> Self {
        n.0
    }
}

/// Admin-panel password rule: 10–128 characters with at least one letter and one digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password is shorter than 10 characters")]
    TooShort,
    #[error("password is longer than 128 characters")]
    TooLong,
    #[error("password needs a letter and a digit")]
    TooSimple,
}

impl PasswordError {
    pub fn msg(self) -> Msg {
        match self {
            PasswordError::TooShort => Msg::ErrPasswordTooShort,
            PasswordError::TooLong => Msg::ErrPasswordTooLong,
            PasswordError::TooSimple => Msg::ErrPasswordTooSimple,
        }
    }
}

pub fn check_password_strength(p: &str) -> Result<(), PasswordError> {
    let n = p.chars().count();
    if n < 10 {
        return Err(PasswordError::TooShort);
    }
    if n > 128 {
        return Err(PasswordError::TooLong);
    }
    if !p.chars().any(char::is_alphabetic) || !p.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordError::TooSimple);
    }
    Ok(())
}

/// An admin-panel login: 3–128 characters of latin letters, digits and `. _ - @ + ' ! # ^ ~ &`
/// (so an e-mail or a UPN from SCIM's `userName`, such as `o'neil@contoso.com`, fits); stored
/// lower-case.
pub fn normalize_login(raw: &str) -> Option<String> {
    let l = raw.trim().to_lowercase();
    let ok = (3..=128).contains(&l.len())
        && l.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '.' | '_' | '-' | '@' | '+' | '\'' | '!' | '#' | '^' | '~' | '&'
                )
        });
    ok.then_some(l)
}

/// The user record. One type for the database row, the server functions, the components and
/// the REST API's `User` resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub telegram_id: Option<TelegramId>,
    pub first_name: String,
    pub last_name: String,
    /// Set once a name is edited in the admin panel or on the profile page: later Telegram
    /// sign-ins refresh username and photo but never overwrite edited names.
    pub names_edited: bool,
    pub username: Option<String>,
    pub photo_url: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: Role,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: UserStatus,
    pub position_id: Option<PositionId>,
    pub branch_id: Option<BranchId>,
    pub external_id: Option<String>,
    pub login: Option<String>,
    pub registered_at: Timestamp,
    pub updated_at: Timestamp,
    /// Goes up by one with every change of the fields above: the API's ETag and If-Match,
    /// SCIM's `meta.version`.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub version: i64,
}

impl User {
    /// "Surname Name", as people lists show and sort them.
    pub fn list_name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
            .trim()
            .to_owned()
    }

    pub fn full_name(&self) -> String {
        if self.last_name.is_empty() {
            self.first_name.clone()
        } else {
            format!("{} {}", self.first_name, self.last_name)
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

/// What Telegram tells us about a user (from initData or a bot update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramProfile {
    pub telegram_id: TelegramId,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub photo_url: Option<String>,
    pub language_code: Option<String>,
}

impl TelegramProfile {
    /// Telegram names can be anything; store a usable first name even when Telegram's is blank.
    pub fn first_name_or_fallback(&self) -> String {
        match PersonName::parse(&self.first_name) {
            Ok(n) => n.into(),
            Err(_) => self
                .username
                .clone()
                .unwrap_or_else(|| format!("id{}", self.telegram_id)),
        }
    }

    pub fn last_name_or_empty(&self) -> String {
        PersonName::parse(&self.last_name)
            .map(String::from)
            .unwrap_or_default()
    }
}

/// How a new Telegram user enters the system when nobody pre-registered them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationMode {
    /// Unknown users are pending until an admin activates them (the default).
    Approval,
    /// Unknown users are active employees at once (small teams).
    Open,
}

impl RegistrationMode {
    pub fn initial_status(self) -> UserStatus {
        match self {
            RegistrationMode::Approval => UserStatus::Pending,
            RegistrationMode::Open => UserStatus::Active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Анна ").unwrap().as_str(), "Анна");
        assert_eq!(PersonName::parse("   "), Err(NameError::Empty));
        assert_eq!(PersonName::parse(&"я".repeat(64)).map(|_| ()), Ok(()));
        assert_eq!(PersonName::parse(&"я".repeat(65)), Err(NameError::TooLong));
        assert_eq!(
            PersonName::parse("a\u{0}b"),
            Err(NameError::ControlCharacters)
        );
        assert_eq!(PersonName::parse_optional(" "), Ok(None));
    }

    #[test]
    fn roles_and_statuses_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        for s in UserStatus::ALL {
            assert_eq!(s.as_str().parse::<UserStatus>(), Ok(s));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_employees_earn_rewards() {
        assert!(Role::Employee.earns_rewards());
        assert!(!Role::Manager.earns_rewards());
        assert!(!Role::Admin.earns_rewards());
    }

    #[test]
    fn blank_telegram_names_fall_back_to_username_or_id() {
        let mut p = TelegramProfile {
            telegram_id: TelegramId(42),
            first_name: " ".into(),
            last_name: "\u{7}".into(),
            username: Some("nick".into()),
            photo_url: None,
            language_code: None,
        };
        assert_eq!(p.first_name_or_fallback(), "nick");
        assert_eq!(p.last_name_or_empty(), "");
        p.username = None;
        assert_eq!(p.first_name_or_fallback(), "id42");
    }

    #[test]
    fn passwords_need_length_a_letter_and_a_digit() {
        assert_eq!(
            check_password_strength("short1"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_password_strength("onlyletters"),
            Err(PasswordError::TooSimple)
        );
        assert_eq!(
            check_password_strength("1234567890"),
            Err(PasswordError::TooSimple)
        );
        assert_eq!(
            check_password_strength(&"a1".repeat(65)),
            Err(PasswordError::TooLong)
        );
        assert_eq!(check_password_strength("пароль2024x"), Ok(()));
    }

    #[test]
    fn logins_are_normalized_or_refused() {
        assert_eq!(normalize_login(" Admin.Main "), Some("admin.main".into()));
        assert_eq!(normalize_login("ab"), None);
        assert_eq!(normalize_login("имя"), None);
        assert_eq!(normalize_login("a b c"), None);
        assert_eq!(
            normalize_login("Alice+HR@Contoso.com"),
            Some("alice+hr@contoso.com".into())
        );
        assert_eq!(
            normalize_login("O'Neil@contoso.com"),
            Some("o'neil@contoso.com".into())
        );
    }

    #[test]
    fn registration_mode_decides_the_initial_status() {
        assert_eq!(
            RegistrationMode::Approval.initial_status(),
            UserStatus::Pending
        );
        assert_eq!(RegistrationMode::Open.initial_status(), UserStatus::Active);
    }
}
