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
    ErrSelfService => "Свои баллы, уровень, бейджи и прогресс по аттестациям менять нельзя.", "You cannot change your own points, level, badges or certification progress.";
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
    ErrBadRequest => "Неверный запрос: не хватает данных или они в неверном формате.", "Bad request: data is missing or malformed.";
    ErrConflict => "Данные изменились или уже существуют. Обновите страницу.", "The data changed or already exists. Reload the page.";
    ErrPendingAccess => "Доступ ещё не открыт администратором.", "Access has not been granted by an administrator yet.";
    ErrPasswordTooShort => "Пароль должен быть не короче 10 символов.", "The password must be at least 10 characters long.";
    ErrPasswordTooLong => "Пароль должен быть не длиннее 128 символов.", "The password must be at most 128 characters long.";
    ErrPasswordTooSimple => "Пароль должен содержать буквы и цифры.", "The password must contain letters and digits.";
    ErrLoginInvalid => "Логин: 3–64 латинские буквы, цифры, точка, _ или -.", "Login: 3–64 latin letters, digits, dot, _ or -.";
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
    ErrDrawCount => "Число случайных вопросов — не меньше 1.", "The number of random questions is at least 1.";
    ErrCloseBeforeOpen => "Дата закрытия должна быть позже даты открытия.", "The close date must be after the open date.";
    ErrCloseInPast => "Дата закрытия уже прошла.", "The close date has already passed.";
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
    ErrTelegramId => "Укажите числовой Telegram ID.", "Give a numeric Telegram ID.";
    ErrTelegramIdTaken => "Пользователь с таким Telegram ID уже есть.", "A user with this Telegram ID exists already.";
    ErrUsersImportHeader => "Нужны столбцы telegram_id и first_name (а также last_name, position, branch).", "Columns telegram_id and first_name are required (and last_name, position, branch).";
    ErrPasswordsDiffer => "Пароли не совпадают.", "The passwords differ.";
    ErrLoginTaken => "Этот логин уже занят.", "This login is taken.";
    ErrBadgeNotManual => "Этот бейдж выдаётся автоматически по правилу.", "This badge is awarded automatically by its rule.";
    ErrBadgeHeld => "У пользователя уже есть этот бейдж.", "The user already holds this badge.";
    ErrChoosePlacement => "Выберите должность и филиал.", "Choose a position and a branch.";
    ErrChooseLevel => "Выберите уровень и укажите причину.", "Choose a level and give a reason.";
    ErrChooseBadge => "Выберите бейдж.", "Choose a badge.";
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
    Format => "Формат", "Format";
    File => "Файл", "File";
    ExportJson => "Экспорт JSON", "Export JSON";
    ExportCsv => "Экспорт CSV", "Export CSV";
    Search => "Поиск", "Search";
    QuestionKind => "Тип вопроса", "Question type";
    AllKinds => "Все типы", "All types";
    Tag => "Тег", "Tag";
    AllTags => "Все теги", "All tags";
    Tags => "Теги", "Tags";
    TagsComma => "Теги (через запятую)", "Tags (comma-separated)";
    ShowArchived => "Показать архив", "Show archived";
    ResetFilters => "Сбросить фильтры", "Reset filters";
    NothingFound => "Ничего не найдено.", "Nothing found.";
    QuestionText => "Текст вопроса", "Question text";
    Updated => "Изменён", "Updated";
    Actions => "Действия", "Actions";
    Duplicate => "Копировать", "Duplicate";
    Archive => "В архив", "Archive";
    Unarchive => "Из архива", "Restore";
    Delete => "Удалить", "Delete";
    Remove => "Убрать", "Remove";
    TotalCount => "Всего: {n}", "Total: {n}";
    Image => "Изображение", "Image";
    UploadImage => "Загрузить изображение", "Upload an image";
    Options => "Варианты ответа", "Options";
    OrderingHint => "Расположите варианты в правильном порядке: пользователь увидит их перемешанными.", "Put the options in the right order: users will see them shuffled.";
    CorrectHint => "Отметьте правильные варианты.", "Mark the correct options.";
    Correct => "Правильный", "Correct";
    OptionText => "Текст варианта", "Option text";
    MoveUp => "Выше", "Move up";
    MoveDown => "Ниже", "Move down";
    AddOption => "Добавить вариант", "Add an option";
    Explanation => "Пояснение (показывается после попытки)", "Explanation (shown after the attempt)";

    NewCertification => "Новая аттестация", "New certification";
    Create => "Создать", "Create";
    Title => "Название", "Title";
    Status => "Статус", "Status";
    AllStatuses => "Все статусы", "All statuses";
    TheoryBlocks => "Блоки теории", "Theory blocks";
    Questions => "Вопросы", "Questions";
    OpensAt => "откроется {at}", "opens {at}";
    ClosesAt => "закроется {at}", "closes {at}";

    BackToCertifications => "← К аттестациям", "← Back to certifications";
    LockedNote => "Аттестация открыта: менять можно только теорию, вопросы, назначение, название, описание и дату закрытия.", "The certification is open: only theory, questions, assignment, title, description and the close date can change.";
    Preview => "Предпросмотр", "Preview";
    Settings => "Настройки", "Settings";
    Theory => "Теория", "Theory";
    Assignment => "Назначение", "Assignment";
    OpenNow => "Открыть сейчас", "Open now";
    Schedule => "Запланировать", "Schedule";
    Unschedule => "Отменить план", "Unschedule";
    CloseCert => "Закрыть", "Close";
    Description => "Описание", "Description";
    PassThreshold => "Порог прохождения, %", "Pass threshold, %";
    MaxAttempts => "Количество попыток", "Number of attempts";
    TimeLimitMinutes => "Время на тест, минут", "Time limit, minutes";
    TimerMode => "Режим таймера", "Timer mode";
    MinReadSecs => "Минимальное время чтения блока, секунд", "Minimum reading time per block, seconds";
    Points => "Баллы за прохождение", "Points for passing";
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
    Materials => "Дополнительные материалы", "Additional materials";
    TheoryVersions => "Версии теории", "Theory versions";
    VersionLine => "Версия {v} от {at}", "Version {v} of {at}";
    RereadRequired => "нужно перечитать", "re-reading required";
    ReorderHelp => "Перетащите блок за ручку ⠿ или выберите ручку и нажимайте стрелки вверх/вниз.", "Drag a block by its ⠿ handle, or focus the handle and press the up/down arrows.";
    BlockMoved => "Блок «{title}» перемещён на позицию {n} из {total}.", "Block \"{title}\" moved to position {n} of {total}.";
    DragHandle => "Переместить блок «{title}», позиция {n} из {total}", "Move block \"{title}\", position {n} of {total}";
    AddBlock => "Добавить блок", "Add a block";
    BlockKind => "Тип блока", "Block type";
    BlockTitle => "Заголовок блока", "Block title";
    BlockBody => "Текст (для изображения, видео и файла — подпись)", "Text (a caption for images, videos and files)";
    BlockUrl => "Адрес (ссылка или загруженный файл)", "Address (a link or an uploaded file)";
    UploadFile => "Загрузить файл", "Upload a file";
    MaterialKind => "Вид материала", "Material kind";
    MaterialLink => "Ссылка", "Link";
    MaterialFile => "Файл", "File";
    MaterialTitle => "Название материала", "Material title";
    AddMaterial => "Добавить материал", "Add a material";

    OpenFile => "Открыть файл", "Open the file";
    HintSingle => "Выберите один вариант.", "Choose one option.";
    HintMultiple => "Выберите все верные варианты.", "Choose every correct option.";
    HintOrdering => "Расставьте варианты в правильном порядке кнопками ↑ и ↓.", "Put the options in the right order with ↑ and ↓.";

    StNew => "Новая: начните с теории", "New: start with the theory";
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

    Results => "Результаты", "Results";
    BackToEditor => "← К редактору", "← Back to the editor";
    PreviewHint => "Так аттестацию увидит сотрудник. Ответы здесь никуда не сохраняются.", "This is how an employee sees the certification. Answers here are not saved.";
    PassRate => "Прошли {r}% из тех, кто сдавал.", "{r}% of those who took it passed.";
    NoResultsYet => "Попыток пока нет: доля сдавших появится после первой завершённой попытки.", "No attempts yet: the pass rate appears after the first finished attempt.";
    NobodyAssigned => "Аттестация пока никому не назначена.", "The certification is not assigned to anyone yet.";
    Person => "Сотрудник", "Person";
    TheoryRead => "Теория прочитана", "Theory read";
    AttemptsUsed => "Попытки", "Attempts";
    PassedAt => "Сдана", "Passed on";
    ResetProgress => "Сбросить прогресс", "Reset progress";
    ResetDone => "Прогресс сброшен", "Progress reset";
    ResetWho => "Сотрудник: {name}. Прежние попытки останутся в истории с пометкой «сброшена».", "Person: {name}. Earlier attempts stay in the history marked as reset.";
    ResetsN => "сбросов: {n}", "resets: {n}";
    Reason => "Причина", "Reason";
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
    Dictionaries => "Филиалы и должности", "Branches and positions";
    SearchUsers => "Имя, @username или Telegram ID", "Name, @username or Telegram ID";
    AllRoles => "Все роли", "All roles";
    SortBy => "Сортировка", "Sort by";
    SortName => "По имени", "By name";
    SortRegistered => "Сначала новые", "Newest first";
    SortPoints => "По баллам", "By points";
    Activate => "Открыть доступ", "Grant access";
    ActivateWho => "Открыть доступ: {name}", "Grant access: {name}";
    BackToUsers => "← К пользователям", "← Back to users";
    Branches => "Филиалы", "Branches";
    Positions => "Должности", "Positions";
    NewBranch => "Новый филиал", "New branch";
    NewPosition => "Новая должность", "New position";
    Add => "Добавить", "Add";

    RegisteredOn => "с {d}", "since {d}";
    ChangePassword => "Сменить пароль", "Change the password";
    SetPassword => "Задать пароль", "Set a password";
    PointsAndLevel => "Баллы и уровень", "Points and level";
    Permissions => "Права доступа к разделам", "Access to sections";
    CertProgress => "Аттестации", "Certifications";
    AttemptsAndBest => "попыток: {n}, лучший результат: {b}", "attempts: {n}, best: {b}";
    PointsHistory => "История баллов", "Points history";
    When => "Когда", "When";
    Who => "Кто", "Who";
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
    ErrCurrentPassword => "Текущий пароль указан неверно.", "The current password is wrong.";
    ErrNoPasswordYet => "У вас ещё нет пароля: его задаёт администратор.", "You have no password yet: an administrator sets it.";
    PasswordChangedToast => "Пароль изменён. Другие сеансы в панели завершены.", "Password changed. Your other admin panel sessions were ended.";
    ConfirmPassword => "Повторите пароль", "Repeat the password";
    PasswordRule => "Не короче 10 символов, с буквами и цифрами. Прежние сеансы панели этого пользователя завершатся.", "At least 10 characters, with letters and digits. This user's earlier admin sessions end.";

    // Bot
    BotWelcome => "Здравствуйте, {name}! Откройте приложение, чтобы проходить аттестации и следить за достижениями.", "Hello, {name}! Open the app to take certifications and follow your achievements.";
    BotWelcomePending => "Здравствуйте, {name}! Заявка на доступ отправлена администратору. Как только доступ откроют, вы сможете проходить аттестации.", "Hello, {name}! Your access request has been sent to an administrator. You can take certifications once access is granted.";
    BotDeactivated => "Ваша учётная запись отключена. Обратитесь к администратору.", "Your account is deactivated. Please contact an administrator.";
    BotOpenApp => "Открыть приложение", "Open the app";
    BotHelp => "Команды:\n/start — открыть приложение\n/help — эта подсказка", "Commands:\n/start — open the app\n/help — this help";
}
