//! The process's log: env_logger's human-readable lines by default, or one JSON object per
//! line for log collectors (`ZHENGWU_LOG_FORMAT=json`), carrying the id of the request a
//! line was written for.

use std::io::Write;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `ZHENGWU_LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env() -> Result<LogFormat, String> {
        match std::env::var("ZHENGWU_LOG_FORMAT").ok().as_deref() {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!(
                "ZHENGWU_LOG_FORMAT: expected text or json, got {other:?}"
            )),
        }
    }
}

/// One log record as a JSON line: `ts` (RFC 3339, UTC), `level`, `target`, `msg` and, when
/// written while serving a request, `request_id`.
pub fn json_line(
    ts: chrono::DateTime<chrono::Utc>,
    level: log::Level,
    target: &str,
    msg: &str,
    request_id: Option<&str>,
) -> String {
    let mut v = serde_json::json!({
        "ts": ts.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "level": level.as_str(),
        "target": target,
        "msg": msg,
    });
    if let (Some(id), Some(obj)) = (request_id, v.as_object_mut()) {
        obj.insert("request_id".to_owned(), id.into());
    }
    v.to_string()
}

/// Installs the logger (`RUST_LOG` filters, default `info`, with the search index's library
/// at `warn`: it reports every segment it writes).
pub fn init(format: LogFormat) {
    let mut builder = env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,tantivy=warn"),
    );
    if format == LogFormat::Json {
        builder.format(|buf, record| {
            let line = json_line(
                chrono::Utc::now(),
                record.level(),
                record.target(),
                &record.args().to_string(),
                crate::error::current_request_id().as_deref(),
            );
            writeln!(buf, "{line}")
        });
    }
    builder.init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_carries_the_request_id_and_escapes_the_message() {
        let ts = chrono::DateTime::parse_from_rfc3339("2026-12-06T08:00:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_else(|e| panic!("{e}"));
        let line = json_line(
            ts,
            log::Level::Warn,
            "zhengwu_api::middleware",
            "GET /api/v1/cases \"引号\"\nnext",
            Some("01a24b5e-166f-759b-a54d-68b75404dc05"),
        );
        assert!(!line.contains('\n'));
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["ts"], "2026-12-06T08:00:00.000000Z");
        assert_eq!(v["level"], "WARN");
        assert_eq!(v["target"], "zhengwu_api::middleware");
        assert_eq!(v["msg"], "GET /api/v1/cases \"引号\"\nnext");
        assert_eq!(v["request_id"], "01a24b5e-166f-759b-a54d-68b75404dc05");
        let outside = json_line(ts, log::Level::Info, "zhengwu", "listening", None);
        let v: serde_json::Value = serde_json::from_str(&outside).unwrap_or_default();
        assert!(v.get("request_id").is_none(), "{outside}");
    }
}
