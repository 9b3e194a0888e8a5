//! What files may be uploaded: recognised by their first bytes (not only their name), with a
//! size limit per kind.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadKind {
    Image,
    Video,
    File,
}

impl UploadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Image => "image",
            UploadKind::Video => "video",
            UploadKind::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<UploadKind> {
        match s {
            "image" => Some(UploadKind::Image),
            "video" => Some(UploadKind::Video),
            "file" => Some(UploadKind::File),
            _ => None,
        }
    }

    /// The largest accepted upload of this kind, in bytes.
    pub fn max_bytes(self) -> u64 {
        match self {
            UploadKind::Image => 10 * 1024 * 1024,
            UploadKind::Video => 200 * 1024 * 1024,
            UploadKind::File => 50 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("file type not allowed")]
    WrongType,
    #[error("file too large")]
    TooLarge,
    #[error("file is empty")]
    Empty,
}

impl UploadError {
    pub fn msg(self) -> Msg {
        match self {
            UploadError::WrongType => Msg::ErrUploadType,
            UploadError::TooLarge => Msg::ErrUploadSize,
            UploadError::Empty => Msg::ErrUploadEmpty,
        }
    }
}

/// The content type of a file of `kind` named `name` starting with `head`, if it is allowed.
pub fn classify(kind: UploadKind, name: &str, head: &[u8]) -> Result<&'static str, UploadError> {
    if head.is_empty() {
        return Err(UploadError::Empty);
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let starts = |sig: &[u8]| head.starts_with(sig);
    let sniffed: Option<(&str, &[&str])> = if starts(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", &["png"]))
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg"]))
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(("image/gif", &["gif"]))
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(("image/webp", &["webp"]))
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        Some(("video/mp4", &["mp4", "m4v", "mov"]))
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(("video/webm", &["webm", "mkv"]))
    } else if starts(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if starts(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" => Some((
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &["docx"],
            )),
            "xlsx" => Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &["xlsx"],
            )),
            "pptx" => Some((
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                &["pptx"],
            )),
            _ => Some(("application/zip", &["zip"])),
        }
    } else if is_utf8_prefix(&head[..head.len().min(4096)])
        && !head.contains(&0)
        && matches!(ext.as_str(), "txt" | "csv" | "md")
    {
        Some(("text/plain; charset=utf-8", &["txt", "csv", "md"]))
    } else {
        None
    };
    let Some((content_type, exts)) = sniffed else {
        return Err(UploadError::WrongType);
    };
    if !exts.contains(&ext.as_str()) {
        return Err(UploadError::WrongType);
    }
    let family_ok = match kind {
        UploadKind::Image => content_type.starts_with("image/"),
        UploadKind::Video => content_type.starts_with("video/"),
        UploadKind::File => true,
    };
    if family_ok {
        Ok(content_type)
    } else {
        Err(UploadError::WrongType)
    }
}

/// Whether `bytes`, the first bytes of a file, are UTF-8 text. The cut may fall inside a
/// character (Cyrillic letters are two bytes): an incomplete sequence at the very end is fine.
fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// A file name safe to keep and to put in a URL path: letters, digits, `.-_`, at most 100.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("file");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    let mut out: String = trimmed
        .chars()
        .rev()
        .take(100)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if out.is_empty() {
        out = "file".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let text = "привет, мир\n".repeat(400);
        let bytes = text.as_bytes();
        for cut in [4095, 4096, 4097] {
            assert!(is_utf8_prefix(&bytes[..cut]), "cut at {cut}");
        }
        let mut broken = bytes[..100].to_vec();
        broken[50] = 0xFF;
        assert!(!is_utf8_prefix(&broken));
        assert_eq!(
            classify(UploadKind::File, "заметки.txt", &bytes[..4096]),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn files_are_recognised_by_content_and_name() {
        assert_eq!(
            classify(UploadKind::Image, "a.PNG", b"\x89PNG\r\n\x1a\n...."),
            Ok("image/png")
        );
        assert_eq!(
            classify(UploadKind::Image, "a.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok("image/jpeg")
        );
        assert_eq!(
            classify(UploadKind::Video, "v.mp4", b"\0\0\0\x18ftypmp42...."),
            Ok("video/mp4")
        );
        assert_eq!(
            classify(UploadKind::File, "doc.pdf", b"%PDF-1.7"),
            Ok("application/pdf")
        );
        assert!(classify(UploadKind::File, "a.docx", b"PK\x03\x04rest").is_ok());
        assert_eq!(
            classify(UploadKind::File, "notes.txt", "привет".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn disguised_or_unknown_files_are_refused() {
        // An HTML page renamed to .png.
        assert_eq!(
            classify(UploadKind::Image, "x.png", b"<html><script>"),
            Err(UploadError::WrongType)
        );
        // A PDF where an image is expected.
        assert_eq!(
            classify(UploadKind::Image, "x.pdf", b"%PDF-1.7"),
            Err(UploadError::WrongType)
        );
        // A PNG named .exe.
        assert_eq!(
            classify(UploadKind::File, "x.exe", b"\x89PNG\r\n\x1a\n"),
            Err(UploadError::WrongType)
        );
        assert_eq!(
            classify(UploadKind::File, "page.html", b"<html>"),
            Err(UploadError::WrongType)
        );
        assert_eq!(
            classify(UploadKind::File, "x.txt", b""),
            Err(UploadError::Empty)
        );
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(
            safe_name("Отчёт 2024 (финал).pdf"),
            "Отчёт_2024__финал_.pdf"
        );
        assert_eq!(safe_name(".htaccess"), "htaccess");
        assert_eq!(safe_name(""), "file");
    }
}
