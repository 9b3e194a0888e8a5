//! Demo data: branches, positions, employees, a manager and an admin. Idempotent: a second run
//! keeps what exists and gives the demo admin and manager fresh passwords, printed once.

use app::auth::service::{NewAdmin, create_admin};
use app::domain::audit::Origin;
use app::domain::certification::{BlockInput, BlockKind, CertSettings, CertStatus, MaterialKind};
use app::domain::question::{QuestionContent, QuestionKind, QuestionOption};
use app::domain::user::{Role, UserStatus};
use app::domain::{BranchId, PositionId, TelegramId, UserId};
use app::error::AppError;
use app::state::AppState;
use app::storage::certifications::TargetKind;
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
    let admin = create_admin(
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
    seed_certification(state, admin.id, &branches).await?;
    seed_badges(state).await?;
    seed_points(state, &admin).await?;
    Ok(DemoCredentials {
        admin_login: "admin".into(),
        admin_password,
        manager_login: "manager".into(),
        manager_password,
    })
}

const DEMO_CERT_TITLE: &str = "Охрана труда и пожарная безопасность";

/// An open certification with three theory blocks (text, image, video), one additional
/// material and ten questions of the three kinds, assigned to every demo branch.
async fn seed_certification(
    state: &AppState,
    admin: UserId,
    branches: &[BranchId],
) -> Result<(), DemoError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let (existing, _) =
        storage::certifications::list(tx.conn(), None, Some(DEMO_CERT_TITLE), 1, 0).await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let settings = CertSettings {
        title: DEMO_CERT_TITLE.into(),
        description: "<p>Ежегодная проверка знаний правил охраны труда и действий при пожаре.</p>"
            .into(),
        pass_threshold: 70,
        max_attempts: 3,
        time_limit_secs: 10 * 60,
        min_read_secs: 5,
        points: 100,
        ..CertSettings::default()
    };
    let id = storage::certifications::insert(tx.conn(), &settings, admin, now).await?;
    let blocks = [
        BlockInput {
            kind: BlockKind::Text,
            title: "Общие правила".into(),
            body: "<p>Каждый сотрудник обязан знать расположение <b>эвакуационных выходов</b>, \
                   огнетушителей и аптечки на своём рабочем месте.</p>\
                   <ul><li>Проходы и выходы не загромождают.</li>\
                   <li>О любой неисправности сразу сообщают старшему смены.</li>\
                   <li>При пожаре звонят по номеру <b>112</b>.</li></ul>"
                .into(),
            url: String::new(),
        },
        BlockInput {
            kind: BlockKind::Image,
            title: "Знак эвакуационного выхода".into(),
            body: "<p>Зелёный знак указывает путь к ближайшему выходу.</p>".into(),
            url: "/demo/safety.svg".into(),
        },
        BlockInput {
            kind: BlockKind::Video,
            title: "Как пользоваться огнетушителем".into(),
            body:
                "<p>Выдерните чеку, направьте раструб на основание пламени, нажмите на рычаг.</p>"
                    .into(),
            url: "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4".into(),
        },
    ];
    for b in &blocks {
        storage::certifications::insert_block(tx.conn(), id, 1, b, now).await?;
    }
    storage::certifications::insert_material(
        tx.conn(),
        id,
        1,
        MaterialKind::Link,
        "Памятка по пожарной безопасности (МЧС)",
        "https://mchs.gov.ru/deyatelnost/bezopasnost-grazhdan",
        now,
    )
    .await?;
    let mut question_ids = Vec::new();
    for content in demo_questions() {
        let q = storage::questions::insert(tx.conn(), &content, Some(admin), now).await?;
        question_ids.push(q.id);
    }
    storage::certifications::set_questions(tx.conn(), id, &question_ids, now).await?;
    for b in branches {
        storage::certifications::add_assignment(
            tx.conn(),
            id,
            TargetKind::Branch,
            b.0,
            Some(admin),
            now,
        )
        .await?;
    }
    storage::certifications::set_status(tx.conn(), id, CertStatus::Draft, CertStatus::Open, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn q(
    kind: QuestionKind,
    text: &str,
    options: &[(&str, bool)],
    explanation: &str,
    tags: &[&str],
) -> QuestionContent {
    QuestionContent {
        kind,
        text: format!("<p>{text}</p>"),
        image_url: None,
        options: options
            .iter()
            .enumerate()
            .map(|(i, (t, c))| QuestionOption {
                id: i as u32 + 1,
                text: (*t).into(),
                correct: *c,
            })
            .collect(),
        explanation: format!("<p>{explanation}</p>"),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn demo_questions() -> Vec<QuestionContent> {
    use QuestionKind::*;
    vec![
        q(
            Single,
            "По какому номеру звонить при пожаре с мобильного телефона?",
            &[("112", true), ("03", false), ("911", false), ("100", false)],
            "Единый номер экстренных служб — 112.",
            &["пожар"],
        ),
        q(
            Single,
            "Какого цвета знак эвакуационного выхода?",
            &[("Зелёный", true), ("Красный", false), ("Жёлтый", false)],
            "Эвакуационные знаки — зелёные.",
            &["эвакуация"],
        ),
        q(
            Single,
            "Куда направляют струю огнетушителя?",
            &[
                ("На основание пламени", true),
                ("На верх пламени", false),
                ("На дым", false),
            ],
            "Тушат основание очага.",
            &["огнетушитель"],
        ),
        q(
            Single,
            "Можно ли пользоваться лифтом при пожаре?",
            &[
                ("Нет", true),
                ("Да, если он работает", false),
                ("Только на спуск", false),
            ],
            "Лифт может остановиться, шахта наполняется дымом.",
            &["эвакуация"],
        ),
        q(
            Multiple,
            "Что нужно сделать, обнаружив возгорание?",
            &[
                ("Сообщить по номеру 112", true),
                ("Предупредить людей вокруг", true),
                ("Открыть все окна", false),
                ("Спрятаться в подсобке", false),
            ],
            "Сообщить и предупредить — первые действия.",
            &["пожар"],
        ),
        q(
            Multiple,
            "Что должно быть свободным на рабочем месте?",
            &[
                ("Эвакуационные выходы", true),
                ("Проходы", true),
                ("Доступ к огнетушителю", true),
                ("Склад коробок у двери", false),
            ],
            "Пути эвакуации и средства тушения всегда свободны.",
            &["порядок"],
        ),
        q(
            Multiple,
            "Какие огнетушители подходят для электрооборудования под напряжением?",
            &[
                ("Углекислотный", true),
                ("Порошковый", true),
                ("Водяной", false),
            ],
            "Вода проводит ток.",
            &["огнетушитель"],
        ),
        q(
            Ordering,
            "Расположите действия с огнетушителем по порядку.",
            &[
                ("Выдернуть чеку", false),
                ("Направить раструб на пламя", false),
                ("Нажать на рычаг", false),
            ],
            "Чека, направление, рычаг.",
            &["огнетушитель"],
        ),
        q(
            Ordering,
            "Расположите действия при пожаре по порядку.",
            &[
                ("Сообщить о пожаре", false),
                ("Предупредить людей", false),
                ("Покинуть помещение", false),
                ("Встретить пожарных", false),
            ],
            "Сначала сообщить, затем эвакуироваться.",
            &["пожар"],
        ),
        q(
            Ordering,
            "Расположите по порядку действия при травме коллеги.",
            &[
                ("Оценить опасность для себя", false),
                ("Вызвать помощь", false),
                ("Оказать первую помощь", false),
            ],
            "Сначала убедитесь в своей безопасности.",
            &["первая помощь"],
        ),
    ]
}

/// The badge catalogue: automatic ones for the rules, and two an admin awards by hand.
/// Starting points so the rating and the levels have something to show. Each grant has its
/// own source key, so a second run pays nothing.
async fn seed_points(state: &AppState, admin: &app::domain::user::User) -> Result<(), DemoError> {
    use app::gamification::ledger::{Payment, pay};
    let now = state.now();
    let mut tx = state.db.begin().await?;
    for ((tg, ..), points) in DEMO_EMPLOYEES.iter().zip([340, 260, 180, 120, 60]) {
        let Some(user) = storage::users::get_by_telegram_id(tx.conn(), TelegramId(*tg)).await?
        else {
            continue;
        };
        let key = format!("demo:{tg}");
        let payment = Payment {
            user: &user,
            delta: points,
            reason: "Демо: стартовые баллы",
            source: "admin",
            source_key: &key,
            admin: Some(admin.id),
            certification: None,
        };
        pay(tx.conn(), &payment, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn seed_badges(state: &AppState) -> Result<(), DemoError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    if !storage::gamification::badges(tx.conn(), true)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let badges = [
        (
            "Первый успех",
            "Первая сданная аттестация",
            "automatic",
            Some("first_pass"),
            None,
        ),
        (
            "Три из трёх",
            "Сданы три аттестации",
            "automatic",
            Some("passed_count"),
            Some(3),
        ),
        (
            "Отличник",
            "Результат 100%",
            "automatic",
            Some("perfect"),
            None,
        ),
        (
            "Книжный червь",
            "Прочитана вся назначенная теория",
            "automatic",
            Some("all_theory_read"),
            None,
        ),
        (
            "Пять дней подряд",
            "Заходил в приложение пять дней подряд",
            "automatic",
            Some("streak"),
            Some(5),
        ),
        (
            "Наставник",
            "Помогает новым сотрудникам",
            "manual",
            None,
            None,
        ),
        (
            "Лучший сотрудник месяца",
            "Выбор руководителя",
            "manual",
            None,
            None,
        ),
    ];
    for (name, description, kind, rule, n) in badges {
        storage::gamification::save_badge(
            tx.conn(),
            &app::gamification::BadgeRow {
                id: 0,
                name: name.into(),
                description: description.into(),
                icon_url: None,
                kind: kind.into(),
                rule: rule.map(str::to_owned),
                rule_n: n,
                archived: false,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
