//! Demo data: branches, positions, employees, a manager and an admin. Idempotent: a second run
//! keeps what exists and gives the demo admin and manager fresh passwords, printed once.

use app::auth::service::{NewAdmin, create_admin};
use app::domain::audit::Origin;
use app::domain::user::{Role, UserStatus};
use app::domain::{BranchId, PositionId, TelegramId};
use app::error::AppError;
use app::state::AppState;
use app::storage::dictionaries::{self, Dictionary};
use app::storage::{self, StorageError};
use rand::distributions::{Alphanumeric, DistString};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    App(#[from] AppError),
}

pub struct DemoCredentials {
    pub admin_login: String,
    pub admin_password: String,
    pub manager_login: String,
    pub manager_password: String,
}

/// Telegram ids of the demo people (not real Telegram accounts).
pub const DEMO_ADMIN_TG: i64 = 100_000_001;
pub const DEMO_MANAGER_TG: i64 = 100_000_002;
pub const DEMO_EMPLOYEES: [(i64, &str, &str, usize, usize); 5] = [
    (100_000_011, "Анна", "Смирнова", 0, 0),
    (100_000_012, "Иван", "Петров", 0, 1),
    (100_000_013, "Мария", "Кузнецова", 1, 0),
    (100_000_014, "Олег", "Васильев", 1, 2),
    (100_000_015, "Елена", "Попова", 2, 1),
];
const BRANCHES: [&str; 3] = ["Москва", "Санкт-Петербург", "Казань"];
const POSITIONS: [&str; 3] = ["Продавец-консультант", "Кассир", "Старший смены"];

pub fn random_password() -> String {
    // Letters and digits, with a guaranteed digit so it passes the strength rule.
    let mut p = Alphanumeric.sample_string(&mut rand::thread_rng(), 15);
    p.push('7');
    p
}

/// Passwords given (e.g. by `DEMO_ADMIN_PASSWORD`) are used as they are, otherwise generated.
pub async fn seed(
    state: &AppState,
    admin_password: Option<String>,
    manager_password: Option<String>,
) -> Result<DemoCredentials, DemoError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let mut branches = Vec::new();
    for b in BRANCHES {
        branches.push(BranchId(
            dictionaries::ensure(tx.conn(), Dictionary::Branches, b, now)
                .await?
                .id,
        ));
    }
    let mut positions = Vec::new();
    for p in POSITIONS {
        positions.push(PositionId(
            dictionaries::ensure(tx.conn(), Dictionary::Positions, p, now)
                .await?
                .id,
        ));
    }
    for (tg, first, last, branch, position) in DEMO_EMPLOYEES {
        if storage::users::get_by_telegram_id(tx.conn(), TelegramId(tg))
            .await?
            .is_none()
        {
            storage::users::insert(
                tx.conn(),
                &storage::users::NewUser {
                    telegram_id: Some(TelegramId(tg)),
                    first_name: first.into(),
                    last_name: last.into(),
                    names_edited: true,
                    username: None,
                    role: Role::Employee,
                    status: UserStatus::Active,
                    position_id: Some(positions[position]),
                    branch_id: Some(branches[branch]),
                    login: None,
                    password_hash: None,
                },
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;

    let origin = Origin::channel("demo");
    let admin_password = admin_password.unwrap_or_else(random_password);
    let manager_password = manager_password.unwrap_or_else(random_password);
    create_admin(
        state,
        NewAdmin {
            login: "admin".into(),
            password: admin_password.clone(),
            telegram_id: Some(TelegramId(DEMO_ADMIN_TG)),
            first_name: "Алексей".into(),
            last_name: "Администратов".into(),
            role: Role::Admin,
        },
        &origin,
    )
    .await?;
    let manager = create_admin(
        state,
        NewAdmin {
            login: "manager".into(),
            password: manager_password.clone(),
            telegram_id: Some(TelegramId(DEMO_MANAGER_TG)),
            first_name: "Светлана".into(),
            last_name: "Руководова".into(),
            role: Role::Manager,
        },
        &origin,
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let placed = storage::users::get(tx.conn(), manager.id).await?;
    if placed.is_some_and(|m| m.branch_id.is_none()) {
        storage::users::set_placement(
            tx.conn(),
            manager.id,
            Some(positions[2]),
            Some(branches[0]),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(DemoCredentials {
        admin_login: "admin".into(),
        admin_password,
        manager_login: "manager".into(),
        manager_password,
    })
}
