//! The annual disclosure report (政府信息公开工作年度报告, OGI Art.49–50), computed from
//! the records in the format of 国办公开办函〔2021〕30号.

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::report::{self, COLUMNS};
use zhengwu_domain::validation;

use crate::app::ParseOn;
use crate::app::reports::{self as app, AnnualFacts};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, IfMatch, etag};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
    Markdown,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    #[param(example = "01941f29-7c00-7001-8000-000000000006")]
    pub org: Uuid,
    #[param(example = 2025)]
    #[param(minimum = 2008, maximum = 2200)]
    pub year: i32,
    /// `json` (default), `csv` (tables 3 and 4) or `markdown` (the whole report).
    #[param(inline)]
    pub format: Option<Format>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sections {
    /// 一、总体情况
    pub overview: Option<String>,
    /// 五、存在的主要问题及改进情况
    pub problems: Option<String>,
    /// 六、其他需要报告的事项
    pub other_matters: Option<String>,
}

/// A row of documents: 本年制发件数, 本年废止件数, 现行有效件数.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRow {
    /// First published in the report year.
    pub issued_this_year: u64,
    /// Repealed by a version published in the report year.
    pub repealed_this_year: u64,
    /// Valid at the end of the report year, whenever the report is run.
    pub in_force: u64,
}

impl From<report::DocumentCounts> for DocumentRow {
    fn from(c: report::DocumentCounts) -> Self {
        Self {
            issued_this_year: c.issued,
            repealed_this_year: c.repealed,
            in_force: c.in_force,
        }
    }
}

/// 二、主动公开政府信息情况
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table2 {
    /// 规章: documents filed in a catalogue category of that kind (the standard 0101 under
    /// 01) or below it.
    pub regulations: DocumentRow,
    /// 行政规范性文件: documents filed in a category of that kind (the standard 0102) or
    /// below it.
    pub normative_documents: DocumentRow,
    /// Documents of category 01 filed under neither kind: file them in 0101 or 0102 to count
    /// them in a row of the report.
    pub unclassified_documents: DocumentRow,
    /// 行政许可 decisions on cases of the year.
    pub licensing_decisions: i64,
    /// 行政处罚 decisions on cases of the year.
    pub penalty_decisions: i64,
    /// 行政强制 decisions on cases of the year.
    pub coercion_decisions: i64,
    /// Fees charged on cases of the year, in fen and in 万元.
    pub fees_fen: i64,
    pub fees_wan_yuan: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ColumnDto {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowDto {
    pub key: String,
    pub label: String,
    /// One count per column, in the order of `columns`.
    pub counts: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckDto {
    pub column: String,
    pub new_plus_carried_in: u64,
    pub handled_plus_carried_over: u64,
    pub ok: bool,
}

/// 三、收到和处理政府信息公开申请情况
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table3Dto {
    pub columns: Vec<ColumnDto>,
    pub rows: Vec<RowDto>,
    /// New + carried in = handled + carried over, per column; mismatches are listed, not hidden.
    pub checks: Vec<CheckDto>,
    pub balanced: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyRow {
    pub kind: String,
    pub label: &'static str,
    pub upheld: u64,
    pub corrected: u64,
    pub other: u64,
    pub pending: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub year: i32,
    pub sections: Sections,
    pub table2: Table2,
    pub table3: Table3Dto,
    /// 四、政府信息公开行政复议、行政诉讼情况
    pub table4: Vec<RemedyRow>,
}

fn remedy_label(kind: &str) -> &'static str {
    match kind {
        "reconsideration" => "行政复议",
        "litigation_direct" => "未经复议直接起诉",
        _ => "复议后起诉",
    }
}

impl From<AnnualFacts> for AnnualReport {
    fn from(f: AnnualFacts) -> Self {
        let (docs, t3, fees) = (f.documents, f.table3, f.fees_fen);
        let texts = f.texts;
        Self {
            organization_id: f.org.id,
            organization_name: f.org.name,
            year: f.year,
            sections: Sections {
                overview: texts.as_ref().map(|t| t.overview.clone()),
                problems: texts.as_ref().map(|t| t.problems.clone()),
                other_matters: texts.as_ref().map(|t| t.other_matters.clone()),
            },
            table2: Table2 {
                regulations: docs.regulations.into(),
                normative_documents: docs.normative_documents.into(),
                unclassified_documents: docs.unclassified.into(),
                licensing_decisions: f.licensing_decisions,
                penalty_decisions: f.penalty_decisions,
                coercion_decisions: f.coercion_decisions,
                fees_fen: fees,
                fees_wan_yuan: (fees as f64 / 1_000_000.0 * 10_000.0).round() / 10_000.0,
            },
            table3: Table3Dto {
                columns: COLUMNS
                    .iter()
                    .map(|(k, l)| ColumnDto { key: k, label: l })
                    .collect(),
                balanced: t3.checks.iter().all(|c| c.ok),
                rows: t3
                    .rows
                    .into_iter()
                    .map(|r| RowDto {
                        key: r.key,
                        label: r.label,
                        counts: r.counts.to_vec(),
                    })
                    .collect(),
                checks: t3
                    .checks
                    .into_iter()
                    .map(|c| CheckDto {
                        column: c.column,
                        new_plus_carried_in: c.new_plus_carried_in,
                        handled_plus_carried_over: c.handled_plus_carried_over,
                        ok: c.ok,
                    })
                    .collect(),
            },
            table4: f
                .table4
                .into_iter()
                .map(|(k, c)| RemedyRow {
                    label: remedy_label(&k),
                    kind: k,
                    upheld: c[0],
                    corrected: c[1],
                    other: c[2],
                    pending: c[3],
                    total: c[4],
                })
                .collect(),
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv(r: &AnnualReport) -> String {
    // UTF-8 with a byte order mark: Excel on Chinese Windows otherwise reads the file as
    // GBK and shows the Chinese labels garbled.
    let mut out = String::from("\u{feff}table,row");
    for (_, label) in COLUMNS {
        out.push(',');
        out.push_str(label);
    }
    out.push('\n');
    for row in &r.table3.rows {
        out.push_str(&format!("3,{}", csv_field(&row.label)));
        for c in &row.counts {
            out.push_str(&format!(",{c}"));
        }
        out.push('\n');
    }
    out.push_str("\ntable,row,维持,纠正,其他,尚未审结,总计\n");
    for row in &r.table4 {
        out.push_str(&format!(
            "4,{},{},{},{},{},{}\n",
            row.label, row.upheld, row.corrected, row.other, row.pending, row.total
        ));
    }
    out
}

fn markdown(r: &AnnualReport) -> String {
    let none = "（未填写）";
    let t2 = &r.table2;
    let mut md = format!(
        "# {}{}年政府信息公开工作年度报告\n\n## 一、总体情况\n\n{}\n\n",
        r.organization_name,
        r.year,
        r.sections.overview.as_deref().unwrap_or(none)
    );
    md.push_str(
        "## 二、主动公开政府信息情况\n\n| 信息内容 | 本年制发件数 | 本年废止件数 | \
        现行有效件数 |\n|---|---|---|---|\n",
    );
    for (label, row) in [
        ("规章", &t2.regulations),
        ("行政规范性文件", &t2.normative_documents),
    ] {
        md.push_str(&format!(
            "| {label} | {} | {} | {} |\n",
            row.issued_this_year, row.repealed_this_year, row.in_force
        ));
    }
    let u = &t2.unclassified_documents;
    if u.issued_this_year + u.repealed_this_year + u.in_force > 0 {
        md.push_str(&format!(
            "\n**未分类：** \
                目录“法规规章和规范性文件”下未归入规章或行政规范性文件的文件\
                （本年制发 {}，本年废止 {}，现行有效 {}）未计入上表。\n",
            u.issued_this_year, u.repealed_this_year, u.in_force
        ));
    }
    md.push_str(&format!(
        "\n| 信息内容 | 本年处理决定数量 |\n|---|---|\n| 行政许可 | {} |\n\n\
         | 信息内容 | 本年处理决定数量 |\n|---|---|\n| 行政处罚 | {} |\n| 行政强制 | {} |\n\n",
        t2.licensing_decisions, t2.penalty_decisions, t2.coercion_decisions
    ));
    md.push_str(&format!(
        "| 信息内容 | 本年收费金额（单位：万元） |\n|---|---|\n| 行政事业性收费 | {:.4} |\n\n",
        t2.fees_wan_yuan
    ));
    md.push_str(
        "## 三、收到和处理政府信息公开申请情况\n\n| \
        本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 |",
    );
    for (_, l) in COLUMNS {
        md.push_str(&format!(" {l} |"));
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(COLUMNS.len()));
    md.push('\n');
    for row in &r.table3.rows {
        md.push_str(&format!("| {} |", row.label));
        for c in &row.counts {
            md.push_str(&format!(" {c} |"));
        }
        md.push('\n');
    }
    if !r.table3.balanced {
        md.push_str("\n**勾稽关系不平衡：**");
        for c in r.table3.checks.iter().filter(|c| !c.ok) {
            md.push_str(&format!(
                " {}（{} ≠ {}）",
                c.column, c.new_plus_carried_in, c.handled_plus_carried_over
            ));
        }
        md.push('\n');
    }
    md.push_str(
        "\n## 四、政府信息公开行政复议、行政诉讼情况\n\n| 类别 | 结果维持 | 结果纠正 | \
        其他结果 | 尚未审结 | 总计 \
        |\n|---|---|---|---|---|---|\n",
    );
    for row in &r.table4 {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            row.label, row.upheld, row.corrected, row.other, row.pending, row.total
        ));
    }
    md.push_str(&format!(
        "\n## 五、存在的主要问题及改进情况\n\n{}\n\n## 六、其他需要报告的事项\n\n{}\n",
        r.sections.problems.as_deref().unwrap_or(none),
        r.sections.other_matters.as_deref().unwrap_or(none)
    ));
    md
}

/// The annual report of an organisation's subtree for a year, computed from the records:
/// table 2 (proactive disclosure), table 3 (applications, every reply type, carried in and
/// carried over, with the balance checks) and table 4 (reconsideration and litigation);
/// sections 1, 5 and 6 are the texts written for that year.
#[utoipa::path(operation_id = "getAnnualDisclosureReport",
    tag = "annual report", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "The report: JSON by default; with `format`, tables 3 \
        and \
        4 as CSV or the whole report as Markdown", content(
        (AnnualReport = "application/json"), (String = "text/csv"), (String = "text/markdown")))))]
#[get("/reports/disclosure-annual")]
pub async fn annual(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<ReportQuery>,
) -> ApiResult<HttpResponse> {
    let facts = app::annual(&state, &auth.actor(), OrganizationId(q.org), q.year).await?;
    let r = AnnualReport::from(facts);
    Ok(match q.format.unwrap_or(Format::Json) {
        Format::Json => HttpResponse::Ok().json(r),
        Format::Csv => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{}.csv\"", r.year),
            ))
            .body(csv(&r)),
        Format::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(markdown(&r)),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "overview": "2025年，历下区坚持以公开为常态、不公开为例外……",
        "problems": "政策解读形式较为单一……",
    "other_matters": "本年度未收取信息处理费。"
}))]
pub struct ReportTexts {
    pub overview: String,
    pub problems: String,
    pub other_matters: String,
}

impl ParseOn<app::ReportTexts> for ReportTexts {
    fn parse_on(self, _today: NaiveDate) -> ApiResult<app::ReportTexts> {
        let mut e = validation::Errors::new();
        let overview = e.check("overview", validation::text(&self.overview, 20_000));
        let problems = e.check("problems", validation::text(&self.problems, 20_000));
        let other_matters = e.check(
            "other_matters",
            validation::text(&self.other_matters, 20_000),
        );
        e.finish()?;
        match (overview, problems, other_matters) {
            (Some(overview), Some(problems), Some(other_matters)) => Ok(app::ReportTexts {
                overview,
                problems,
                other_matters,
            }),
            _ => Err(ApiError::internal()),
        }
    }
}

/// Write sections 1, 5 and 6 of an organisation's annual report (send `If-Match` to replace).
#[utoipa::path(operation_id = "putAnnualDisclosureReportText",
    tag = "annual report", security(("bearer" = [])),
    params(("org" = Uuid, Path), ("year" = i32, Path, minimum = 2008, maximum = 2200),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ReportTexts, responses((status = 204, description = "Saved")))]
#[put("/reports/disclosure-annual/{org}/{year}/text")]
pub async fn put_text(
    state: web::Data<AppState>,
    auth: Principal,
    path: web::Path<(Uuid, i32)>,
    if_match: IfMatch,
    body: ApiJson<ReportTexts>,
) -> ApiResult<HttpResponse> {
    let (org, year) = *path;
    let key = (OrganizationId(org), year);
    let input = body.into_inner_value();
    let v = app::put_texts(&state, &auth.actor(), key, &if_match, input).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::ETAG, etag(v)))
        .finish())
}
