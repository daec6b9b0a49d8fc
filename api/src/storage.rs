//! Where attachment files live. Files are stored by the SHA-256 of their content, so the
//! hash recorded with an attachment also names its file; a local directory is the default.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A content-addressed store of files.
#[derive(Debug, Clone)]
pub struct Storage {
    dir: PathBuf,
}

impl Storage {
    pub fn local(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let valid = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| self.dir.join(&key[..2]).join(key))
    }

    /// Stores the bytes and returns their key (the hex SHA-256).
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let key = hex::encode(Sha256::digest(bytes));
        let path = self
            .path_of(&key)
            .ok_or_else(|| std::io::Error::other("invalid key"))?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(key);
        }
        let parent = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(parent).await?;
        let tmp = parent.join(format!(".{key}.{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self
            .path_of(key)
            .ok_or_else(|| std::io::Error::other("invalid key"))?;
        tokio::fs::read(path).await
    }
}

/// The type of a file judged from its first bytes; the name's extension must agree.
/// `None`: a type this system does not accept.
pub fn sniff(bytes: &[u8], filename: &str) -> Option<&'static str> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "ofd" => "application/ofd",
            "zip" => "application/zip",
            _ => return None,
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        match ext.as_str() {
            "doc" => "application/msword",
            "xls" => "application/vnd.ms-excel",
            "ppt" => "application/vnd.ms-powerpoint",
            _ => return None,
        }
    } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        match ext.as_str() {
            "txt" => "text/plain; charset=utf-8",
            "csv" => "text/csv; charset=utf-8",
            "md" => "text/markdown; charset=utf-8",
            _ => return None,
        }
    } else {
        return None;
    };
    let expected: &[&str] = match kind {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        _ => return Some(kind),
    };
    expected.contains(&ext.as_str()).then_some(kind)
}

/// Characters a file name must not carry into a download: line breaks and other controls,
/// and the invisible formatting marks that can disguise an extension (`a\u{202E}fdp.exe`).
fn unsafe_in_name(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// The name under which a stored file is offered: its last path component without
/// control or formatting characters, without leading or trailing dots and spaces, at most
/// 150 characters (extension kept), `attachment` when nothing is left.
pub fn download_name(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !unsafe_in_name(*c)).collect();
    let clean = clean.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let clean: String = if clean.chars().count() > 150 {
        let (stem, ext) = match clean.rsplit_once('.') {
            Some((s, e)) if e.chars().count() <= 10 => (s, format!(".{e}")),
            _ => (clean, String::new()),
        };
        stem.chars()
            .take(150 - ext.chars().count())
            .collect::<String>()
            + &ext
    } else {
        clean.to_owned()
    };
    if clean.is_empty() {
        "attachment".to_owned()
    } else {
        clean
    }
}

/// A `Content-Disposition: attachment` value for `filename` (RFC 6266): the cleaned name
/// (see [`download_name`]) percent-encoded as `filename*`, and an ASCII `filename` for old
/// clients in which every other character, quote and backslash is `_`.
pub fn content_disposition(filename: &str) -> String {
    let name = download_name(filename);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Whether the content is text to scan for personal data.
pub fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
}

#[cfg(test)]
mod tests {
    use super::{content_disposition, download_name, sniff};

    #[test]
    fn download_names_are_safe() {
        assert_eq!(download_name("通知.pdf"), "通知.pdf");
        assert_eq!(download_name("../../etc/passwd"), "passwd");
        assert_eq!(download_name("C:\\temp\\报告.docx"), "报告.docx");
        assert_eq!(
            download_name("a\r\nSet-Cookie: x.txt"),
            "aSet-Cookie: x.txt"
        );
        assert_eq!(download_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(download_name(" .hidden. "), "hidden");
        assert_eq!(download_name("..."), "attachment");
        let long = format!("{}.pdf", "长".repeat(300));
        let cut = download_name(&long);
        assert_eq!(cut.chars().count(), 150);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_the_encoded_name() {
        assert_eq!(
            content_disposition("通知 \"1\".pdf"),
            "attachment; filename=\"__ _1_.pdf\"; \
             filename*=UTF-8''%E9%80%9A%E7%9F%A5%20%221%22.pdf"
        );
        let v = content_disposition("x\u{0}\r\n.txt");
        assert!(!v.chars().any(char::is_control), "{v}");
    }

    #[test]
    fn types_come_from_content_and_must_match_the_name() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "通知.pdf"), Some("application/pdf"));
        assert_eq!(sniff(b"%PDF-1.7 ...", "notice.txt"), None);
        assert_eq!(sniff(b"plain words", "note.pdf"), None);
        assert_eq!(
            sniff("正文".as_bytes(), "正文.txt"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(sniff(b"MZ\x90\x00", "setup.exe"), None);
        assert_eq!(
            sniff(b"PK\x03\x04....", "表格.xlsx").map(|s| s.contains("sheet")),
            Some(true)
        );
    }
}
