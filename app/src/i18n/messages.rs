//! Every user-facing text, Russian first, then English, in two groups: what the Mini App shows
//! (with what both surfaces share: errors, roles, statuses) and what only the admin panel shows.
//!
//! The texts are compiled into the server only. A page carries the texts of its own language
//! and surface (`super::page_texts`, a cached script the shell loads) and the browser reads them
//! from there: the wasm carries neither language's strings, and a Mini App page none of the admin
//! panel's. A key in the second group used by a Mini App page would show its name there.

use super::Lang;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::fmt;

macro_rules! messages {
    (
        mini_app { $($key:ident => $ru:expr, $en:expr;)* }
        admin_panel { $($akey:ident => $aru:expr, $aen:expr;)* }
    ) => {
        /// A translation key. On the wire (server functions, the REST API's errors) it is its
        /// name, as serde's derive would write it; the derive itself is not used because its
        /// visitors for a thousand variants were the largest code in the Mini App's wasm.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key,)* $($akey),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)* $(Msg::$akey),*];
            /// The keys a Mini App page carries: the first group.
            pub const MINI_APP: usize = [$(Msg::$key),*].len();
            const NAMES: &'static [&'static str] = &[$(stringify!($key),)* $(stringify!($akey)),*];
        }

        #[cfg(not(feature = "hydrate"))]
        impl Msg {
            const RU: &'static [&'static str] = &[$($ru,)* $($aru),*];
            const EN: &'static [&'static str] = &[$($en,)* $($aen),*];
        }
    };
}

impl Msg {
    /// The text from the tables compiled into the server.
    #[cfg(not(feature = "hydrate"))]
    pub fn text(self, lang: Lang) -> &'static str {
        let texts = match lang {
            Lang::Ru => Self::RU,
            Lang::En => Self::EN,
        };
        texts[self as usize]
    }

    /// The text from those the page carries (in the page's language, which is `lang`).
    #[cfg(feature = "hydrate")]
    pub fn text(self, _lang: Lang) -> &'static str {
        super::page_texts::get(self)
    }

    /// The key's name, as written in the source and on the wire.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<Msg> {
        let i = Self::NAMES.iter().position(|n| *n == name)?;
        Some(Self::ALL[i])
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Msg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit_variant("Msg", *self as u32, self.name())
    }
}

impl<'de> Deserialize<'de> for Msg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Msg, D::Error> {
        struct Name;
        impl de::Visitor<'_> for Name {
            type Value = Msg;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Msg, E> {
                Msg::from_name(v).ok_or_else(|| E::unknown_variant(v, &[]))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

messages! {
    // What the Mini App shows (and what both surfaces share: errors, roles, statuses).
    mini_app {
        AppName => "Аттестация", "Attest";
        AdminPanel => "Панель управления", "Admin panel";
        Loading => "Загрузка…", "Loading…";
        Save => "Сохранить", "Save";
        Saved => "Сохранено", "Saved";
        Cancel => "Отмена", "Cancel";
        Close => "Закрыть", "Close";
        Back => "Назад", "Back";
        Next => "Далее", "Next";
        Retry => "Повторить", "Retry";
        ChooseOption => "Выберите…", "Choose…";
        PageOf => "{n} / {total}", "{n} / {total}";
        Language => "Язык", "Language";
        LanguageRu => "Русский", "Russian";
        LanguageEn => "English", "English";
        NotFoundTitle => "Страница не найдена", "Page not found";
        NotFoundText => "Такой страницы нет. Проверьте адрес.", "There is no such page. Check the address.";

        RoleEmployee => "Сотрудник", "Employee";
        RoleManager => "Руководитель", "Manager";
        RoleAdmin => "Администратор", "Administrator";
        StatusPending => "Ожидает доступа", "Waiting for access";
        StatusActive => "Активен", "Active";
        StatusDeactivated => "Отключён", "Deactivated";

        ModuleCertifications => "Аттестации", "Certifications";
        ModuleQuestionBank => "Банк вопросов", "Question bank";
        ModuleUsers => "Пользователи", "Users";
        ModuleGamification => "Бейджи и геймификация", "Badges & gamification";
        ModuleAuditLog => "Журнал аудита", "Audit log";
        ModuleApiKeys => "API-ключи", "API keys";
        ModuleSettings => "Настройки", "Settings";

        // Audit log
        AuditSignIn => "Вход", "Sign-in";
        AuditSignInFailed => "Неудачные входы", "Failed sign-ins";
        AuditSignOut => "Выход", "Sign-out";
        AuditUserRegistered => "Регистрация", "Registration";
        AuditProfileEdited => "Изменение профиля", "Profile edited";
        AuditAdminCreated => "Создан доступ в панель", "Admin account created";
        AuditDictionaryEdited => "Справочник изменён", "Dictionary edited";
        AuditFileUploaded => "Загружен файл", "File uploaded";
        AuditQuestionCreated => "Вопрос создан", "Question created";
        AuditQuestionEdited => "Вопрос изменён", "Question edited";
        AuditQuestionArchived => "Вопрос в архиве", "Question archived";
        AuditQuestionDeleted => "Вопрос удалён", "Question deleted";
        AuditQuestionsImported => "Импорт вопросов", "Questions imported";
        AuditCertificationCreated => "Аттестация создана", "Certification created";
        AuditCertificationEdited => "Настройки аттестации", "Certification settings";
        AuditCertificationStatusChanged => "Статус аттестации", "Certification status";
        AuditTheoryEdited => "Теория изменена", "Theory edited";
        AuditCertificationQuestionsChanged => "Вопросы аттестации", "Certification questions";
        AuditAssignmentChanged => "Назначение", "Assignment";
        AuditAttemptStarted => "Начата попытка", "Attempt started";
        AuditAttemptFinished => "Завершена попытка", "Attempt finished";
        AuditAttemptTimedOut => "Время попытки истекло", "Attempt timed out";
        AuditSessionsRevoked => "Завершены сеансы", "Sessions ended";
        AuditProgressReset => "Сброс прогресса", "Progress reset";
        AuditAttemptGranted => "Ещё одна попытка", "One more attempt";
        AuditRemindersSent => "Напоминания отправлены", "Reminders sent";
        ErrRemindNotOpen => "Аттестация не открыта: напоминать не о чем.", "The certification is not open: there is nothing to remind of.";
        AuditCertificationReopened => "Аттестация открыта снова", "Certification reopened";
        AuditBadgeAwarded => "Выдан бейдж", "Badge awarded";
        AuditBadgeRevoked => "Отозван бейдж", "Badge revoked";
        AuditBadgeEdited => "Бейдж изменён", "Badge edited";
        AuditLevelsEdited => "Уровни изменены", "Levels edited";
        AuditPointsChanged => "Баллы", "Points";
        AuditUserEdited => "Пользователь изменён", "User edited";
        AuditUserActivated => "Доступ открыт", "User activated";
        AuditUserPreregistered => "Добавлен сотрудник", "Person added";
        AuditUsersImported => "Импорт пользователей", "Users imported";
        AuditPermissionsChanged => "Права доступа", "Permissions";
        AuditPasswordChanged => "Пароль изменён", "Password changed";
        AuditSettingsChanged => "Настройки", "Settings";
        AuditNotificationResent => "Уведомление отправлено снова", "Notification resent";
        AuditNotificationsMuted => "Выбор уведомлений", "Notification choices";
        AuditManagerBranchesChanged => "Филиалы руководителя", "Manager's branches";
        AuditReason => "Причина: {reason}", "Reason: {reason}";
        AuditCount => "Раз: {n}", "Times: {n}";
        AuditCountLine => "{emoji} {label}: {n} ({from}–{to})", "{emoji} {label}: {n} ({from}–{to})";
        ErrRetention => "Срок хранения: от 30 до 3650 дней.", "Retention: from 30 to 3650 days.";
        ErrThreadId => "Укажите номер темы (message_thread_id).", "Give the topic's number (message_thread_id).";
        ErrAuditChatId => "ID группы — отрицательное число, например -1001234567890.", "A group id is a negative number, e.g. -1001234567890.";
        ErrAuditChatUnreachable => "Бот не может открыть эту группу: {error}. Добавьте бота в группу администратором.", "The bot cannot open this group: {error}. Add the bot to the group as an administrator.";
        ErrAuditNoTopicRights => "У бота нет права управлять темами (can_manage_topics): выдайте его или выберите одну тему.", "The bot may not manage topics (can_manage_topics): grant it or choose one topic.";
        ErrAuditNotForum => "В группе не включены темы: включите их или выберите «в общий чат».", "The group has no topics: turn them on or choose the main chat.";
        ErrAuditNoBot => "Бот не настроен на сервере (TELEGRAM_BOT_TOKEN), публиковать журнал некому.", "No bot is configured on the server (TELEGRAM_BOT_TOKEN), so nothing can post the log.";
        ErrTelegramTimeout => "Telegram не ответил вовремя.", "Telegram did not answer in time.";
        ErrAuditNoChat => "Группа для журнала не задана.", "No audit group is set.";
        AuditTestMessage => "✅ Проверка журнала аудита ({name}): бот может писать в эту группу.", "✅ Audit log check ({name}): the bot can post in this group.";
        AuditTargetUser => "Пользователь", "User";
        AuditTargetCertification => "Аттестация", "Certification";
        AuditTargetQuestion => "Вопрос", "Question";
        AuditTargetAttempt => "Попытка", "Attempt";
        AuditTargetBadge => "Бейдж", "Badge";
        AuditTargetSession => "Сеанс", "Session";
        AuditTargetSettings => "Настройки", "Settings";
        AuditTargetSignIn => "Вход", "Sign-in";
        AuditTargetApiKey => "API-ключ", "API key";
        AuditTargetWebhook => "Вебхук", "Webhook";
        AuditTargetLevels => "Уровни", "Levels";
        AuditTargetDictionary => "Справочник", "Dictionary";
        AuditTargetUpload => "Файл", "File";
        AuditActorApiKey => "API-ключ {name}", "API key {name}";
        AuditActorBot => "Бот", "The bot";
        AuditActorUnknown => "Неизвестный", "Unknown";
        AuditSystem => "Система: {part}", "The system: {part}";
        AuditSystemScheduler => "расписание аттестаций", "certification schedule";
        AuditSystemServer => "время попыток", "attempt timing";
        AuditSystemRules => "правила наград", "badge rules";
        AuditSystemCli => "командная строка", "command line";
        AuditSystemDemo => "демо-данные", "demo data";
        AuditSystemScim => "синхронизация SCIM", "SCIM sync";
        AuditPointsDelta => "{n} баллов", "{n} points";
        ChannelAdmin => "панель администратора", "admin panel";
        ChannelMiniApp => "Mini App", "Mini App";
        ChannelBot => "бот", "bot";
        ChannelApi => "REST API", "REST API";
        AuditQueued => "отправлено: {n}", "sent: {n}";
        AuditActor => "Кто", "Who";
        AuditKind => "Действие", "Action";
        AuditTarget => "Объект", "Target";
        AuditTargetId => "ID объекта", "Target id";
        AuditCsvTime => "Время (UTC)", "Time (UTC)";
        AuditCsvLocalTime => "Время", "Local time";
        AuditCsvActorKind => "Тип автора", "Actor kind";
        AuditCsvActorId => "ID автора", "Actor id";
        AuditCsvActionCode => "Код действия", "Action code";
        AuditCsvTargetLabel => "Название объекта", "Target label";
        AuditCsvChannel => "Канал", "Channel";
        AuditCsvUserAgent => "Браузер", "User agent";
        AuditChange => "Изменение", "Change";
        AuditEntry => "Запись журнала", "Audit entry";
        AuditOrigin => "Откуда", "From where";
        AuditRaw => "Все данные записи", "All data of the entry";
        AuditFeedTitle => "Журнал аудита в Telegram", "Audit log in Telegram";
        AuditOpenInPanel => "Открыть в панели", "Open in the panel";
        AuditFolded => "📦 {n} записей {from} — {to}: слишком много для Telegram, смотрите в панели.", "📦 {n} entries {from} — {to}: too many for Telegram, see the panel.";
        AuditTopicDeletedTwice => "Тема журнала в группе снова удалена: записи идут в общий чат группы. Через час бот создаст тему ещё раз, или выберите одну тему.", "An audit topic was deleted again: entries go to the group's main chat. The bot makes the topic again in an hour, or choose one topic.";
        AuditHereInGroup => "Отправьте /audit_here в группе, куда публиковать журнал.", "Send /audit_here in the group the log should go to.";
        AuditHereAnonymous => "Анонимного администратора нельзя проверить: отправьте команду от своего имени.", "An anonymous admin cannot be checked: send the command as yourself.";
        AuditHereNotOurAdmin => "Привязать группу может только администратор системы.", "Only an administrator of the system can bind the group.";
        AuditHereNotGroupAdmin => "Привязать группу может только её администратор.", "Only an administrator of this group can bind it.";
        AuditHereBound => "Журнал аудита будет публиковаться здесь, по темам.", "The audit log will be posted here, by topic.";
        AuditHereBoundNoTopics => "Журнал аудита будет публиковаться здесь. Для отдельных тем включите темы в группе и дайте боту право управлять ими.", "The audit log will be posted here. For separate topics enable topics and let the bot manage them.";
        AuditGroupAccess => "Доступ", "Access";
        AuditGroupPeople => "Люди", "People";
        AuditGroupCertifications => "Аттестации", "Certifications";
        AuditGroupAttempts => "Попытки", "Attempts";
        AuditGroupRewards => "Награды", "Rewards";
        AuditGroupSettings => "Настройки", "Settings";

        // Notifications in the bot
        NotifKindBadge => "Новый бейдж", "New badge";
        NotifKindLevel => "Новый уровень", "New level";
        NotifKindAssigned => "Назначена аттестация", "Certification assigned";
        NotifKindOpened => "Аттестация открыта", "Certification opened";
        NotifKindReminder => "Напоминание о сроке", "Deadline reminder";
        NotifKindNudge => "Незаконченный тест", "Unfinished test";
        NotifKindTeamResult => "Результаты сотрудников", "Team results";
        NotifExampleBadge => "Например: «Новый бейдж: Отличник — сдал на 100 %»", "For example: “New badge: Top marks — passed at 100 %”";
        NotifExampleLevel => "Например: «Новый уровень: Эксперт (500 баллов)»", "For example: “New level: Expert (500 points)”";
        NotifExampleAssigned => "Например: «Вам назначена аттестация „Охрана труда“, срок — 1 марта»", "For example: “You are assigned ‘Workplace safety’, due 1 March”";
        NotifExampleOpened => "Например: «Аттестация „Охрана труда“ открыта: 20 мин, 3 попытки»", "For example: “‘Workplace safety’ is open: 20 min, 3 attempts”";
        NotifExampleReminder => "Например: «До конца аттестации „Охрана труда“ осталось 3 дня»", "For example: “3 days left to pass ‘Workplace safety’”";
        NotifExampleNudge => "Например: «Вы не закончили тест „Охрана труда“: осталось 6 мин»", "For example: “You have not finished ‘Workplace safety’: 6 min left”";
        NotifExampleTeamResult => "Например: «Анна Смирнова сдала „Охрана труда“ на 85 %»", "For example: “Anna Smirnova passed ‘Workplace safety’ at 85 %”";
        ErrNotifRate => "Скорость: от 1 до 30 сообщений в секунду.", "Rate: from 1 to 30 messages a second.";
        ErrQuietHours => "Тихие часы: начало и конец в формате ЧЧ:ММ, не совпадают.", "Quiet hours: start and end as HH:MM, not equal.";
        NotifBadge => "🏅 Новый бейдж: «{badge}»\n{why}", "🏅 New badge: “{badge}”\n{why}";
        NotifLevel => "⭐ Новый уровень: {level}. У вас {points}.", "⭐ New level: {level}. You have {points}.";
        NotifAssigned => "📋 Вам назначена аттестация «{title}».\n{details}", "📋 You have a new certification: “{title}”.\n{details}";
        NotifOpened => "📋 Открыта аттестация «{title}».\n{details}", "📋 A certification is open: “{title}”.\n{details}";
        NotifDetails => "Срок: {deadline}. Время на тест: {minutes}, {attempts}.", "Due: {deadline}. Time for the test: {minutes}, {attempts}.";
        NotifNoDeadline => "без срока", "no deadline";
        NotifReminderNoDeadline => "⏰ Напоминаем: аттестация «{title}» ждёт вас.", "⏰ A reminder: “{title}” is waiting for you.";
        NotifReminder => "⏰ Аттестация «{title}» закрывается {deadline}, а вы её ещё не сдали.", "⏰ “{title}” closes on {deadline} and you have not passed it yet.";
        NotifNudge => "⏳ Тест «{title}» не закончен: осталось {left}. Продолжите!", "⏳ “{title}” is not finished: {left} left. Continue!";
        NotifPassed => "✅ {name} сдал(а) «{title}»: {percent}% (лучший {best}%), попытка {n} из {max}.", "✅ {name} passed “{title}”: {percent}% (best {best}%), attempt {n} of {max}.";
        NotifFailed => "❌ {name} не сдал(а) «{title}»: {percent}% (лучший {best}%), попытка {n} из {max}.", "❌ {name} did not pass “{title}”: {percent}% (best {best}%), attempt {n} of {max}.";
        NotifDigest => "📊 Новые результаты: сдали — {passed}, не сдали — {failed}.", "📊 New results: {passed} passed, {failed} did not.";
        BtnAchievements => "Мои достижения", "My achievements";
        BtnOpenCert => "Открыть аттестацию", "Open the certification";
        BtnContinue => "Продолжить тест", "Continue the test";
        BtnPersonResults => "Результаты сотрудника", "Their results";
        BtnTeamResults => "Результаты команды", "Team results";
        TeamNothingYet => "Пока никто из ваших сотрудников не завершил попытку.", "None of your people has finished an attempt yet.";
        TeamNoAttempts => "Попыток ещё не было.", "No attempts yet.";
        NotifLog => "Журнал уведомлений", "Notification log";
        NotifLogEmpty => "Уведомлений пока не было: они появятся здесь, как только бот что-нибудь отправит.", "No notifications yet: they appear here as soon as the bot sends something.";
        BotStatus => "Бот", "Bot";
        BotUsername => "Имя бота", "Bot username";
        BotNotConfigured => "не настроен (нет TELEGRAM_BOT_TOKEN)", "not configured (no TELEGRAM_BOT_TOKEN)";
        BotNotChecked => "ещё не проверен", "not checked yet";
        BotMode => "Режим", "Mode";
        BotLastError => "Последняя ошибка", "Last error";
        Nothing => "нет", "none";
        NotifQueue => "Сообщения по статусам", "Messages by status";
        NotifNoButtons => "PUBLIC_URL не https: Telegram не принимает кнопки Mini App, уведомления уходят без них.", "PUBLIC_URL is not https: Telegram refuses Mini App buttons, so notifications go without them.";
        NotifSettings => "Уведомления в боте", "Notifications in the bot";
        NotifKinds => "Что отправлять", "What to send";
        NotifKind => "Вид", "Kind";
        NotifRate => "Сообщений в секунду", "Messages a second";
        NotifRateHint => "Telegram допускает около 30 в секунду на бота; по умолчанию 25.", "Telegram allows about 30 a second per bot; 25 by default.";
        QuietHours => "Тихие часы для напоминаний", "Quiet hours for reminders";
        QuietFrom => "С", "From";
        QuietTo => "До", "To";
        QuietHoursHint => "В тихие часы напоминания и подсказки ждут утра (но не дольше срока аттестации); результаты приходят сразу.", "During quiet hours reminders and nudges wait for the morning (never past the deadline); results come at once.";
        NotifResent => "Сообщение поставлено в очередь заново.", "The message is queued again.";
        NotifRecipient => "Кому", "To";
        NotifError => "Ошибка", "Error";
        NotifResend => "Отправить снова", "Send again";
        NotifyMeAbout => "Присылать в боте", "Send me in the bot";
        MiniNotifications => "Уведомления", "Notifications";
        ErrNotManager => "Ограничить филиалами можно только руководителя.", "Only a manager can be limited to branches.";
        ErrNotResendable => "Отправить заново можно только не доставленное сообщение.", "Only an undelivered message can be sent again.";
        LinkGoneTitle => "Раздел недоступен", "This section is not available";
        LinkGoOn => "Продолжить", "Continue";
        LinkUnknown => "Ссылка устарела или повреждена.", "The link is out of date or damaged.";
        LinkBadgeGone => "Этого бейджа у вас больше нет.", "You no longer hold this badge.";
        LinkCertGone => "Эта аттестация закрыта или больше вам не назначена.", "This certification is closed or no longer assigned to you.";
        LinkAttemptOver => "Эта попытка уже завершена. Её результат — по кнопке ниже.", "This attempt is already finished. Its result is behind the button below.";
        LinkNotYours => "Эти результаты вам не видны.", "You cannot see these results.";

        // Mini App
        MiniGreeting => "Здравствуйте, {name}!", "Hello, {name}!";
        MiniSigningIn => "Входим через Telegram…", "Signing in with Telegram…";
        MiniPendingTitle => "Ожидание доступа", "Waiting for access";
        MiniPendingText => "Ваша заявка получена. Администратор откроет доступ, после этого здесь появятся аттестации.", "Your request has been received. An administrator will grant access; your certifications will appear here then.";
        MiniDeactivatedTitle => "Доступ закрыт", "Access closed";
        MiniDeactivatedText => "Ваша учётная запись отключена. Обратитесь к администратору.", "Your account is deactivated. Please contact an administrator.";
        MiniAuthErrorTitle => "Не удалось войти", "Could not sign in";
        MiniOpenInTelegram => "Откройте приложение из Telegram: нажмите кнопку в чате с ботом.", "Open the app from Telegram: tap the button in the chat with the bot.";
        MiniYourRole => "Ваша роль: {role}", "Your role: {role}";
        MiniMyCertifications => "Мои аттестации", "My certifications";
        MiniAchievements => "Мои достижения", "My achievements";
        MiniRating => "Рейтинг", "Rating";
        MiniNothingYet => "Здесь пока пусто.", "Nothing here yet.";
        SignIn => "Войти", "Sign in";
        SignOut => "Выйти", "Sign out";
        DevSignInTitle => "Вход для разработки", "Development sign-in";
        DevSignInHint => "Только в режиме разработки: войти как демо-пользователь без Telegram.", "Development mode only: sign in as a demo user without Telegram.";
        DevSignInAs => "Войти как {name}", "Sign in as {name}";
        FirstName => "Имя", "First name";
        LastName => "Фамилия", "Last name";
        RoleField => "Роль", "Role";
        PositionField => "Должность", "Position";
        BranchField => "Филиал", "Branch";

        // Errors
        ErrUnauthorized => "Войдите, чтобы продолжить.", "Please sign in to continue.";
        ErrSessionExpired => "Сеанс завершён. Войдите снова.", "Your session has ended. Please sign in again.";
        ErrForbidden => "Недостаточно прав для этого действия.", "You do not have permission for this.";
        ErrNoModule => "Этот раздел вам не открыт.", "This section is not open to you.";
        ErrAdminOnly => "Это может сделать только администратор.", "Only an administrator can do this.";
        ErrSelfService => "Свои баллы, уровень, бейджи и прогресс по аттестациям менять нельзя.", "You cannot change your own points, level, badges or certification progress.";
        ErrSelfEscalation => "Нельзя менять собственную роль или права.", "Nobody can change their own role or permissions.";
        ErrNotFound => "Не найдено.", "Not found.";
        ErrInternal => "Что-то пошло не так. Попробуйте ещё раз.", "Something went wrong. Please try again.";
        ErrBusy => "Сервер сейчас перегружен. Повторите через несколько секунд.", "The server is busy right now. Retry in a few seconds.";
        ErrNetwork => "Нет связи с сервером. Проверьте подключение и повторите.", "Cannot reach the server. Check the connection and retry.";
        ErrBadCredentials => "Неверный логин или пароль.", "Wrong login or password.";
        ErrThrottled => "Слишком много неудачных попыток. Повторите через {minutes} мин.", "Too many failed attempts. Try again in {minutes} min.";
        ErrAccountInactive => "Учётная запись не активна.", "The account is not active.";
        ErrNoAdminAccess => "У этой учётной записи нет доступа к панели управления.", "This account has no access to the admin panel.";
        ErrInitDataInvalid => "Данные запуска Telegram не прошли проверку. Откройте приложение заново из Telegram.", "Telegram launch data failed verification. Open the app again from Telegram.";
        ErrInitDataExpired => "Данные запуска Telegram устарели. Закройте и откройте приложение заново.", "Telegram launch data has expired. Close and reopen the app.";
        ErrInitDataMalformed => "Данные запуска Telegram повреждены или отсутствуют.", "Telegram launch data is missing or damaged.";
        ErrBotNotConfigured => "Вход через Telegram не настроен на сервере.", "Telegram sign-in is not configured on the server.";
        ErrDevLoginDisabled => "Вход для разработки выключен.", "Development sign-in is disabled.";
        ErrNameEmpty => "Введите имя.", "Enter a name.";
        ErrNameTooLong => "Не длиннее 64 символов.", "At most 64 characters.";
        ErrNameInvalid => "Имя содержит недопустимые символы.", "The name contains characters that are not allowed.";
        ErrBadRequest => "Неверный запрос: не хватает данных или они в неверном формате.", "Bad request: data is missing or malformed.";
        ErrConflict => "Данные изменились или уже существуют. Обновите страницу.", "The data changed or already exists. Reload the page.";
        ErrPendingAccess => "Доступ ещё не открыт администратором.", "Access has not been granted by an administrator yet.";
        ErrPasswordTooShort => "Пароль должен быть не короче 10 символов.", "The password must be at least 10 characters long.";
        ErrPasswordTooLong => "Пароль должен быть не длиннее 128 символов.", "The password must be at most 128 characters long.";
        ErrPasswordTooSimple => "Пароль должен содержать буквы и цифры.", "The password must contain letters and digits.";
        ErrLoginInvalid => "Логин: 3–128 латинских букв, цифр и знаков . _ - @ + ' ! # ^ ~ &.", "Login: 3–128 latin letters, digits and . _ - @ + ' ! # ^ ~ &.";
        ErrDictName => "Название: от 1 до 100 символов.", "Name: 1 to 100 characters.";
        ErrQuestionTextEmpty => "Введите текст вопроса.", "Enter the question text.";
        ErrTextTooLong => "Текст слишком длинный.", "The text is too long.";
        ErrOptionCount => "Нужно от 2 до 12 вариантов ответа.", "A question needs 2 to 12 options.";
        ErrOptionText => "У каждого варианта должен быть текст (до 1000 символов).", "Every option needs a text (up to 1000 characters).";
        ErrSingleNeedsOne => "Отметьте ровно один правильный вариант.", "Mark exactly one correct option.";
        ErrMultipleNeedsOne => "Отметьте хотя бы один правильный вариант.", "Mark at least one correct option.";
        ErrTags => "Не больше 10 тегов по 40 символов.", "At most 10 tags of 40 characters.";
        ErrUrl => "Ссылка должна начинаться с https:// или вести на загруженный файл.", "The link must start with https:// or point to an uploaded file.";
        ErrTitleEmpty => "Введите название.", "Enter a title.";
        ErrTitleTooLong => "Название: не длиннее 200 символов, без управляющих символов.", "Title: at most 200 characters, no control characters.";
        ErrThreshold => "Порог прохождения — от 1 до 100%.", "The pass threshold is 1 to 100%.";
        ErrAttempts => "Количество попыток — от 1 до 100.", "Attempts: 1 to 100.";
        ErrTimeLimit => "Время на тест должно быть больше нуля (не больше суток).", "The time limit must be above zero (at most a day).";
        ErrReadTime => "Время чтения — от 0 до 3600 секунд.", "Reading time: 0 to 3600 seconds.";
        ErrPoints => "Баллы — от 0 до 1 000 000.", "Points: 0 to 1,000,000.";
        ErrAwayLimit => "Лимит времени вне теста — от минуты до суток (или выключен).", "The time-away limit is between a minute and a day (or off).";
        ErrDrawCount => "Число случайных вопросов — не меньше 1.", "The number of random questions is at least 1.";
        ErrCloseBeforeOpen => "Дата закрытия должна быть позже даты открытия.", "The close date must be after the open date.";
        ErrCloseInPast => "Дата закрытия уже прошла.", "The close date has already passed.";
        ErrNeedCloseDate => "Укажите новую дату закрытия.", "Set a new close date.";
        ErrGrantNotOpen => "Аттестация не открыта: попытку начать нельзя, добавлять её незачем.", "The certification is not open: nobody can start an attempt, so none can be given.";
        ErrGrantCompleted => "Сотрудник уже сдал на 100 %: ещё одна попытка ничего не даст.", "The person passed at 100 %: one more attempt would give nothing.";
        ErrGrantNothingUsed => "Сотрудник ещё не использовал ни одной попытки.", "The person has not used any attempt yet.";
        ErrLockedAfterOpen => "Этот параметр нельзя менять после открытия аттестации.", "This setting cannot change after the certification has opened.";
        ErrSettingsInvalid => "Сначала исправьте настройки аттестации.", "Fix the certification's settings first.";
        ErrNeedTheory => "Добавьте хотя бы один блок теории.", "Add at least one theory block.";
        ErrNeedQuestion => "Добавьте хотя бы один вопрос.", "Add at least one question.";
        ErrDrawTooLarge => "Случайных вопросов больше, чем вопросов в аттестации.", "More random questions than questions in the certification.";
        ErrNeedOpenDate => "Укажите дату открытия.", "Set an open date.";
        ErrOpenInPast => "Дата открытия уже прошла: откройте аттестацию сейчас.", "The open date has passed: open the certification now.";
        ErrTransition => "Это действие недоступно в текущем статусе.", "This action is not available in the current status.";
        ErrBlockEmpty => "Текстовый блок не может быть пустым.", "A text block cannot be empty.";
        ErrQuestionInUse => "Вопрос используется в аттестациях: его можно только архивировать.", "The question is used by certifications: it can only be archived.";
        ErrImportTooLarge => "Файл слишком большой (не больше 5 МБ и 5000 вопросов).", "The file is too large (at most 5 MB and 5000 questions).";
        ErrImportEmpty => "В файле нет вопросов.", "The file has no questions.";
        ErrImportFormat => "Файл не читается: проверьте формат.", "The file cannot be read: check its format.";
        ErrImportHeader => "Нужны столбцы kind,text,options,correct,explanation,tags.", "Columns kind,text,options,correct,explanation,tags are required.";
        ErrImportRow => "Строка не соответствует формату вопроса.", "The row does not match the question format.";
        ErrImportKind => "Тип вопроса: single, multiple или ordering.", "Question kind: single, multiple or ordering.";
        ErrImportCorrect => "Номера правильных вариантов указаны неверно.", "The numbers of the correct options are wrong.";
        ErrClosedCertification => "Аттестация закрыта: изменения недоступны.", "The certification is closed: it cannot be changed.";
        ErrDuplicateQuestion => "Вопрос уже есть в аттестации.", "The question is already in the certification.";
        ErrQuestionArchived => "Вопрос в архиве: его нельзя добавить.", "The question is archived: it cannot be added.";
        ErrUnassignAfterOpen => "После открытия назначение можно только расширять.", "After opening, assignments can only be extended.";
        ErrUploadType => "Этот тип файла не поддерживается.", "This file type is not supported.";
        ErrUploadSize => "Файл слишком большой.", "The file is too large.";
        ErrUploadEmpty => "Файл пустой.", "The file is empty.";
        ErrCertNotOpen => "Аттестация сейчас закрыта.", "The certification is not open now.";
        ErrNotAssigned => "Эта аттестация вам не назначена.", "This certification is not assigned to you.";
        ErrTheoryNotRead => "Сначала прочитайте теорию.", "Read the theory first.";
        ErrNoAttemptsLeft => "Попытки закончились.", "No attempts left.";
        ErrCompleted => "Аттестация пройдена на 100%: больше попыток не нужно.", "Passed with 100%: no more attempts needed.";
        ErrAttemptOver => "Время попытки истекло: ответ не принят.", "The attempt's time is over: the answer was not accepted.";
        ErrBadAnswer => "Ответ не подходит к вопросу.", "The answer does not fit the question.";
        ErrAttemptNotFinished => "Попытка ещё не завершена.", "The attempt is not finished yet.";
        ErrReviewClosed => "Разбор ответов для этой аттестации закрыт.", "Answer review is not available for this certification.";
        ErrReasonRequired => "Укажите причину (до 500 символов).", "Give a reason (up to 500 characters).";
        ErrLevelsStartAtZero => "Первый уровень должен начинаться с 0 баллов.", "The first level must start at 0 points.";
        ErrLevelsOrder => "Номера и пороги уровней должны расти и не повторяться.", "Level numbers and thresholds must grow and not repeat.";
        ErrLevelName => "У каждого уровня нужно название до 60 символов и порог не меньше 0.", "Every level needs a name of up to 60 characters and a threshold of at least 0.";
        ErrOnlyEmployeesEarn => "Баллы начисляются только сотрудникам.", "Only employees earn points.";
        ErrNegativeBalance => "Баланс не может стать отрицательным.", "The balance cannot go below zero.";
        ErrPointsChange => "Укажите ненулевое количество баллов и причину.", "Give a non-zero number of points and a reason.";
        ErrBadgeN => "Укажите N от 1 до 10 000.", "Give N from 1 to 10,000.";
        ErrBadgeRule => "Выберите правило автоматического бейджа.", "Choose the rule of the automatic badge.";
        ErrNotPending => "Пользователь уже не ожидает доступа.", "The user is no longer waiting for access.";
        ErrBranchOutOfScope => "Этот филиал вне ваших филиалов.", "This branch is outside your branches.";
        ErrTelegramId => "Укажите числовой Telegram ID.", "Give a numeric Telegram ID.";
        ErrTelegramIdTaken => "Пользователь с таким Telegram ID уже есть.", "A user with this Telegram ID exists already.";
        ErrUsersImportHeader => "Нужны столбцы telegram_id и first_name (а также last_name, position, branch).", "Columns telegram_id and first_name are required (and last_name, position, branch).";
        ErrPasswordsDiffer => "Пароли не совпадают.", "The passwords differ.";
        ErrLoginTaken => "Этот логин уже занят.", "This login is taken.";
        ErrBadgeNotManual => "Этот бейдж выдаётся автоматически по правилу.", "This badge is awarded automatically by its rule.";
        ErrBadgeHeld => "У пользователя уже есть этот бейдж.", "The user already holds this badge.";
        ErrValidation => "Проверьте выделенные поля.", "Check the highlighted fields.";

        KindSingle => "Один вариант", "Single choice";
        KindMultiple => "Несколько вариантов", "Multiple choice";
        KindOrdering => "Порядок", "Ordering";
        CertDraft => "Черновик", "Draft";
        CertScheduled => "Запланирована", "Scheduled";
        CertOpen => "Открыта", "Open";
        CertClosed => "Закрыта", "Closed";
        TimerPause => "Пауза, когда пользователь вне теста", "Pauses while away";
        TimerContinuous => "Идёт непрерывно", "Runs continuously";

        BlockText => "Текст", "Text";
        BlockImage => "Изображение", "Image";
        BlockVideo => "Видео", "Video";
        BlockFile => "Файл", "File";

        RtBold => "Жирный", "Bold";
        RtItalic => "Курсив", "Italic";
        RtBullets => "Маркированный список", "Bulleted list";
        RtNumbers => "Нумерованный список", "Numbered list";
        RtLink => "Ссылка", "Link";
        Pagination => "Страницы", "Pages";
        PrevPage => "Назад", "Previous";
        NextPage => "Вперёд", "Next";
        PageNofM => "Страница {n} из {m}", "Page {n} of {m}";

        Uploading => "Загрузка…", "Uploading…";
        Format => "Формат", "Format";
        File => "Файл", "File";
        ErrExportTooLarge => "В таблице больше {max} строк — слишком много для Excel. Сузьте фильтры или выгрузите CSV.", "The table has more than {max} rows, too many for Excel. Narrow the filters or export CSV.";
        QuestionKind => "Тип вопроса", "Question type";
        AllKinds => "Все типы", "All types";
        Updated => "Изменён", "Updated";
        Actions => "Действия", "Actions";
        Image => "Изображение", "Image";
        Options => "Варианты ответа", "Options";
        MoveUp => "Выше", "Move up";
        MoveDown => "Ниже", "Move down";
        Title => "Название", "Title";
        Status => "Статус", "Status";
        AllStatuses => "Все статусы", "All statuses";
        Questions => "Вопросы", "Questions";
        Settings => "Настройки", "Settings";
        Theory => "Теория", "Theory";
        Assignment => "Назначение", "Assignment";
        OpenNow => "Открыть сейчас", "Open now";
        Schedule => "Запланировать", "Schedule";
        Unschedule => "Отменить план", "Unschedule";
        TimerMode => "Режим таймера", "Timer mode";
        Points => "Баллы за прохождение", "Points for passing";
        Materials => "Дополнительные материалы", "Additional materials";
        BlockKind => "Тип блока", "Block type";
        MaterialKind => "Вид материала", "Material kind";

        OpenFile => "Открыть файл", "Open the file";
        HintSingle => "Выберите один вариант.", "Choose one option.";
        HintMultiple => "Выберите все верные варианты.", "Choose every correct option.";
        HintOrdering => "Расставьте варианты в правильном порядке кнопками ↑ и ↓.", "Put the options in the right order with ↑ and ↓.";

        StNew => "Новая: начните с теории", "New: start with the theory";
        StReading => "Читаете теорию: {read} / {of}", "Reading the theory: {read} / {of}";
        StTheoryRead => "Теория прочитана: можно проходить тест", "Theory read: the test is open";
        StInProgress => "Тест начат, осталось {time}", "Test in progress, {time} left";
        StPassed => "Пройдена: лучший результат {best}%, попыток осталось {left}", "Passed: best {best}%, {left} attempts left";
        StNotPassed => "Не пройдена: лучший результат {best}%, попыток осталось {left}", "Not passed: best {best}%, {left} attempts left";
        StFinishedPassed => "Пройдена: {best}%", "Passed: {best}%";
        StFinishedFailed => "Не пройдена: {best}%, попытки закончились", "Not passed: {best}%, no attempts left";
        StClosed => "Закрыта", "Closed";
        GoToTest => "Перейти к тесту", "Go to the test";
        ContinueTest => "Продолжить тест", "Continue the test";
        ReadAllPages => "Прочитайте все страницы теории, чтобы перейти к тесту.", "Read every page of the theory to go to the test.";
        WaitToStart => "Кнопка станет активной через {time}", "The button activates in {time}";
        Scoring => "Подводим итоги…", "Scoring…";
        Passed => "Аттестация пройдена", "Passed";
        NotPassed => "Аттестация не пройдена", "Not passed";
        ScoreLine => "Верных ответов: {c} из {t}. Порог прохождения: {th}%.", "Correct answers: {c} of {t}. Pass threshold: {th}%.";
        TimedOut => "Время вышло: неотвеченные вопросы засчитаны как неверные.", "Time ran out: unanswered questions count as wrong.";
        BestResult => "Лучший результат", "Best result";
        AttemptsLeft => "Осталось попыток", "Attempts left";
        TimeSpent => "Затрачено времени", "Time spent";
        FinishedAt => "Завершена", "Finished";
        TryAgain => "Пройти ещё раз", "Try again";
        Review => "Разбор ответов", "Answer review";
        History => "История попыток", "Attempt history";
        InProgressShort => "идёт", "in progress";
        AttemptN => "Попытка {n}", "Attempt {n}";
        ResetMark => "сброшена", "reset";
        YourAnswer => "Ваш ответ", "Your answer";
        NoAnswer => "нет ответа", "no answer";
        RightAnswer => "Правильный ответ", "Right answer";
        AnswerRight => "Верно", "Right";
        AnswerWrong => "Неверно", "Wrong";
        ReviewPartial => "Правильные ответы и пояснения появятся здесь, когда попыток больше не останется.", "The right answers and explanations appear here once no attempts remain.";

        QuestionNofM => "Вопрос {n} из {m}", "Question {n} of {m}";
        DotLabel => "Вопрос {n}: {state}", "Question {n}: {state}";
        Answered => "есть ответ", "answered";
        NotAnswered => "без ответа", "not answered";
        Saving => "Сохраняем ответ…", "Saving the answer…";
        AnswerSaved => "Ответ сохранён ✓", "Answer saved ✓";
        SaveRetrying => "Нет связи: ответ ещё не сохранён, повторяем…", "No connection: the answer is not saved yet, retrying…";
        SaveRefused => "Ответ не принят.", "The answer was not accepted.";
        ToUnanswered => "К вопросам без ответа", "To unanswered questions";
        UnansweredLeft => "Без ответа: {n}", "Not answered: {n}";
        FinishTest => "Завершить тест", "Finish the test";
        FinishAndSubmit => "Завершить и отправить", "Finish and submit";
        BackToTest => "Вернуться к тесту", "Back to the test";
        SummaryTitle => "Итог перед отправкой", "Summary of the attempt";
        SummaryAnswered => "Отвечено: {a} из {m}", "Answered: {a} of {m}";
        SummaryUnanswered => "Без ответа: {n}. Неотвеченные вопросы будут засчитаны как неверные.", "Not answered: {n}. Questions left unanswered count as wrong.";
        SummaryTimeLeft => "Осталось времени: {t}", "Time left: {t}";
        QuestionN => "Вопрос {n}", "Question {n}";
        ConfirmOrder => "Этот порядок — мой ответ", "This order is my answer";
        PassRate => "Прошли {r}% из тех, кто сдавал.", "{r}% of those who took it passed.";
        NoResultsYet => "Попыток пока нет: доля сдавших появится после первой завершённой попытки.", "No attempts yet: the pass rate appears after the first finished attempt.";
        Person => "Сотрудник", "Person";
        TheoryRead => "Теория прочитана", "Theory read";
        AttemptsUsed => "Попытки", "Attempts";
        PassedAt => "Сдана", "Passed on";
        RuleDeadline => "Сдать до {d}", "Due by {d}";
        RuleTimePause => "Время на тест: {m}. Пауза, когда вы выходите из теста", "Time: {m}. The time pauses when you leave the test";
        RuleTimeRuns => "Время на тест: {m}. Идёт без остановки с начала попытки", "Time: {m}. It runs from the start of the attempt, even when you leave";
        RuleAttempts => "Попыток осталось: {left} из {max}", "Attempts left: {left} of {max}";
        RuleThreshold => "Проходной результат: {p}%", "Pass mark: {p}%";
        RulePoints => "За сдачу: {n}", "A pass pays {n}";
        VerdictPassedShort => "Сдана", "Passed";
        VerdictFailedShort => "Не сдана", "Not passed";
        EarnedTitle => "Вы получили", "You earned";
        EarnedPoints => "+{n}", "+{n}";
        EarnedBadge => "Бейдж «{b}»", "Badge “{b}”";
        EarnedLevel => "Новый уровень: {l}", "A new level: {l}";
        NextStep => "Что дальше", "Next";
        OpenCert => "Открыть", "Open";
        PageStillToRead => "Ещё не прочитана страница {n}", "Page {n} still needs reading";
        PageReadWait => "Читайте ещё {time}", "Keep reading for {time}";
        AwayLimitHint => "Если выйти из теста больше чем на {m} в сумме, попытка завершится.", "Leaving the test for more than {m} in total ends the attempt.";
        AwayLimitReached => "Попытка завершена: вы были вне теста дольше, чем разрешено. Засчитаны данные ответы.", "The attempt ended: you were away from the test longer than allowed. The answers you gave count.";
        Integrity => "Ход попытки", "Attempt record";
        Yes => "да", "yes";
        No => "нет", "no";

        RuleFirstPass => "Первая сданная аттестация", "First certification passed";
        RulePassedCount => "Сдано аттестаций: N", "N certifications passed";
        RulePerfect => "Результат 100%", "A 100% result";
        RuleAllTheoryRead => "Прочитана вся назначенная теория", "All assigned theory read";
        RuleStreak => "Активность N дней подряд", "Active N days in a row";

        PointsForPass => "Баллы за сдачу аттестации", "Points for passing a certification";

        LevelLine => "Уровень {n}: {name}", "Level {n}: {name}";
        ToNextLevel => "До следующего уровня", "To the next level";
        NextLevelIn => "До уровня «{name}»: {points}", "{points} to \"{name}\"";
        TopLevel => "Достигнут высший уровень", "The top level is reached";
        NoRewardsForRole => "Баллы, уровни и бейджи за активность получают только сотрудники.", "Only employees earn points, levels and activity badges.";
        Badges => "Бейджи", "Badges";
        LockedBadges => "Ещё не получены", "Not earned yet";
        NoBadgesYet => "Бейджей пока нет.", "No badges yet.";
        ManualBadgeHow => "Выдаёт администратор", "Awarded by an administrator";
        Period => "Период", "Period";
        ThisWeek => "Эта неделя", "This week";
        ThisMonth => "Этот месяц", "This month";
        AllTime => "Всё время", "All time";
        AllBranches => "Все филиалы", "All branches";
        AllPositions => "Все должности", "All positions";
        MyPlace => "Ваше место: {n} ({points})", "Your place: {n} ({points})";

        Levels => "Уровни", "Levels";
        Dictionaries => "Филиалы и должности", "Branches and positions";
        Branches => "Филиалы", "Branches";
        Positions => "Должности", "Positions";
        CertProgress => "Аттестации", "Certifications";
        AttemptsAndBest => "попыток: {n}, лучший результат: {b}", "attempts: {n}, best: {b}";
        PsNew => "Не начата", "Not started";
        PsReading => "Читает теорию: {read} / {of}", "Reading the theory: {read} / {of}";
        PsTheoryRead => "Теория прочитана, тест не начат", "Theory read, test not started";
        PsInProgress => "Проходит тест", "Taking the test";
        PsPassed => "Сдана: лучший результат {best}%", "Passed: best {best}%";
        PsNotPassed => "Не сдана: лучший результат {best}%, осталось попыток: {left}", "Not passed: best {best}%, attempts left: {left}";
        PsFinishedFailed => "Не сдана, попытки закончились: {best}%", "Not passed, no attempts left: {best}%";
        PsClosedPassed => "Закрыта; сдана", "Closed; passed";
        PsClosedNotPassed => "Закрыта; не сдана", "Closed; not passed";
        GrantAttempt => "Ещё одна попытка", "One more attempt";
        RateCompletion => "Выполнение: сдали {passed} из {assigned} назначенных ({p}%)", "Completion: {passed} of {assigned} assigned passed ({p}%)";
        RatePassOfAttempted => "Сдаваемость: {passed} из {attempted} сдававших ({p}%)", "Pass rate: {passed} of {attempted} who took it ({p}%)";
        BulkAction => "Действие с выбранными", "Action on the chosen";
        When => "Когда", "When";
        Who => "Кто", "Who";
        ErrCurrentPassword => "Текущий пароль указан неверно.", "The current password is wrong.";
        ErrNoPasswordYet => "У вас ещё нет пароля: его задаёт администратор.", "You have no password yet: an administrator sets it.";

        // Bot
        BotWelcome => "Здравствуйте, {name}! Откройте приложение, чтобы проходить аттестации и следить за достижениями.", "Hello, {name}! Open the app to take certifications and follow your achievements.";
        BotWelcomePending => "Здравствуйте, {name}! Заявка на доступ отправлена администратору. Как только доступ откроют, вы сможете проходить аттестации.", "Hello, {name}! Your access request has been sent to an administrator. You can take certifications once access is granted.";
        BotDeactivated => "Ваша учётная запись отключена. Обратитесь к администратору.", "Your account is deactivated. Please contact an administrator.";
        BotOpenApp => "Открыть приложение", "Open the app";
        BotShareContact => "Если вас уже добавила компания, поделитесь номером телефона — мы найдём вашу учётную запись.", "If your company has already added you, share your phone number and we will find your account.";
        BotShareContactButton => "Поделиться номером", "Share my phone number";
        BotLinked => "Готово, {name}: аккаунт Telegram привязан. Откройте приложение.", "Done, {name}: your Telegram account is linked. Open the app.";
        BotInviteInvalid => "Ссылка-приглашение недействительна, устарела или уже использована. Попросите у администратора новую.", "This invite link is not valid, has expired or was already used. Ask your administrator for a new one.";
        BotContactNotOwn => "Поделитесь своим номером кнопкой «Поделиться номером», а не чужим контактом.", "Share your own number with the «Share my phone number» button, not someone else's contact.";
        BotContactUnknown => "Не нашли, кого подключить по этому номеру. Попросите у администратора ссылку-приглашение.", "We found nobody to connect with this number. Ask your administrator for an invite link.";
        BotTelegramTaken => "Этот аккаунт Telegram уже привязан к другой учётной записи. Обратитесь к администратору.", "This Telegram account is already linked to another person. Please contact an administrator.";
        ErrScimNoSearch => "Поиск через POST .search не поддерживается: используйте GET с параметром filter.", "Search over POST .search is not supported: use GET with a filter parameter.";
        ErrScimTaken => "уже занято другим человеком.", "already belongs to another person.";
        ErrTelegramAlreadyLinked => "К этой учётной записи уже привязан аккаунт Telegram.", "A Telegram account is already linked to this person.";
        ErrBotUsernameUnknown => "Имя бота ещё неизвестно: проверьте токен бота в настройках и повторите.", "The bot's username is not known yet: check the bot token in the settings and retry.";
        ComplianceTitle => "Соответствие", "Compliance";
        ComplianceState => "Состояние", "State";
        CellNotStarted => "не начато", "not started";
        CellInProgress => "проходит", "in progress";
        CellPassed => "сдано", "passed";
        CellFailed => "не сдано", "failed";
        CellOverdue => "просрочено", "overdue";
        OutboxQueued => "в очереди", "queued";
        OutboxSending => "отправляется", "sending";
        OutboxSent => "доставлено", "sent";
        OutboxFailed => "ошибка, повторим", "failed, will retry";
        OutboxDead => "не доставлено", "gave up";
        OutboxUnreachable => "бот заблокирован", "bot blocked";
        OutboxSkipped => "не отправлялось", "not sent";
        SkipKindOff => "такие уведомления выключены", "this kind is switched off";
        SkipMuted => "человек отключил такие уведомления", "muted by the person";
        SkipNoTelegram => "нет Telegram", "no Telegram account";
        SkipBlocked => "бот заблокирован", "the bot is blocked";
        SkipInactive => "не активный сотрудник", "not an active member";
        ScopeUsersRead => "Читать людей: список, карточки, результаты", "Read people: the list, cards, results";
        ScopeUsersWrite => "Создавать и менять людей, начислять баллы", "Create and change people, give points";
        ScopeDictionariesRead => "Читать филиалы и должности", "Read branches and positions";
        ScopeDictionariesWrite => "Создавать и переименовывать филиалы и должности", "Create and rename branches and positions";
        ScopeAchievementsRead => "Читать уровни и бейджи", "Read levels and badges";
        ScopeAchievementsWrite => "Выдавать и отзывать бейджи", "Award and revoke badges";
        ScopeCertificationsRead => "Читать аттестации, назначения и результаты", "Read certifications, assignments and results";
        ScopeCertificationsWrite => "Назначать аттестации, давать попытку, сбрасывать прогресс", "Assign certifications, give an attempt, reset progress";
        ScopeAdmin => "Действовать и над руководителями и администраторами", "Act on managers and admins too";
        ScopeScim => "Синхронизация людей по SCIM 2.0", "Sync people over SCIM 2.0";
        EventUserCreated => "Появился новый человек", "A person was added";
        EventUserUpdated => "Изменились данные человека", "A person's details changed";
        EventAttemptFinished => "Попытка завершена (с результатом)", "An attempt finished (with its result)";
        EventPointsChanged => "Изменились баллы", "Points changed";
        EventBadgeAwarded => "Выдан бейдж", "A badge was awarded";
        EventCertificationOpened => "Аттестация открыта", "A certification opened";
        UnsavedChanges => "Есть несохранённые изменения", "Unsaved changes";
        NoChanges => "Изменений нет", "No changes";
        RateCompletionHeader => "Выполнение", "Completion";
        DashboardCertification => "Аттестация", "Certification";
        DashboardAssigned => "Назначено", "Assigned";
        DashboardNotPassed => "Ещё не сдали", "Not passed yet";
        ClosesAtHeader => "Закрывается", "Closes";
        DashboardInProgressHeader => "Проходят сейчас", "In progress";
        PointsChart => "Баллы со временем", "Points over time";
        PointsUnit => "баллы", "points";
        ChartTapHint => "Нажмите на точку, чтобы увидеть значение", "Tap a point to see its value";
        ProgressChart => "Мои аттестации", "My certifications";
        ProgressChartDesc => "Сдано {passed} из {total}. Полоса — лучший результат, черта — проходной балл.", "{passed} of {total} passed. Each bar is the best result, the line the pass mark.";
        ProgressBest => "Лучший результат", "Best result";
        ProgressPassMark => "Проходной балл", "Pass mark";
        PointsChartDesc => "Баланс после каждого из последних {n} начислений; сейчас {now}.", "The balance after each of the last {n} entries; now {now}.";
        BotHelp => "Команды:\n/start — открыть приложение\n/help — эта подсказка", "Commands:\n/start — open the app\n/help — this help";

        // REST API and API keys
        ErrChangedMeanwhile => "Запись изменилась с тех пор, как её прочитали: прочитайте её заново.", "The record changed since it was read: read it again.";
        ErrApiKeyMissing => "Нужен API-ключ: заголовок Authorization: Bearer <ключ>.", "An API key is required: header Authorization: Bearer <key>.";
        ErrApiKeyInvalid => "API-ключ неизвестен, отозван или просрочен, либо запрос пришёл с адреса, которому ключ не разрешён.", "The API key is unknown, revoked or expired, or the request comes from an address the key does not allow.";
        ErrApiScope => "У ключа нет нужного права: {scope}.", "The key lacks the scope this needs: {scope}.";
        ErrApiAdminScope => "Менять роли и права, а также менеджеров и администраторов, может только ключ с правом admin.", "Only a key with the admin scope may change roles and permissions or touch managers and admins.";
        ErrApiRateLimited => "Слишком много запросов с этим ключом. Повторите через {seconds} с.", "Too many requests with this key. Retry in {seconds} s.";
        ErrCursorInvalid => "Курсор не распознан: передайте next_cursor из предыдущего ответа как есть.", "The cursor is not recognised: pass next_cursor from the previous answer as it is.";
        ErrTimestampInvalid => "Время в формате RFC 3339, например 2026-12-01T10:00:00Z.", "A time in RFC 3339 format, e.g. 2026-12-01T10:00:00Z.";
        ErrPageSize => "Размер страницы от 1 до 1000.", "Page size from 1 to 1000.";
        ErrIdempotencyMismatch => "Этот Idempotency-Key уже использован с другим телом запроса.", "This Idempotency-Key was already used with a different request body.";
        ErrIdempotencyKey => "Idempotency-Key: от 1 до 255 видимых символов.", "Idempotency-Key: 1 to 255 visible characters.";
        ErrIfMatchInvalid => "If-Match: ETag из ответа на чтение записи, например \"3\".", "If-Match: the ETag from reading the record, e.g. \"3\".";
        ErrBodyInvalid => "Тело запроса не прочитано: {detail}", "The request body could not be read: {detail}";
        ErrBulkTooLarge => "Не больше 1000 записей за один запрос.", "At most 1,000 records per request.";
        ErrExternalIdInvalid => "Внешний ID: от 1 до 100 символов.", "External id: 1 to 100 characters.";
        ErrExternalIdTaken => "Этот внешний ID уже у другого человека.", "This external id belongs to another person.";
        ErrApiNoRoute => "Такого адреса в API нет.", "There is no such address in the API.";
        ErrApiMethod => "Этот метод для адреса не поддерживается.", "This method is not supported for the address.";
        ErrDictNameTaken => "Запись с таким названием уже есть.", "An entry with this name exists already.";
        ErrApiKeyName => "Название ключа: от 1 до 100 символов.", "Key name: 1 to 100 characters.";
        ErrApiKeyScopes => "Выберите хотя бы одно право из списка.", "Choose at least one scope from the list.";
        ErrApiKeyIpAllow => "Адреса: IP или сети через запятую, например 10.0.0.0/8, 192.0.2.7.", "Addresses: IPs or networks separated by commas, e.g. 10.0.0.0/8, 192.0.2.7.";
        ErrApiKeyRate => "Лимит: от 1 до 10000 запросов в секунду, запас не меньше лимита.", "Rate: 1 to 10,000 requests per second, with a burst at least as large.";
        ErrApiKeyExpiry => "Срок действия: от 1 до 3650 дней или пусто.", "Expiry: 1 to 3,650 days, or empty.";
        ErrApiKeyRevoked => "Ключ уже отозван.", "The key is revoked already.";
        ApiKeyStatusExpired => "Истёк", "Expired";
        AuditApiKeyCreated => "Создан API-ключ", "API key created";
        AuditApiKeyRevoked => "Отозван API-ключ", "API key revoked";
        AuditApiKeyUsed => "Использование API-ключа", "API key used";
        AuditWebhookChanged => "Изменена подписка на вебхуки", "Webhook subscription changed";
        AuditTelegramLinked => "Привязан аккаунт Telegram", "Telegram account linked";
        AuditTelegramInviteCreated => "Создана ссылка-приглашение в Telegram", "Telegram invite link created";
        ErrWebhookName => "Название подписки: от 1 до 100 символов.", "Subscription name: 1 to 100 characters.";
        ErrWebhookUrl => "Адрес: полный URL https, например https://hr.example.com/hooks/attest.", "Address: a full https URL, e.g. https://hr.example.com/hooks/attest.";
        ErrWebhookUrlPrivate => "Адрес ведёт во внутреннюю сеть или на этот сервер: разрешены только публичные адреса.", "The address points into a private network or at this server: only public addresses are allowed.";
        ErrWebhookEvents => "Выберите хотя бы одно событие из списка.", "Choose at least one event from the list.";
        ErrWebhookOff => "Подписка отключена: включите её, чтобы отправить проверку.", "The subscription is switched off: switch it on to send a test.";
        ErrWebhookPending => "Эта доставка ещё в очереди.", "This delivery is still queued.";
        WebhooksTitle => "Вебхуки", "Webhooks";
        WebhookEvent => "Событие", "Event";
        StatsQuestion => "Вопрос", "Question";
        StatsRevision => "Редакция", "Revision";
        StatsAnswered => "Ответов", "Answers";
        StatsFacility => "Решаемость", "Facility";
        StatsDiscrimination => "Различающая сила", "Discrimination";
        StatsOptions => "Выбирали варианты", "Options chosen";
        StatsFlags => "Внимание", "Flags";
        StatsTooEasy => "слишком лёгкий", "too easy";
        StatsTooHard => "слишком трудный", "too hard";
        StatsNegative => "отрицательная различающая сила", "negative discrimination";
        ErrXapiCredentials => "Логин: до 200 символов без двоеточия; пароль: до 500 символов.", "User name: up to 200 characters, no colon; password: up to 500 characters.";
    }

    // What only the admin panel shows.
    admin_panel {
        NotSet => "не указано", "not set";
        AuditBotRights => "Бот в группе", "The bot in the group";
        AuditBotOk => "администратор, может создавать темы", "an administrator, may create topics";
        AuditBotNoTopics => "администратор, но без права управлять темами", "an administrator, without the right to manage topics";
        AuditBotNotAdmin => "не администратор: дайте боту права администратора", "not an administrator: make the bot an administrator";
        AuditBotUnreachable => "не может открыть группу: {error}", "cannot open the group: {error}";
        AuditGroupField => "Раздел", "Area";
        AuditAnyTarget => "Любой объект", "Any target";
        AuditFrom => "С даты", "From";
        AuditTo => "По дату", "To";
        AuditExport => "Выгрузить в CSV", "Export as CSV";
        AuditEmpty => "Записей с такими условиями нет.", "No entries match.";
        AuditDetails => "Подробнее", "Details";
        AuditNewer => "← Новее", "← Newer";
        AuditOlder => "Старше →", "Older →";
        AuditAppendOnly => "Записи журнала нельзя изменить или удалить (кроме удаления по сроку хранения).", "Entries cannot be changed or deleted (except by the retention period).";
        AuditField => "Поле", "Field";
        AuditBefore => "Было", "Before";
        AuditAfter => "Стало", "After";
        AuditFeedHint => "Добавьте бота администратором в супергруппу с темами и отправьте там /audit_here — или впишите ID группы.", "Add the bot as an administrator to a supergroup with topics and send /audit_here there, or type the group's id.";
        AuditFeedGroup => "Группа", "Group";
        AuditFeedWaiting => "Ждут публикации", "Waiting to be posted";
        AuditChatId => "ID группы", "Group id";
        AuditTopics => "Темы", "Topics";
        AuditTopicsPerGroup => "Своя тема для каждого раздела (бот создаст)", "A topic per area (made by the bot)";
        AuditTopicsSingle => "Всё в одну тему", "Everything into one topic";
        AuditTopicsGeneral => "Без тем (общий чат)", "No topics (the main chat)";
        AuditThreadId => "Номер темы", "Topic number";
        AuditPosted => "Что публиковать", "What to post";
        AuditRetention => "Хранить записи, дней (0 — всегда)", "Keep entries for days (0: forever)";
        AuditRetentionHint => "Старые записи удаляются раз в сутки; от 30 до 3650 дней.", "Older entries are deleted daily; from 30 to 3650 days.";
        AuditTest => "Проверочное сообщение", "Send a test message";
        AuditTestQueued => "Проверочное сообщение поставлено в очередь.", "The test message is queued.";
        ManagerBranches => "Видит сотрудников филиалов", "Sees the people of these branches";
        ManagerBranchesHint => "Ничего не выбрано — видит всех. Действует на уведомления о результатах, результаты команды и аналитику.", "Nothing chosen: sees everyone. Applies to result notifications, team results and analytics.";
        TgUnreachable => "Бот не может писать этому человеку (заблокировал бота) с {when}: {why}. Снимется, когда он снова отправит /start.", "The bot cannot write to this person (they blocked it) since {when}: {why}. Cleared when they send /start again.";

        // Sign-in
        LoginTitle => "Вход в панель управления", "Sign in to the admin panel";
        LoginField => "Логин", "Login";
        PasswordField => "Пароль", "Password";
        Profile => "Профиль", "Profile";

        // Admin shell and profile
        AdminHome => "Главная", "Home";
        AdminWelcome => "Добро пожаловать, {name}", "Welcome, {name}";
        AdminNoModules => "Вам пока не открыт ни один раздел. Обратитесь к администратору.", "No section is open to you yet. Please contact an administrator.";
        AccountMenu => "Меню учётной записи", "Account menu";
        ProfileTitle => "Профиль", "Profile";
        RegisteredAt => "Дата регистрации", "Registered";
        TelegramIdField => "Telegram ID", "Telegram ID";
        UsernameField => "Имя пользователя", "Username";
        PhotoAlt => "Фото пользователя", "User photo";
        AwayLimitOn => "Ограничить время вне теста", "Limit the time away from the test";
        AwayLimitMinutes => "Время вне теста, минут (потом попытка завершается)", "Time away, minutes (then the attempt ends)";
        ResetAfterFullReview => "Этому человеку был доступен полный разбор с правильными ответами. Если аттестация выбирает вопросы из большего набора, новые попытки сначала зададут вопросы, которых он ещё не видел.", "This person could see a full review with the right answers. Where the certification draws from a larger set, new attempts ask the questions they have not seen first.";
        ErrChoosePlacement => "Выберите должность и филиал.", "Choose a position and a branch.";
        ErrChooseLevel => "Выберите уровень и укажите причину.", "Choose a level and give a reason.";
        ErrChooseBadge => "Выберите бейдж.", "Choose a badge.";

        NewQuestion => "Новый вопрос", "New question";
        EditQuestion => "Редактирование вопроса", "Edit question";
        BackToBank => "← К банку вопросов", "← Back to the question bank";
        Import => "Импорт", "Import";
        ImportQuestions => "Импорт вопросов", "Import questions";
        ImportHint => "Файл JSON (как при экспорте) или CSV со столбцами kind,text,options,correct,explanation,tags. Если в файле есть ошибки, ничего не импортируется.", "A JSON file (as exported) or a CSV with columns kind,text,options,correct,explanation,tags. If the file has errors, nothing is imported.";
        ImportNothing => "Ничего не импортировано. Исправьте строки:", "Nothing was imported. Fix these rows:";
        Imported => "Импортировано вопросов: {n}", "Questions imported: {n}";
        WholeFile => "Файл", "File";
        RowN => "Строка {n}", "Row {n}";
        ExportJson => "Экспорт JSON", "Export JSON";
        ExportCsv => "Экспорт CSV", "Export CSV";
        ExportXlsx => "Экспорт Excel", "Export Excel";
        Search => "Поиск", "Search";
        Tag => "Тег", "Tag";
        AllTags => "Все теги", "All tags";
        Tags => "Теги", "Tags";
        TagsComma => "Теги (через запятую)", "Tags (comma-separated)";
        ShowArchived => "Показать архив", "Show archived";
        ResetFilters => "Сбросить фильтры", "Reset filters";
        NothingFound => "Ничего не найдено.", "Nothing found.";
        QuestionText => "Текст вопроса", "Question text";
        Duplicate => "Копировать", "Duplicate";
        Archive => "В архив", "Archive";
        Unarchive => "Из архива", "Restore";
        Delete => "Удалить", "Delete";
        Remove => "Убрать", "Remove";
        TotalCount => "Всего: {n}", "Total: {n}";
        UploadImage => "Загрузить изображение", "Upload an image";
        OrderingHint => "Расположите варианты в правильном порядке: пользователь увидит их перемешанными.", "Put the options in the right order: users will see them shuffled.";
        CorrectHint => "Отметьте правильные варианты.", "Mark the correct options.";
        Correct => "Правильный", "Correct";
        OptionText => "Текст варианта", "Option text";
        AddOption => "Добавить вариант", "Add an option";
        Explanation => "Пояснение (показывается после попытки)", "Explanation (shown after the attempt)";

        NewCertification => "Новая аттестация", "New certification";
        Create => "Создать", "Create";
        TheoryBlocks => "Блоки теории", "Theory blocks";
        OpensAt => "откроется {at}", "opens {at}";
        ClosesAt => "закроется {at}", "closes {at}";

        BackToCertifications => "← К аттестациям", "← Back to certifications";
        LockedNote => "Аттестация открыта: менять можно только теорию, вопросы, назначение, название, описание и дату закрытия.", "The certification is open: only theory, questions, assignment, title, description and the close date can change.";
        Preview => "Предпросмотр", "Preview";
        CloseCert => "Закрыть", "Close";
        CloseZone => "Закрытие аттестации", "Closing the certification";
        CloseZoneHint => "Закрытие завершает начатые попытки и не даёт начать новые. Открыть аттестацию снова можно позже, с новой датой закрытия.", "Closing ends the attempts in progress and lets nobody start. The certification can be opened again later, with a new close date.";
        CloseCertQuestion => "Закрыть «{title}» сейчас? Начатые попытки сразу завершатся и будут оценены по уже данным ответам, начать новую никто не сможет.", "Close “{title}” now? Attempts in progress end at once and are scored on the answers given; nobody can start a new one.";
        ClosedNote => "Аттестация закрыта: начать попытку нельзя, настройки не меняются. Её можно открыть снова с новой датой закрытия.", "The certification is closed: nobody can start, and the settings do not change. It can be opened again with a new close date.";
        Reopen => "Открыть снова", "Reopen";
        ReopenHint => "Аттестация снова станет доступна тем, кто её не сдал, в пределах оставшихся попыток. Уведомления не отправляются.", "The certification becomes available again to those who have not passed, within their attempts left. No notifications are sent.";
        NewCloseDate => "Новая дата закрытия", "New close date";
        DeleteQuestionConfirm => "Удалить вопрос «{q}»? Это нельзя отменить.", "Delete the question “{q}”? This cannot be undone.";
        Description => "Описание", "Description";
        PassThreshold => "Порог прохождения, %", "Pass threshold, %";
        MaxAttempts => "Количество попыток", "Number of attempts";
        TimeLimitMinutes => "Время на тест, минут", "Time limit, minutes";
        MinReadSecs => "Минимальное время чтения блока, секунд", "Minimum reading time per block, seconds";
        PointsColumn => "Баллы", "Points";
        ShuffleQuestions => "Перемешивать вопросы", "Shuffle questions";
        ShuffleOptions => "Перемешивать варианты", "Shuffle options";
        ReviewAllowed => "Разбор ответов после попытки", "Answer review after the attempt";
        DrawRandom => "Случайная выборка вопросов", "Draw questions at random";
        DrawCount => "Сколько вопросов выбирать", "How many questions to draw";
        OpensAtField => "Дата открытия", "Open date";
        ClosesAtField => "Дата закрытия", "Close date";
        QuestionCount => "Вопросов: {n}", "Questions: {n}";
        DrawnPerAttempt => "в попытке случайные {n}", "{n} drawn at random per attempt";
        Edit => "Изменить", "Edit";
        AddFromBank => "Добавить из банка", "Add from the bank";
        CreateQuestion => "Создать вопрос", "Create a question";
        AddSelected => "Добавить выбранные", "Add selected";
        ReachesPeople => "Назначено сотрудникам: {n}", "Assigned to {n} people";
        AssignTo => "Кому", "Assign to";
        AssignWhom => "Кого", "Whom";
        Assign => "Назначить", "Assign";
        AssignPosition => "Должность", "Position";
        AssignBranch => "Филиал", "Branch";
        AssignUser => "Сотрудник", "Person";

        TheoryVersionNote => "Аттестация уже запланирована или открыта: каждое изменение теории создаёт новую версию (сейчас {v}). Прочитавшие прежнюю версию считаются прочитавшими, если не отметить «требовать повторного прочтения».", "The certification is scheduled or open: every theory change makes a new version (now {v}). People who read an earlier version keep their read status unless you tick \"require re-reading\".";
        RequireReread => "Требовать повторного прочтения", "Require re-reading";
        TheoryVersions => "Версии теории", "Theory versions";
        VersionLine => "Версия {v} от {at}", "Version {v} of {at}";
        RereadRequired => "нужно перечитать", "re-reading required";
        ReorderHelp => "Перетащите блок за ручку ⠿ или выберите ручку и нажимайте стрелки вверх/вниз.", "Drag a block by its ⠿ handle, or focus the handle and press the up/down arrows.";
        BlockMoved => "Блок «{title}» перемещён на позицию {n} из {total}.", "Block \"{title}\" moved to position {n} of {total}.";
        DragHandle => "Переместить блок «{title}», позиция {n} из {total}", "Move block \"{title}\", position {n} of {total}";
        AddBlock => "Добавить блок", "Add a block";
        BlockTitle => "Заголовок блока", "Block title";
        BlockBody => "Текст (для изображения, видео и файла — подпись)", "Text (a caption for images, videos and files)";
        BlockUrl => "Адрес (ссылка или загруженный файл)", "Address (a link or an uploaded file)";
        UploadFile => "Загрузить файл", "Upload a file";
        MaterialLink => "Ссылка", "Link";
        MaterialFile => "Файл", "File";
        MaterialTitle => "Название материала", "Material title";
        AddMaterial => "Добавить материал", "Add a material";

        Results => "Результаты", "Results";
        BackToEditor => "← К редактору", "← Back to the editor";
        PreviewHint => "Так аттестацию увидит сотрудник. Ответы здесь никуда не сохраняются.", "This is how an employee sees the certification. Answers here are not saved.";
        NobodyAssigned => "Аттестация пока никому не назначена.", "The certification is not assigned to anyone yet.";
        FlaggedOnly => "Только отмеченные попытки", "Flagged attempts only";
        FlaggedN => "⚑ Отмечено: {n}", "⚑ Flagged: {n}";
        AttemptRecordLink => "Ход попытки", "Attempt record";
        AttemptRecordTitle => "Ход попытки №{n}: {name}", "Attempt {n} record: {name}";
        AttemptsOfPerson => "Попытки", "Attempts";
        LeftTimes => "Выходил из теста: {n}", "Left the test: {n} times";
        AwayInTotal => "Вне теста всего: {t}", "Away in total: {t}";
        DevicesCount => "Устройств: {n}", "Devices: {n}";
        NoFlags => "Ничего подозрительного.", "Nothing stands out.";
        DeviceN => "Устройство {n}", "Device {n}";
        EvStarted => "Начал попытку", "Started the attempt";
        EvShown => "Открыл вопрос {n}", "Opened question {n}";
        EvAnswered => "Ответил на вопрос {n}", "Answered question {n}";
        EvChanged => "Изменил ответ на вопрос {n}", "Changed the answer to question {n}";
        EvLeft => "Вышел из теста", "Left the test";
        EvReturned => "Вернулся через {t}", "Came back after {t}";
        EvFinished => "Попытка завершена", "The attempt ended";
        FlagLeftOften => "Часто выходил из теста", "Left the test often";
        FlagAwayLong => "Долго был вне теста", "Away for long";
        FlagAnsweredAfterReturn => "Ответил после возвращения на вопрос, увиденный до выхода", "After coming back, answered a question seen before leaving";
        FlagRevealedAllFast => "Открыл все вопросы за несколько секунд", "Opened every question within seconds";
        FlagTwoDevices => "Отвечал с двух устройств", "Answered from two devices";
        ResetProgress => "Сбросить прогресс", "Reset progress";
        ResetDone => "Прогресс сброшен", "Progress reset";
        ResetWho => "Сотрудник: {name}. Прежние попытки останутся в истории с пометкой «сброшена».", "Person: {name}. Earlier attempts stay in the history marked as reset.";
        ResetsN => "сбросов: {n}", "resets: {n}";
        Reason => "Причина", "Reason";
        LevelNumber => "Номер", "Number";
        LevelName => "Название уровня", "Level name";
        LevelMin => "От баллов", "From points";
        AddLevel => "Добавить уровень", "Add a level";
        NewBadge => "Новый бейдж", "New badge";
        BadgeName => "Название бейджа", "Badge name";
        BadgeKind => "Как выдаётся", "How it is awarded";
        BadgeManual => "Вручную", "Manually";
        BadgeAutomatic => "Автоматически", "Automatically";
        BadgeRuleLabel => "Правило", "Rule";
        BadgeN => "N", "N";
        UploadIcon => "Загрузить значок", "Upload an icon";

        Preregister => "Добавить по Telegram ID", "Add by Telegram ID";
        ImportUsers => "Импорт CSV", "Import CSV";
        ImportUsersHint => "CSV со столбцами telegram_id,first_name,last_name,position,branch. Новые должности и филиалы создаются. Если есть ошибки, ничего не импортируется.", "CSV with columns telegram_id,first_name,last_name,position,branch. New positions and branches are created. If there are errors, nothing is imported.";
        ImportedUsers => "Добавлено пользователей: {n}", "Users added: {n}";
        SearchUsers => "Имя, @username или Telegram ID", "Name, @username or Telegram ID";
        AllRoles => "Все роли", "All roles";
        SortBy => "Сортировка", "Sort by";
        SortName => "По фамилии", "By surname";
        SortRegistered => "Сначала новые", "Newest first";
        SortPoints => "По баллам", "By points";
        Activate => "Открыть доступ", "Grant access";
        ActivateWho => "Открыть доступ: {name}", "Grant access: {name}";
        BackToUsers => "← К пользователям", "← Back to users";
        NewBranch => "Новый филиал", "New branch";
        NewPosition => "Новая должность", "New position";
        Add => "Добавить", "Add";

        RegisteredOn => "с {d}", "since {d}";
        ChangePassword => "Сменить пароль", "Change the password";
        EndSessions => "Завершить все сеансы", "Sign out everywhere";
        EndSessionsHint => "Человек выйдет на всех устройствах: в Mini App и в панели. Войти снова он сможет сам.", "The person is signed out on every device, in the Mini App and the panel. They can sign in again themselves.";
        SetPassword => "Задать пароль", "Set a password";
        PointsAndLevel => "Баллы и уровень", "Points and level";
        Permissions => "Права доступа к разделам", "Access to sections";
        CardCertification => "Аттестация", "Certification";
        CardState => "Состояние", "State";
        AttemptsHistoryCol => "Все попытки", "Every attempt";
        GrantAttemptQuestion => "Дать ещё одну попытку по «{title}»? Последняя засчитанная попытка перестанет учитываться и останется в истории.", "Give one more attempt at “{title}”? The newest counted attempt stops counting and stays in the history.";
        GrantAttemptWho => "Дать ещё одну попытку: {name}? Последняя засчитанная попытка перестанет учитываться и останется в истории.", "Give one more attempt to {name}? The newest counted attempt stops counting and stays in the history.";
        SearchByName => "Поиск по имени", "Search by name";
        SelectPage => "Выбрать всех на странице", "Select everyone on this page";
        SelectPerson => "Выбрать: {name}", "Select {name}";
        BulkRemind => "Напомнить в боте", "Remind through the bot";
        BulkChosen => "Выбрано: {n}", "Chosen: {n}";
        SelectAllMatching => "Выбрать всех по фильтру ({n})", "Choose everyone the filter keeps ({n})";
        BulkApply => "Выполнить…", "Apply…";
        BulkPreview => "Посчитать, кого затронет", "Count who it reaches";
        BulkPreviewRemind => "Выбрано {chosen}; ещё не сдали {applies}; бот напишет {reached} (остальные без Telegram, отключили такие уведомления или заблокировали бота). Тихие часы соблюдаются.", "{chosen} chosen; {applies} have not passed; the bot will write to {reached} (the rest have no Telegram, muted such messages or blocked the bot). Quiet hours apply.";
        BulkPreviewApplies => "Выбрано {chosen}; действие применимо к {applies}.", "{chosen} chosen; the action applies to {applies}.";
        BulkConfirm => "Подтвердить", "Confirm";
        BulkDone => "Готово: {n}", "Done: {n}";
        GrantAttemptDone => "Попытка добавлена", "Attempt given";
        PointsHistory => "История баллов", "Points history";
        PointsDelta => "Баллы (+ начислить, − списать)", "Points (+ add, − take back)";
        ApplyPoints => "Изменить баллы", "Change points";
        SetLevel => "Установить уровень", "Set the level";
        Revoke => "Отозвать", "Revoke";
        AwardBadge => "Выдать бейдж", "Award a badge";
        Award => "Выдать", "Award";
        EvaluateRules => "Пересчитать автоматические бейджи", "Re-evaluate automatic badges";
        ByRoleOn => "(по роли: открыт)", "(role default: open)";
        ByRoleOff => "(по роли: закрыт)", "(role default: closed)";
        NewPassword => "Новый пароль", "New password";
        CurrentPassword => "Текущий пароль", "Current password";
        PasswordChangedToast => "Пароль изменён. Другие сеансы в панели завершены.", "Password changed. Your other admin panel sessions were ended.";
        ConfirmPassword => "Повторите пароль", "Repeat the password";
        PasswordRule => "Не короче 10 символов, с буквами и цифрами. Прежние сеансы панели этого пользователя завершатся.", "At least 10 characters, with letters and digits. This user's earlier admin sessions end.";
        ScimTitle => "SCIM 2.0 (Entra ID, Okta)", "SCIM 2.0 (Entra ID, Okta)";
        ScimIntro => "Адрес для поставщика удостоверений: <публичный адрес>/scim/v2, токен — API-ключ с правом scim. Люди без Telegram ID привязываются по номеру телефона в боте или по ссылке-приглашению с карточки.", "Tenant URL for the identity provider: <public URL>/scim/v2; the token is an API key with the scim scope. People without a Telegram ID are linked by the phone they share with the bot or by an invite link from their card.";
        ScimUserName => "Чем считать userName", "What userName is";
        ScimUserNameLogin => "Логином (например, UPN или e-mail)", "The login (e.g. a UPN or an e-mail)";
        ScimUserNameTelegram => "Telegram ID (цифрами)", "The Telegram ID (digits)";
        InviteNotLinked => "Аккаунт Telegram ещё не привязан. Передайте человеку одноразовую ссылку: он откроет её в Telegram и нажмёт «Старт».", "No Telegram account is linked yet. Pass the person a one-time link: they open it in Telegram and press Start.";
        InviteMake => "Ссылка-приглашение", "Invite link";
        InviteMade => "Ссылка действует 14 дней и один раз; новая ссылка отменяет прежнюю.", "The link works once, for 14 days; a new link cancels the previous one.";
        InviteLink => "Ссылка-приглашение", "Invite link";
        ComplianceIntro => "Кто из назначенных сдал, не сдал, проходит, не начинал или просрочил каждую аттестацию — в пределах ваших сотрудников.", "Who of those assigned has passed, failed, is taking, has not started or is overdue on each certification, among the people you see.";
        ComplianceEmpty => "Никого не нашлось: здесь появятся сотрудники, которым назначены открытые или закрытые аттестации.", "Nobody matches: people appear here once open or closed certifications are assigned to them.";
        AllStates => "Все состояния", "All states";
        ComplianceByBranch => "По филиалам, % сдавших", "By branch, % passed";
        ComplianceByPosition => "По должностям, % сдавших", "By position, % passed";
        CompliancePeople => "Людей", "People";
        ComplianceLink => "Соответствие по всем аттестациям", "Compliance across certifications";
        DashboardTitle => "Сводка", "Dashboard";
        DashboardInProgress => "попыток идёт сейчас", "attempts in progress now";
        DashboardDueSoonDays => "не сдали, срок — в ближайшие {n} дней", "not passed, closing within {n} days";
        DashboardWhoNeedsPush => "Кому нужно напомнить", "Who needs a push";
        DashboardOverdueHeader => "Просрочено", "Overdue";
        DashboardDueSoonHeader => "Срок в ближайшие {n} дней", "Due within {n} days";
        DashboardDayValues => "{day}: попыток {attempts}, сдано {passes}", "{day}: {attempts} attempts, {passes} passed";
        DashboardActivityUnit => "завершённых попыток в день", "finished attempts a day";
        ChartHoverHint => "Наведите на столбец, чтобы увидеть значения", "Point at a column to see its values";
        DueWithinDays => "в ближайшие {n} дней", "within {n} days";
        DueFilter => "Срок", "Due";
        AnyDueDate => "Любой срок", "Any due date";
        DueOn => "до {d}", "due {d}";
        RemindNotPassed => "Напомнить всем, кто не сдал", "Remind everyone not passed";
        RemindPreview => "Людей в выборке: {people}; несданных открытых аттестаций у них: {pairs}; бот отправит {reached} напоминаний (остальные без Telegram, отключили такие уведомления или заблокировали бота). Тихие часы соблюдаются, одно напоминание в день.", "People in view: {people}; open certifications they have not passed: {pairs}; the bot will send {reached} reminders (the rest have no Telegram, muted such messages or blocked the bot). Quiet hours apply, one reminder a day.";
        UnitPeople => "людей", "people";
        UnitPeopleByBest => "людей по лучшему результату", "people by their best result";
        MinSec => "{m} мин {s} с", "{m} min {s} s";
        RevisionN => "ред. {n}", "rev. {n}";
        StatsOrderingNoCounts => "Вопрос на порядок: как часто выбирали варианты, здесь не считается.", "An ordering question: how often each item was chosen is not counted.";
        StatsFacilityHelp => "Доля верных ответов на вопрос: чем ниже, тем вопрос труднее.", "The share of right answers: the lower, the harder the question.";
        StatsDiscriminationHelp => "Насколько вопрос отделяет тех, кто сдал тест лучше, от остальных: от −1 до 1; выше 0,3 — хорошо, ниже 0 — вопрос стоит проверить.", "How well the question tells those who did better on the test from the rest: −1 to 1; above 0.3 is good, below 0 the question needs a look.";
        ApiKeyScopesHelp => "Что ключ может делать. Дайте только нужное: ключ HR-системы обычно читает и пишет людей и справочники.", "What the key may do. Give only what is needed: an HR system's key usually reads and writes people and dictionaries.";
        WebhookEventsHelp => "О чём сообщать: на адрес придёт POST с подписью на каждое такое событие.", "What to report: the address gets a signed POST for each such event.";
        TitleCertEditor => "Аттестация", "Certification";
        TitleQuestion => "Вопрос", "Question";
        TitleUserCard => "Карточка сотрудника", "Person";
        LedgerFromCertification => "Система: за сдачу аттестации", "The system: for passing a certification";
        LedgerFromApi => "Через API", "Through the API";
        LedgerFromLevel => "Смена уровня", "Level change";
        DashboardOverdue => "просрочено", "overdue";
        DashboardOpen => "Открытые аттестации", "Open certifications";
        DashboardNoOpen => "Открытых аттестаций нет: здесь появятся их итоги, как только аттестацию откроют.", "No certification is open: its figures appear here once one opens.";
        DashboardActivity => "Активность за 30 дней", "Activity over 30 days";
        DashboardActivityDesc => "Завершено попыток: {attempts}, из них сданных: {passes}. Светлые столбцы — попытки, тёмные — сдачи, по дням.", "Attempts finished: {attempts}, of them passed: {passes}. Light columns are attempts, dark ones passes, per day.";
        DashboardDay => "День", "Day";
        DashboardAttempts => "Попытки", "Attempts";
        DashboardPasses => "Сдачи", "Passes";
        DashboardRecent => "Новые бейджи и уровни", "Newest badges and levels";
        DashboardNoRecent => "Пока никто не получил бейдж или новый уровень: они появятся здесь, как только это случится.", "Nobody has earned a badge or a new level yet: they appear here as soon as someone does.";
        DashboardEarnedBadge => "получил(а) бейдж «{badge}»", "earned the badge “{badge}”";
        DashboardReachedLevel => "достиг(ла) уровня {number} «{level}»", "reached level {number} “{level}”";
        Timeline => "Хронология", "Timeline";
        TimelineReset => "сброшено", "reset";
        TimelineBadge => "значок «{name}»", "badge «{name}»";
        ApiKeysTitle => "API-ключи", "API keys";
        ApiKeysIntro => "Ключ — это интеграция, а не человек: он действует только в пределах своих прав. Секрет показывается один раз; хранится только его хеш.", "A key is an integration, not a person: it acts within its scopes only. The secret is shown once; only its hash is stored.";
        ApiKeysDocs => "Документация API", "API documentation";
        ApiKeyNew => "Новый ключ", "New key";
        ApiKeyName => "Название", "Name";
        ApiKeyScopes => "Права", "Scopes";
        ApiKeyExpiresDays => "Срок действия, дней (пусто — бессрочно)", "Expires in days (empty: never)";
        ApiKeyIpAllow => "Разрешённые адреса (пусто — любые)", "Allowed addresses (empty: any)";
        ApiKeyRate => "Запросов в секунду", "Requests per second";
        ApiKeyBurst => "Запас (всплеск)", "Burst";
        ApiKeyCreate => "Создать ключ", "Create key";
        ApiKeySecretOnce => "Скопируйте ключ сейчас: больше он показан не будет.", "Copy the key now: it will not be shown again.";
        ApiKeyRevoke => "Отозвать", "Revoke";
        ApiKeyRevokeConfirm => "Отозвать ключ «{name}»? Запросы с ним сразу перестанут проходить.", "Revoke the key “{name}”? Requests with it stop working at once.";
        ApiKeyStatusActive => "Действует", "Active";
        ApiKeyStatusRevoked => "Отозван", "Revoked";
        ApiKeyLastUsed => "Последнее использование", "Last used";
        ApiKeyRequests => "Запросов", "Requests";
        ApiKeyExpires => "Истекает", "Expires";
        ApiKeyNever => "никогда", "never";
        ApiKeyNone => "Ключей пока нет.", "No keys yet.";
        WebhooksIntro => "Подписки получают события POST-запросом с JSON ресурса API, подписанным HMAC-SHA256 (заголовок Attest-Signature). Неудачные доставки повторяются с нарастающей паузой около 3 часов; ответ 410 отключает подписку.", "Subscriptions receive events as a POST of the API resource's JSON, signed with HMAC-SHA256 (header Attest-Signature). Failed deliveries are retried with growing pauses for about 3 hours; a 410 answer switches the subscription off.";
        WebhookNew => "Новая подписка", "New subscription";
        WebhookUrl => "Адрес (https)", "Address (https)";
        WebhookEvents => "События", "Events";
        WebhookCreate => "Создать подписку", "Create subscription";
        WebhookSecretOnce => "Секрет подписи показывается один раз: сохраните его в получателе.", "The signing secret is shown once: store it in the receiver.";
        WebhookNone => "Подписок пока нет.", "No subscriptions yet.";
        WebhookOn => "Включена", "On";
        WebhookOff => "Отключена", "Off";
        WebhookEnable => "Включить", "Switch on";
        WebhookDisable => "Отключить", "Switch off";
        WebhookRotate => "Новый секрет", "New secret";
        WebhookRotateHint => "Старый секрет подписывает доставки ещё 24 часа вторым значением v1.", "The old secret keeps signing deliveries for 24 hours as a second v1 value.";
        WebhookDelete => "Удалить", "Delete";
        WebhookDeleteConfirm => "Удалить подписку «{name}» и её доставки?", "Delete the subscription “{name}” and its deliveries?";
        WebhookPing => "Проверить", "Send a test";
        WebhookDeliveries => "Доставки", "Deliveries";
        WebhookRedeliver => "Отправить снова", "Redeliver";
        WebhookPendingCount => "В очереди", "Queued";
        WebhookDeadCount => "Не доставлено", "Failed";
        WebhookLastSuccess => "Последний успех", "Last success";
        WebhookLastError => "Последняя ошибка", "Last error";
        WebhookAttempts => "Попыток", "Tries";
        DeliveryPending => "в очереди", "queued";
        DeliveryDelivered => "доставлено", "delivered";
        DeliveryDead => "не доставлено", "failed";
        ApiKeysWebhooksLink => "Вебхуки и xAPI", "Webhooks and xAPI";
        StatsTitle => "Статистика", "Statistics";
        StatsFirstOnly => "Только первые попытки", "First attempts only";
        StatsFunnel => "Воронка: назначено, прочитали теорию, пытались, сдали", "Funnel: assigned, read the theory, attempted, passed";
        StatsAssigned => "Назначено", "Assigned";
        StatsRead => "Прочитали", "Read";
        StatsAttempted => "Пытались", "Attempted";
        StatsPassed => "Сдали", "Passed";
        StatsEmpty => "Распределение баллов и разбор вопросов появятся после первой завершённой попытки; флаги вопросов — после 10 попыток.", "The score distribution and the question analysis appear after the first finished attempt; question flags after 10 attempts.";
        StatsAttempts => "Завершённых попыток", "Finished attempts";
        StatsMedianTime => "Медиана времени", "Median time";
        StatsAttemptsToPass => "Попыток до сдачи в среднем", "Attempts to pass on average";
        StatsDistribution => "Распределение лучших результатов", "Distribution of best results";
        StatsQuestions => "Вопросы", "Questions";
        XapiTitle => "Выписки xAPI в LRS", "xAPI statements to an LRS";
        XapiIntro => "Чтение теории, начало попытки, сдача, несдача, истечение времени, значки и уровни отправляются в хранилище учебных записей (xAPI 1.0.3) с повторами при сбоях. Пароль хранится и не показывается.", "Theory read, attempt started, passed, failed, timed out, badges and levels are sent to a learning record store (xAPI 1.0.3), retried on failures. The password is stored and never shown.";
        XapiEnabled => "Отправлять выписки", "Send statements";
        XapiEndpoint => "Адрес xAPI (https), например https://lrs.example.com/xapi", "xAPI endpoint (https), e.g. https://lrs.example.com/xapi";
        XapiUsername => "Логин (Basic)", "User name (Basic)";
        XapiPassword => "Пароль (Basic)", "Password (Basic)";
        XapiPasswordKept => "задан; оставьте пустым, чтобы не менять", "set; leave empty to keep it";
        XapiDelivered => "Отправлено", "Sent";
    }
}
