//! One set of components used by every page: form fields, buttons, tables, dialogs, toasts.

mod button;
mod dialog;
mod field;
mod select;
mod status;
mod toast;

pub use button::{Button, ButtonKind};
pub use dialog::Dialog;
pub use field::{FieldErrorText, TextField};
pub use select::{Select, SelectOption};
pub use status::{ErrorNotice, Spinner};
pub use toast::{ToastKind, Toaster, Toasts, provide_toasts, use_toasts};
