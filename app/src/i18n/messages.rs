//! Every user-facing text, Russian first, then English.

use super::Lang;
use serde::{Deserialize, Serialize};

macro_rules! messages {
    ($($key:ident => $ru:expr, $en:expr;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::Ru) => $ru, (Msg::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
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
    NotSet => "не указано", "not set";
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

    // Sign-in
    LoginTitle => "Вход в панель управления", "Sign in to the admin panel";
    LoginField => "Логин", "Login";
    PasswordField => "Пароль", "Password";
    SignIn => "Войти", "Sign in";
    SignOut => "Выйти", "Sign out";
    Profile => "Профиль", "Profile";
    DevSignInTitle => "Вход для разработки", "Development sign-in";
    DevSignInHint => "Только в режиме разработки: войти как демо-пользователь без Telegram.", "Development mode only: sign in as a demo user without Telegram.";
    DevSignInAs => "Войти как {name}", "Sign in as {name}";

    // Admin shell and profile
    AdminHome => "Главная", "Home";
    AdminWelcome => "Добро пожаловать, {name}", "Welcome, {name}";
    AdminModulesIntro => "Доступные вам разделы:", "Sections available to you:";
    AdminNoModules => "Вам пока не открыт ни один раздел. Обратитесь к администратору.", "No section is open to you yet. Please contact an administrator.";
    AccountMenu => "Меню учётной записи", "Account menu";
    ProfileTitle => "Профиль", "Profile";
    FirstName => "Имя", "First name";
    LastName => "Фамилия", "Last name";
    RoleField => "Роль", "Role";
    PositionField => "Должность", "Position";
    BranchField => "Филиал", "Branch";
    RegisteredAt => "Дата регистрации", "Registered";
    TelegramIdField => "Telegram ID", "Telegram ID";
    UsernameField => "Имя пользователя", "Username";
    PhotoAlt => "Фото пользователя", "User photo";
    ModuleComingSoon => "Раздел в разработке.", "This section is being built.";

    // Errors
    ErrUnauthorized => "Войдите, чтобы продолжить.", "Please sign in to continue.";
    ErrSessionExpired => "Сеанс завершён. Войдите снова.", "Your session has ended. Please sign in again.";
    ErrForbidden => "Недостаточно прав для этого действия.", "You do not have permission for this.";
    ErrNoModule => "Этот раздел вам не открыт.", "This section is not open to you.";
    ErrAdminOnly => "Это может сделать только администратор.", "Only an administrator can do this.";
    ErrSelfEscalation => "Нельзя менять собственную роль или права.", "Nobody can change their own role or permissions.";
    ErrNotFound => "Не найдено.", "Not found.";
    ErrInternal => "Что-то пошло не так. Попробуйте ещё раз.", "Something went wrong. Please try again.";
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
    ErrConflict => "Данные изменились или уже существуют. Обновите страницу.", "The data changed or already exists. Reload the page.";
    ErrPendingAccess => "Доступ ещё не открыт администратором.", "Access has not been granted by an administrator yet.";
    ErrPasswordTooShort => "Пароль должен быть не короче 10 символов.", "The password must be at least 10 characters long.";
    ErrPasswordTooLong => "Пароль должен быть не длиннее 128 символов.", "The password must be at most 128 characters long.";
    ErrPasswordTooSimple => "Пароль должен содержать буквы и цифры.", "The password must contain letters and digits.";
    ErrLoginInvalid => "Логин: 3–64 латинские буквы, цифры, точка, _ или -.", "Login: 3–64 latin letters, digits, dot, _ or -.";
    ErrDictName => "Название: от 1 до 100 символов.", "Name: 1 to 100 characters.";
    ErrValidation => "Проверьте выделенные поля.", "Check the highlighted fields.";

    // Bot
    BotWelcome => "Здравствуйте, {name}! Откройте приложение, чтобы проходить аттестации и следить за достижениями.", "Hello, {name}! Open the app to take certifications and follow your achievements.";
    BotWelcomePending => "Здравствуйте, {name}! Заявка на доступ отправлена администратору. Как только доступ откроют, вы сможете проходить аттестации.", "Hello, {name}! Your access request has been sent to an administrator. You can take certifications once access is granted.";
    BotDeactivated => "Ваша учётная запись отключена. Обратитесь к администратору.", "Your account is deactivated. Please contact an administrator.";
    BotOpenApp => "Открыть приложение", "Open the app";
    BotHelp => "Команды:\n/start — открыть приложение\n/help — эта подсказка", "Commands:\n/start — open the app\n/help — this help";
}
