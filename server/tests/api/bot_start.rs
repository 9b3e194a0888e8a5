//! The bot through a fake Bot API: `/start`, help, and Telegram's errors.

use crate::fake_bot::{FakeTelegram, Scripted, wait_calls};
use crate::helpers::{Backend, Options, spawn_app_with};
use app::domain::TelegramId;
use app::domain::user::UserStatus;
use app::storage;

async fn app_with_bot(backend: Backend) -> (crate::helpers::TestApp, FakeTelegram) {
    let fake = crate::fake_bot::start().await;
    let app = spawn_app_with(
        backend,
        Options {
            bot_api_url: Some(fake.url.clone()),
            env: vec![("PUBLIC_URL".into(), "https://attest.example".into())],
        },
    )
    .await;
    (app, fake)
}

async fn start_registers_a_pending_user_and_offers_the_mini_app(backend: Backend) {
    let (app, fake) = app_with_bot(backend).await;
    fake.send_text(5551, "Пётр", "/start");
    let sent = wait_calls(&fake, "sendMessage", 1).await;
    let msg = &sent[0].body;
    assert_eq!(msg["chat_id"], 5551);
    assert!(msg["text"].as_str().unwrap().contains("Пётр"), "{msg}");
    let button = &msg["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(
        button["web_app"]["url"], "https://attest.example/app",
        "{msg}"
    );
    let mut c = app.state.db.read().await.unwrap();
    let user = storage::users::get_by_telegram_id(c.conn(), TelegramId(5551))
        .await
        .unwrap()
        .expect("registered by /start");
    assert_eq!(user.status, UserStatus::Pending);
    assert_eq!(user.first_name, "Пётр");
    assert_eq!(user.username.as_deref(), Some("u5551"));
}

async fn start_with_a_payload_opens_that_section(backend: Backend) {
    let (_app, fake) = app_with_bot(backend).await;
    fake.send_text(5552, "Ира", "/start cert_7");
    let sent = wait_calls(&fake, "sendMessage", 1).await;
    assert_eq!(
        sent[0].body["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"],
        "https://attest.example/app?start=cert_7"
    );
}

async fn unknown_commands_and_text_get_help(backend: Backend) {
    let (_app, fake) = app_with_bot(backend).await;
    fake.send_text(5553, "Ян", "/whatever");
    fake.send_text(5553, "Ян", "hello");
    let sent = wait_calls(&fake, "sendMessage", 2).await;
    for m in &sent {
        assert!(
            m.body["text"].as_str().unwrap().contains("/start"),
            "{}",
            m.body
        );
    }
}

async fn rate_limits_are_waited_out_and_retried(backend: Backend) {
    let (_app, fake) = app_with_bot(backend).await;
    fake.fail_next("sendMessage", Scripted::RetryAfter(1));
    fake.send_text(5554, "Лев", "/start");
    let sent = wait_calls(&fake, "sendMessage", 2).await;
    assert_eq!(sent[0].body["chat_id"], 5554);
    assert_eq!(
        sent[1].body["chat_id"], 5554,
        "the same message is sent again"
    );
    assert_eq!(sent[0].body["text"], sent[1].body["text"]);
}

async fn a_blocked_user_or_a_bad_request_does_not_stop_the_bot(backend: Backend) {
    let (app, fake) = app_with_bot(backend).await;
    fake.fail_next("sendMessage", Scripted::Blocked);
    fake.fail_next(
        "sendMessage",
        Scripted::BadRequest("Bad Request: chat not found"),
    );
    fake.send_text(5555, "Ася", "/start");
    fake.send_text(5556, "Боря", "/start");
    fake.send_text(5557, "Вика", "/start");
    let sent = wait_calls(&fake, "sendMessage", 3).await;
    let mut chats: Vec<i64> = sent
        .iter()
        .map(|c| c.body["chat_id"].as_i64().unwrap())
        .collect();
    chats.sort();
    assert_eq!(
        chats,
        vec![5555, 5556, 5557],
        "each answered once: refusals are not retried"
    );
    // The bot keeps working after both refusals.
    fake.send_text(5558, "Гена", "/start");
    let sent = wait_calls(&fake, "sendMessage", 4).await;
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[3].body["chat_id"], 5558);
    assert_eq!(app.get("/healthz").await.status, 200);
}

crate::both_backends!(
    start_registers_a_pending_user_and_offers_the_mini_app,
    start_with_a_payload_opens_that_section,
    unknown_commands_and_text_get_help,
    rate_limits_are_waited_out_and_retried,
    a_blocked_user_or_a_bad_request_does_not_stop_the_bot,
);
