//! The anomaly findings: facts of the cases of a period, each decided with the rules of
//! the case's organisation.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::services::ProcedureStep;
use zhengwu_domain::supervision::{self as rules, AlertObject, RuleId};
use zhengwu_persistence::scope::Scope;
use zhengwu_persistence::supervision as repo;
use zhengwu_persistence::{Conn, DbError, calendar};

/// A finding of an anomaly rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Anomaly {
    #[schema(example = "JC-B01")]
    pub rule_id: RuleId,
    pub rule_name: String,
    /// Always `case` for the rules of this version.
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    /// The case number.
    pub label: String,
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    /// Who did it: the charging, deciding, notifying or delivering staff member, or the case
    /// handler.
    pub responsible_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
    /// What was found, for people.
    #[schema(example = "收费项目“加急费”不在目录内：5000 分")]
    pub finding: String,
    /// The facts behind it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl Anomaly {
    pub fn cursor(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.occurred_at.to_rfc3339(),
            self.rule_id.as_str(),
            self.object_id,
            self.finding
        )
    }
}

fn date_of(v: &serde_json::Value, k: &str) -> Option<NaiveDate> {
    v.get(k)?.as_str()?.parse().ok()
}

fn int_of(v: &serde_json::Value, k: &str) -> u32 {
    v.get(k)
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

/// The anomaly findings of `[from, to)` inside the scope, each rule decided with the
/// configuration of the case's organisation. Sorted by time.
pub async fn compute_anomalies(
    conn: &mut Conn,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<Anomaly>, DbError> {
    let book = repo::rule_book(conn).await?;
    let cal = calendar::calendar_for(
        conn,
        from.date_naive().year() - 1,
        to.date_naive().year() + 1,
    )
    .await?;
    let mut out = Vec::new();
    for f in repo::case_facts(conn, scope, from, to, tz).await? {
        let (r, _) = book.at(&f.org_path);
        let d = &f.data;
        let found: Option<(RuleId, String, serde_json::Value)> = match f.rule.as_str() {
            "fee" => {
                let item = d.get("item").and_then(|v| v.as_str()).unwrap_or_default();
                let fen = d.get("amount_fen").and_then(|v| v.as_i64()).unwrap_or(0);
                match d.get("anomaly").and_then(|v| v.as_str()) {
                    Some("fee_not_listed") => Some((
                        RuleId::FeeNotListed,
                        format!("收费项目“{item}”不在目录内：{fen} 分"),
                        d.clone(),
                    )),
                    Some("fee_above_standard") => Some((
                        RuleId::FeeAboveStandard,
                        format!("收费项目“{item}”超过标准：{fen} 分"),
                        d.clone(),
                    )),
                    _ => None,
                }
            }
            "decided" => {
                let accepted: Option<DateTime<Utc>> = d
                    .get("accepted_at")
                    .and_then(|v| v.as_str())
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc));
                let promised = d
                    .get("promised")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                rules::decided_outside_system(accepted, f.at, promised, r.min_processing_minutes)
                    .then(|| {
                        let finding = match accepted {
                            None => "未受理即办结".to_owned(),
                            Some(a) if f.at < a => "办结时间早于受理时间".to_owned(),
                            Some(a) => format!(
                                "受理后 {} 分钟即办结，低于 {} 分钟，疑似先办后补录",
                                (f.at - a).num_minutes(),
                                r.min_processing_minutes
                            ),
                        };
                        (RuleId::DecidedBeforeAccepted, finding, d.clone())
                    })
            }
            "reason" => {
                let reason = d.get("reason").and_then(|v| v.as_str());
                rules::reason_missing(reason, r.min_reason_chars).then(|| {
                    let what = if d.get("kind").and_then(|v| v.as_str()) == Some("refusal") {
                        "不予受理"
                    } else {
                        "不予批准"
                    };
                    (
                        RuleId::RefusalWithoutReason,
                        format!("{what}理由不足 {} 个字", r.min_reason_chars),
                        d.clone(),
                    )
                })
            }
            "step" => step_over_time(&cal, d),
            "extension" => {
                let (s, p, e) = (
                    int_of(d, "statutory"),
                    int_of(d, "promised"),
                    int_of(d, "extension"),
                );
                rules::extension_beyond_limit(s, p, e).then(|| {
                    (
                        RuleId::ExtensionBeyondLimit,
                        format!(
                            "承诺 {p} 个工作日加延期 {e} 个工作日，超过法定 {s} \
                                个工作日加法定延长 {} 个工作日",
                            zhengwu_domain::services::legal_extension(s)
                        ),
                        d.clone(),
                    )
                })
            }
            "notice" => match (date_of(d, "received_on"), date_of(d, "on")) {
                (Some(rec), Some(on)) => {
                    let (days, late) = rules::notice_delay(&cal, rec, on, r.notice_window_days);
                    late.then(|| {
                        (
                            RuleId::LateCorrectionNotice,
                            format!(
                                "收件后第 {days} 个工作日才一次性告知补正（应在 {} \
                                    个工作日内），视为收件之日起受理",
                                r.notice_window_days
                            ),
                            serde_json::json!({
                                "received_on": rec, "notice_on": on, "working_days": days
                            }),
                        )
                    })
                }
                _ => None,
            },
            "delivery" => {
                match (
                    date_of(d, "decided_on"),
                    date_of(d, "delivery_due"),
                    date_of(d, "delivered_on"),
                ) {
                    (Some(decided), due, on @ Some(delivered))
                        if zhengwu_domain::services::delivered_late(due, on) =>
                    {
                        let days = cal.working_days_between(decided, delivered);
                        Some((
                            RuleId::LateDelivery,
                            format!(
                                "决定后第 {days} 个工作日才送达（应在 {} 个工作日内）",
                                zhengwu_domain::services::DELIVERY_WORKING_DAYS
                            ),
                            serde_json::json!({"decided_on": decided, "delivery_due": due,
                                "delivered_on": delivered, "working_days": days}),
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((rule, finding, data)) = found {
            if !r.enabled(rule) {
                continue;
            }
            out.push(Anomaly {
                rule_id: rule,
                rule_name: rule.label_zh().to_owned(),
                object_kind: AlertObject::Case,
                object_id: f.case_id,
                label: f.number,
                organization_id: f.organization_id,
                organization_name: None,
                responsible_id: f.responsible_id,
                responsible_name: None,
                occurred_at: f.at,
                finding,
                data,
            });
        }
    }
    out.sort_by_cached_key(Anomaly::cursor);
    Ok(out)
}

fn step_over_time(
    cal: &Calendar,
    d: &serde_json::Value,
) -> Option<(RuleId, String, serde_json::Value)> {
    let name = d.get("name")?.as_str()?;
    let steps: Vec<ProcedureStep> = serde_json::from_value(d.get("procedure")?.clone()).ok()?;
    let limit = steps.iter().find(|s| s.name == name)?.time_limit_days?;
    let (prev, on) = (date_of(d, "previous_on")?, date_of(d, "on")?);
    let used = cal.working_days_between(prev, on);
    (used > limit).then(|| {
        (
            RuleId::StepOverTime,
            format!("环节“{name}”用时 {used} 个工作日，超过时限 {limit} 个工作日"),
            serde_json::json!({"step": name, "seq": d.get("seq"), "from": prev, "on": on,
                "working_days": used, "limit_days": limit}),
        )
    })
}
