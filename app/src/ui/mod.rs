//! One set of components used by every page: form fields, buttons, tables, dialogs, toasts.

mod button;
mod cells;
pub mod charts;
mod checklist;
mod confirm;
pub mod contrast;
mod dialog;
mod field;
mod inputs;
mod pagination;
mod params;
mod richtext;
mod save_bar;
mod secret;
mod select;
mod status;
mod submit;
mod toast;
mod upload;

pub use button::{Button, ButtonKind};
pub use cells::cell_class;
pub use checklist::CheckList;
pub use confirm::{ConfirmButton, ConfirmIds};
pub use dialog::Dialog;
pub use field::{FieldErrorText, TextField};
pub use inputs::{BoundText, Checkbox, NumberField, TextArea};
pub use pagination::Pagination;
pub use params::{param_i64, query_encode};
pub use richtext::RichText;
pub use save_bar::SaveBar;
pub use secret::SecretOnce;
pub use select::{Select, SelectOption};
pub use status::{ErrorNotice, Spinner};
pub use submit::Submit;
pub use toast::{ToastKind, Toaster, Toasts, provide_toasts, use_toasts};
#[cfg(feature = "hydrate")]
pub use upload::read_text;
pub use upload::{FileUpload, Uploaded, download};
