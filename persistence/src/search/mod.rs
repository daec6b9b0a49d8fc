//! Chinese full-text search: text is segmented into words with jieba before PostgreSQL
//! indexes it, so `公开` finds `政务公开工作`.
//!
//! Documents are indexed in search mode (every dictionary word inside a longer word is
//! emitted as well); queries are segmented precisely and every word must match.

pub mod engine;
pub mod source;

use std::sync::OnceLock;

use jieba_rs::Jieba;

pub(crate) fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

pub(crate) fn keep(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// The words of a document, space-separated and lower-cased, for `to_tsvector('simple', …)`.
pub fn segment_document(text: &str) -> String {
    jieba()
        .cut_for_search(text, true)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| keep(w))
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a query.
pub fn query_words(q: &str) -> Vec<String> {
    let mut words: Vec<String> = jieba()
        .cut(q, true)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| keep(w))
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    words.dedup();
    words
}

/// A `tsquery` requiring every word, each quoted as a lexeme (no operator in the user's
/// text can reach the query parser).
pub fn tsquery(q: &str) -> Option<String> {
    let words = query_words(q);
    if words.is_empty() {
        return None;
    }
    Some(
        words
            .iter()
            .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(" & "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_contain_the_words_inside_longer_words() {
        let doc = segment_document("关于进一步做好政务公开工作的通知");
        let words: Vec<&str> = doc.split(' ').collect();
        assert!(words.contains(&"公开"), "{doc}");
        assert!(words.contains(&"政务"), "{doc}");
        assert!(words.contains(&"通知"), "{doc}");
    }

    #[test]
    fn queries_are_quoted() {
        assert_eq!(tsquery("公开").as_deref(), Some("'公开'"));
        assert_eq!(tsquery("  ！！ "), None);
        let q = tsquery("a' | b").unwrap_or_default();
        assert!(
            q.contains("'a'") && q.contains("'b'") && !q.contains('|'),
            "{q}"
        );
    }
}
