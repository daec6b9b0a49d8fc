//! The monthly work bulletin (工作动态简报) of a hall: cases, attendance and assessment per
//! window, hall totals, and the month's red-flag window and service star candidates.

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::services::CaseMeasures;

use crate::app::assessments::standings as app;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::routes::assessments::{AttendanceCountsDto, Candidate, candidates};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulletinFormat {
    Json,
    Markdown,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulletinQuery {
    #[param(example = "01941f29-7c00-7001-8000-000000000005")]
    pub hall: Uuid,
    /// `json` (default) or `markdown` (the bulletin as a readable Chinese document).
    #[param(inline)]
    pub format: Option<BulletinFormat>,
}

/// The cases of a window in the month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinCases {
    /// Received in the month.
    pub received: u64,
    /// Of those, accepted (受理).
    pub accepted: u64,
    /// Decided (办结) in the month, whenever received.
    pub completed: u64,
    /// Of those, decided on or before their due date.
    pub completed_on_time: u64,
    /// 按时办结率 = completed on time ÷ completed; absent when nothing was completed.
    pub on_time_rate: Option<f64>,
}

impl BulletinCases {
    fn of(received: &CaseMeasures, decided: &CaseMeasures) -> Self {
        Self {
            received: received.received,
            accepted: received.accepted,
            completed: decided.completed,
            completed_on_time: decided.completed_on_time,
            on_time_rate: decided.on_time_rate(),
        }
    }
}

/// The assessment of a window in the month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinScore {
    pub days_assessed: u32,
    pub average_score: Option<f64>,
    /// Among the hall's windows; equal averages share a rank.
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinWindow {
    pub window_id: Uuid,
    #[schema(example = "A01")]
    pub number: String,
    #[schema(example = "综合受理窗口")]
    pub name: String,
    pub cases: BulletinCases,
    /// The attendance records filed at the window (its staff's days there).
    pub attendance: AttendanceCountsDto,
    pub assessment: BulletinScore,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinTotals {
    pub cases: BulletinCases,
    pub attendance: AttendanceCountsDto,
    /// Window-days assessed in the hall.
    pub days_assessed: u32,
    /// Σ daily window scores ÷ window-days assessed.
    pub average_score: Option<f64>,
}

/// The month's candidates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Selection {
    /// 红旗窗口 candidates.
    pub red_flag_windows: Vec<Candidate>,
    /// 服务之星 candidates.
    pub service_stars: Vec<Candidate>,
}

/// The month's supervision at the hall.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BulletinSupervision {
    /// Cases taken in at the hall's windows that turned yellow in the month (recorded by the
    /// alert job; a case and its steps count separately).
    pub alerts_yellow: u64,
    /// … that turned red.
    pub alerts_red: u64,
    /// Complaints received in the month about the hall or its windows.
    pub complaints_received: u64,
    /// Of those, accepted.
    pub complaints_accepted: u64,
    /// Of those, closed or referred to discipline inspection.
    pub complaints_finished: u64,
}

/// 工作动态简报: one section per subject matter, so that further sections can join.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthlyBulletin {
    pub hall_id: Uuid,
    pub hall_name: String,
    #[schema(example = "2026-11")]
    pub month: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Ranked by the month's average score, best first; windows not assessed last.
    pub windows: Vec<BulletinWindow>,
    pub totals: BulletinTotals,
    pub selection: Selection,
    pub supervision: BulletinSupervision,
}

impl From<app::BulletinFacts> for MonthlyBulletin {
    fn from(f: app::BulletinFacts) -> Self {
        let none = CaseMeasures::default();
        let windows = f
            .standings
            .windows
            .iter()
            .map(|(s, w)| BulletinWindow {
                window_id: w.id,
                number: w.number.clone(),
                name: w.name.clone(),
                cases: BulletinCases::of(
                    f.received.get(&w.id).unwrap_or(&none),
                    f.decided.get(&w.id).unwrap_or(&none),
                ),
                attendance: (&s.tally.attendance).into(),
                assessment: BulletinScore {
                    days_assessed: s.tally.days_assessed,
                    average_score: s.tally.average(),
                    rank: s.rank,
                },
            })
            .collect();
        let (red_flag_windows, service_stars) = candidates(&f.standings);
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let sup = &f.supervision;
        Self {
            hall_id: f.hall.id,
            month: format!("{:04}-{:02}", f.from.year(), f.from.month()),
            from: f.from,
            to: f.to,
            windows,
            totals: BulletinTotals {
                cases: BulletinCases::of(&f.all_received, &f.all_decided),
                attendance: (&f.attendance).into(),
                days_assessed: f.days_assessed,
                average_score: f.average_score(),
            },
            selection: Selection {
                red_flag_windows,
                service_stars,
            },
            supervision: BulletinSupervision {
                alerts_yellow: count(sup.alerts_yellow),
                alerts_red: count(sup.alerts_red),
                complaints_received: count(sup.complaints_received),
                complaints_accepted: count(sup.complaints_accepted),
                complaints_finished: count(sup.complaints_finished),
            },
            hall_name: f.hall.name,
        }
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".to_owned())
}

fn score(s: Option<f64>) -> String {
    s.map(|v| format!("{v:.2}"))
        .unwrap_or_else(|| "—".to_owned())
}

fn md_overview(b: &MonthlyBulletin) -> String {
    let t = &b.totals;
    format!(
        "## 一、总体情况\n\n本月全厅共受理办件{}件，办结{}件，其中按时办结{}件，按时办结率{}。\
窗口工作人员出勤{}人次，迟到{}人次，早退{}人次，缺勤{}人次，请假{}人次，出差{}人次{}。\
窗口日考核共{}窗口日，平均得分{}。\n\n",
        t.cases.received,
        t.cases.completed,
        t.cases.completed_on_time,
        percent(t.cases.on_time_rate),
        t.attendance.present,
        t.attendance.late,
        t.attendance.left_early,
        t.attendance.absent,
        t.attendance.leave,
        t.attendance.business_trip,
        if t.attendance.uncovered > 0 {
            format!("，其中{}人次离岗未安排AB岗顶岗", t.attendance.uncovered)
        } else {
            "，AB岗顶岗全部到位".to_owned()
        },
        t.days_assessed,
        score(t.average_score),
    )
}

fn md_windows(b: &MonthlyBulletin) -> String {
    let mut md = String::from(
        "## 二、各窗口情况\n\n| 排名 | 窗口 | 受理 | 办结 | 按时办结率 | 出勤 | 迟到 | 早退 | \
            缺勤 | 请假 | 出差 | 考核天数 | 平均得分 \
            |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for w in &b.windows {
        md.push_str(&format!(
            "| {} | {} {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            w.assessment
                .rank
                .map(|r| r.to_string())
                .unwrap_or_else(|| "—".to_owned()),
            w.number,
            w.name,
            w.cases.received,
            w.cases.completed,
            percent(w.cases.on_time_rate),
            w.attendance.present,
            w.attendance.late,
            w.attendance.left_early,
            w.attendance.absent,
            w.attendance.leave,
            w.attendance.business_trip,
            w.assessment.days_assessed,
            score(w.assessment.average_score),
        ));
    }
    if b.windows.is_empty() {
        md.push_str("| — | 本厅暂无窗口 | | | | | | | | | | | |\n");
    }
    md.push('\n');
    md
}

fn md_selection(b: &MonthlyBulletin) -> String {
    let list = |c: &[Candidate]| {
        if c.is_empty() {
            "本月暂无符合条件的推荐对象。".to_owned()
        } else {
            c.iter()
                .map(|x| format!("{}（平均得分{}）", x.label, score(x.average_score)))
                .collect::<Vec<_>>()
                .join("、")
        }
    };
    format!(
        "## 三、评选推荐\n\n- 红旗窗口推荐：{}\n- 服务之星推荐：{}\n\n\
推荐条件：本月参加考核，无缺勤、无离岗未顶岗、工作纪律无扣分，\
         平均得分不低于良好线，且平均得分最高。\n",
        list(&b.selection.red_flag_windows),
        list(&b.selection.service_stars),
    )
}

fn md_supervision(b: &MonthlyBulletin) -> String {
    let s = &b.supervision;
    format!(
        "## 四、电子监察

- 办件预警：黄牌 {} 次，红牌 {} 次
- 投诉举报：收到 {} 件，受理 {} 件，办结 {} 件
",
        s.alerts_yellow,
        s.alerts_red,
        s.complaints_received,
        s.complaints_accepted,
        s.complaints_finished
    )
}

/// The bulletin as a Chinese document: a title, then one section per part.
fn markdown(b: &MonthlyBulletin) -> String {
    let mut md = format!(
        "# {}工作动态简报\n\n**{}年{}月**（{} 至 {}）\n\n",
        b.hall_name,
        b.from.year(),
        b.from.month(),
        b.from,
        b.to
    );
    for section in [
        md_overview(b),
        md_windows(b),
        md_selection(b),
        md_supervision(b),
    ] {
        md.push_str(&section);
    }
    md
}

/// The monthly work bulletin (工作动态简报) of a hall: per window the cases received and
/// completed in the month with the on-time rate, the attendance filed at the window, the
/// month's average assessment score and rank; hall totals; the red-flag window and service
/// star candidates. Supervisors and administrators, within their scope.
#[utoipa::path(operation_id = "getMonthlyBulletin",
    tag = "assessment", security(("bearer" = [])),
    params(("month" = String, Path, description = "The month, `YYYY-MM` (2000 to \
        2200)", example = "2026-11",
        pattern = "^(2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$"), BulletinQuery),
    responses((status = 200, description = "The bulletin: JSON by default, Markdown with \
        `format=markdown`", content((MonthlyBulletin = "application/json"),
        (String = "text/markdown")))))]
#[get("/bulletins/{month}")]
pub async fn monthly_bulletin(
    state: web::Data<AppState>,
    auth: Principal,
    month: web::Path<String>,
    q: web::Query<BulletinQuery>,
) -> ApiResult<HttpResponse> {
    let hall = OrganizationId(q.hall);
    let b = MonthlyBulletin::from(app::bulletin(&state, &auth.actor(), &month, hall).await?);
    Ok(match q.format.unwrap_or(BulletinFormat::Json) {
        BulletinFormat::Json => HttpResponse::Ok().json(b),
        BulletinFormat::Markdown => HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(markdown(&b)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_has_every_section() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        let cases = BulletinCases {
            received: 3,
            accepted: 2,
            completed: 2,
            completed_on_time: 1,
            on_time_rate: Some(0.5),
        };
        let counts = AttendanceCountsDto {
            present: 5,
            late: 1,
            left_early: 0,
            absent: 0,
            leave: 1,
            business_trip: 0,
            uncovered: 0,
        };
        let b = MonthlyBulletin {
            hall_id: Uuid::nil(),
            hall_name: "历下区政务服务中心".to_owned(),
            month: "2026-11".to_owned(),
            from: d("2026-11-01"),
            to: d("2026-11-30"),
            windows: vec![BulletinWindow {
                window_id: Uuid::nil(),
                number: "01".to_owned(),
                name: "综合受理窗口".to_owned(),
                cases: cases.clone(),
                attendance: counts,
                assessment: BulletinScore {
                    days_assessed: 2,
                    average_score: Some(101.5),
                    rank: Some(1),
                },
            }],
            totals: BulletinTotals {
                cases,
                attendance: counts,
                days_assessed: 2,
                average_score: Some(101.5),
            },
            selection: Selection {
                red_flag_windows: vec![Candidate {
                    subject_id: Uuid::nil(),
                    label: "01 综合受理窗口".to_owned(),
                    average_score: Some(101.5),
                }],
                service_stars: vec![],
            },
            supervision: BulletinSupervision {
                alerts_yellow: 2,
                alerts_red: 1,
                complaints_received: 3,
                complaints_accepted: 2,
                complaints_finished: 1,
            },
        };
        let md = markdown(&b);
        assert!(md.starts_with("# 历下区政务服务中心工作动态简报"));
        assert!(md.contains("**2026年11月**"));
        assert!(md.contains("受理办件3件，办结2件"));
        assert!(md.contains("按时办结率50.0%"));
        assert!(md.contains(
            "| 1 | 01 综合受理窗口 | 3 | 2 | 50.0% | 5 | 1 | 0 | 0 | 1 | 0 | 2 | 101.50 |"
        ));
        assert!(md.contains("红旗窗口推荐：01 综合受理窗口（平均得分101.50）"));
        assert!(md.contains("服务之星推荐：本月暂无符合条件的推荐对象。"));
        assert!(md.contains("办件预警：黄牌 2 次，红牌 1 次"));
        assert!(md.contains("投诉举报：收到 3 件，受理 2 件，办结 1 件"));
    }
}
