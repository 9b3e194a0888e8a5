//! SQLite's built-in `LOWER()` folds ASCII only, so a search for "анна" would not find "Анна".
//! Every SQLite connection gets a `LOWER()` that folds all of Unicode, the way PostgreSQL's
//! does, so the same search SQL behaves the same on both backends.

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;
use std::os::raw::{c_char, c_int};

/// Replaces `LOWER(x)` on this connection.
pub async fn install(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is a live connection handle, locked for the duration of the call; the
    // function name is a NUL-terminated static string and `lower` matches the signature
    // SQLite expects. No user data pointer or destructor is registered.
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"lower".as_ptr(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC,
            std::ptr::null_mut(),
            Some(lower),
            None,
            None,
            None,
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(format!(
            "registering LOWER() failed: {rc}"
        )))
    }
}

unsafe extern "C" fn lower(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with `argc` (= 1) valid values in `argv`; the text pointer it
    // returns is valid for `sqlite3_value_bytes` bytes until the value changes, and the
    // result is copied by SQLite (SQLITE_TRANSIENT) before `folded` is dropped.
    unsafe {
        if argc != 1 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(value);
        let len = ffi::sqlite3_value_bytes(value);
        if text.is_null() || len <= 0 {
            ffi::sqlite3_result_text(ctx, c"".as_ptr(), 0, ffi::SQLITE_TRANSIENT());
            return;
        }
        let bytes = std::slice::from_raw_parts(text, len as usize);
        let folded = String::from_utf8_lossy(bytes).to_lowercase();
        match c_int::try_from(folded.len()) {
            Ok(n) => ffi::sqlite3_result_text(
                ctx,
                folded.as_ptr() as *const c_char,
                n,
                ffi::SQLITE_TRANSIENT(),
            ),
            Err(_) => ffi::sqlite3_result_error_toobig(ctx),
        }
    }
}
