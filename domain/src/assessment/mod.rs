//! Window and staff assessment (窗口和工作人员考核): attendance (考勤), daily scores in five
//! dimensions (日考核), period summaries with ranks and quarterly grades, the red-flag window
//! (红旗窗口) and service star (服务之星) candidates; and the disclosure assessment (考核评议).
//!
//! The rules, in one place:
//! - A daily score is [`BASE_SCORE`] (100) plus the sum of the day's items; each item adds a
//!   bonus (1 to [`MAX_ITEM_POINTS`]) or a penalty (−1 to −[`MAX_ITEM_POINTS`]) with a reason.
//! - The average score of a period is the sum of the daily scores over the days assessed.
//! - Ranks compare averages exactly; equal averages share a rank (1, 2, 2, 4). Subjects not
//!   assessed in the period have no rank.
//! - Quarterly grades come from the average and [`GradeThresholds`].
//! - Candidates: see [`candidates`].

use crate::codes::Code;
use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

use crate::labeled_enum;
use crate::validation::RuleViolation;

labeled_enum! {
    /// A staff member's day at the hall.
    pub enum AttendanceStatus {
        Present = ("present", "出勤"),
        Late = ("late", "迟到"),
        LeftEarly = ("left_early", "早退"),
        Absent = ("absent", "缺勤"),
        Leave = ("leave", "请假"),
        BusinessTrip = ("business_trip", "出差"),
    }
}

impl AttendanceStatus {
    /// Away from the window for the day: the other post (AB岗) has to cover it.
    pub fn away(self) -> bool {
        matches!(self, Self::Absent | Self::Leave | Self::BusinessTrip)
    }
}

labeled_enum! {
    /// The five dimensions of an assessment.
    pub enum Dimension {
        Attitude = ("attitude", "服务态度"),
        /// Includes attendance and A/B coverage.
        Discipline = ("discipline", "工作纪律"),
        Environment = ("environment", "环境卫生"),
        Handling = ("handling", "办件质效"),
        Skill = ("skill", "业务能力"),
    }
}

labeled_enum! {
    /// What is assessed: a window as a whole, or one staff member.
    pub enum SubjectKind {
        Window = ("window", "窗口"),
        Staff = ("staff", "工作人员"),
    }
}

labeled_enum! {
    /// A period of a summary; weeks run Monday to Sunday.
    pub enum Period {
        Week = ("week", "周"),
        Month = ("month", "月"),
        Quarter = ("quarter", "季度"),
    }
}

labeled_enum! {
    /// The quarterly grade.
    pub enum Grade {
        Excellent = ("excellent", "优秀"),
        Good = ("good", "良好"),
        Pass = ("pass", "合格"),
        Fail = ("fail", "不合格"),
    }
}

/// The score of a day without any item.
pub const BASE_SCORE: i32 = 100;
/// The largest bonus or penalty of one item.
pub const MAX_ITEM_POINTS: i32 = 10;
/// The most items one daily assessment may have.
pub const MAX_ITEMS: usize = 20;

/// One scored item of a daily assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub dimension: Dimension,
    pub points: i32,
}

/// The points of an item: a bonus of 1 to 10 or a penalty of −1 to −10, never 0.
pub fn check_points(points: i32) -> Result<i32, RuleViolation> {
    if points != 0 && (-MAX_ITEM_POINTS..=MAX_ITEM_POINTS).contains(&points) {
        Ok(points)
    } else {
        Err(RuleViolation::new(
            Code::AssessmentPointsRange,
            format!(
                "a bonus of 1 to {MAX_ITEM_POINTS} or a penalty of -1 to -{MAX_ITEM_POINTS} points"
            ),
        ))
    }
}

/// A/B coverage (AB岗): nobody covers for someone who was present; the one covering is
/// another staff member of the same window.
pub fn check_cover(
    status: AttendanceStatus,
    user: Uuid,
    covered_by: Option<Uuid>,
    window_staff: &[Uuid],
) -> Result<(), RuleViolation> {
    let Some(c) = covered_by else { return Ok(()) };
    if status == AttendanceStatus::Present {
        return Err(RuleViolation::new(
            Code::AttendanceCoverNotNeeded,
            "nobody covers for a staff member who was present",
        ));
    }
    if c == user {
        return Err(RuleViolation::new(
            Code::AttendanceCoverSelf,
            "a staff member does not cover for themselves",
        ));
    }
    if !window_staff.contains(&c) {
        return Err(RuleViolation::new(
            Code::AttendanceCoverNotWindowStaff,
            "the one covering holds the other post (A/B) of the same window",
        ));
    }
    Ok(())
}

/// The score of a day: [`BASE_SCORE`] plus the points of its items.
pub fn daily_score(items: &[Item]) -> i32 {
    BASE_SCORE + items.iter().map(|i| i.points).sum::<i32>()
}

/// The first and last day of the period containing `date`.
pub fn period_range(period: Period, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    match period {
        Period::Week => {
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(6))
        }
        Period::Month => month_range(date.year(), date.month()).unwrap_or((date, date)),
        Period::Quarter => {
            let first = (date.month() - 1) / 3 * 3 + 1;
            let (start, _) = month_range(date.year(), first).unwrap_or((date, date));
            let (_, end) = month_range(date.year(), first + 2).unwrap_or((date, date));
            (start, end)
        }
    }
}

/// The first and last day of a month.
pub fn month_range(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((start, next.pred_opt()?))
}

/// Parses a month written `2026-11`.
pub fn parse_month(value: &str) -> Result<(NaiveDate, NaiveDate), RuleViolation> {
    let bad = || RuleViolation::new(Code::MonthFormat, "a month written YYYY-MM, e.g. 2026-11");
    let (y, m) = value.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    if !(2000..=2200).contains(&year) {
        return Err(bad());
    }
    month_range(year, month).ok_or_else(bad)
}

/// The minimum average score of each grade; below `pass` is `fail`. Configuration per
/// organisation; the default is excellent ≥ 95, good ≥ 85, pass ≥ 70.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GradeThresholds {
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 200))]
    pub excellent: i32,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 200))]
    pub good: i32,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 200))]
    pub pass: i32,
}

impl Default for GradeThresholds {
    fn default() -> Self {
        Self {
            excellent: 95,
            good: 85,
            pass: 70,
        }
    }
}

impl GradeThresholds {
    /// The grade of an average of `total ÷ days`, compared exactly.
    pub fn grade(&self, total: i64, days: u32) -> Option<Grade> {
        if days == 0 {
            return None;
        }
        let at_least = |t: i32| total >= i64::from(t) * i64::from(days);
        Some(if at_least(self.excellent) {
            Grade::Excellent
        } else if at_least(self.good) {
            Grade::Good
        } else if at_least(self.pass) {
            Grade::Pass
        } else {
            Grade::Fail
        })
    }
}

/// Days of each attendance status, and the away days nobody covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttendanceCounts {
    pub present: u32,
    pub late: u32,
    pub left_early: u32,
    pub absent: u32,
    pub leave: u32,
    pub business_trip: u32,
    /// Away (absent, on leave, on a business trip) without anyone covering the window.
    pub uncovered: u32,
}

impl AttendanceCounts {
    pub fn add(&mut self, status: AttendanceStatus, covered: bool) {
        use AttendanceStatus as S;
        match status {
            S::Present => self.present += 1,
            S::Late => self.late += 1,
            S::LeftEarly => self.left_early += 1,
            S::Absent => self.absent += 1,
            S::Leave => self.leave += 1,
            S::BusinessTrip => self.business_trip += 1,
        }
        if status.away() && !covered {
            self.uncovered += 1;
        }
    }

    pub fn merge(&mut self, o: &AttendanceCounts) {
        self.present += o.present;
        self.late += o.late;
        self.left_early += o.left_early;
        self.absent += o.absent;
        self.leave += o.leave;
        self.business_trip += o.business_trip;
        self.uncovered += o.uncovered;
    }
}

/// One daily assessment of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayAssessment {
    pub subject: Uuid,
    pub items: Vec<Item>,
}

/// One attendance day, attributed by the caller to a subject (the window it was filed at,
/// or the staff member).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayAttendance {
    pub subject: Uuid,
    pub status: AttendanceStatus,
    pub covered: bool,
}

/// The totals of one subject over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub subject: Uuid,
    pub days_assessed: u32,
    /// Σ daily scores.
    pub score_total: i64,
    /// Σ positive points.
    pub bonus: i64,
    /// Σ negative points (zero or less).
    pub penalty: i64,
    /// Σ points per dimension, in the order of [`Dimension::ALL`].
    pub dimensions: [i64; 5],
    /// Penalty items in the discipline dimension.
    pub discipline_penalties: u32,
    pub attendance: AttendanceCounts,
}

impl Tally {
    /// The average daily score, rounded to two decimals.
    pub fn average(&self) -> Option<f64> {
        (self.days_assessed > 0).then(|| {
            (self.score_total as f64 / f64::from(self.days_assessed) * 100.0).round() / 100.0
        })
    }

    pub fn dimension(&self, d: Dimension) -> i64 {
        Dimension::ALL
            .iter()
            .position(|x| *x == d)
            .map(|i| self.dimensions[i])
            .unwrap_or(0)
    }

    /// Orders two assessed tallies by average, exactly (no rounding): better first.
    fn cmp_average(&self, o: &Tally) -> std::cmp::Ordering {
        (o.score_total * i64::from(self.days_assessed))
            .cmp(&(self.score_total * i64::from(o.days_assessed)))
    }
}

/// The tallies of `subjects` (in that order) from the period's assessments and attendance;
/// records of other subjects are ignored.
pub fn tally(
    subjects: &[Uuid],
    assessments: &[DayAssessment],
    attendance: &[DayAttendance],
) -> Vec<Tally> {
    subjects
        .iter()
        .map(|s| {
            let mut t = Tally {
                subject: *s,
                ..Tally::default()
            };
            for a in assessments.iter().filter(|a| a.subject == *s) {
                t.days_assessed += 1;
                t.score_total += i64::from(daily_score(&a.items));
                for item in &a.items {
                    let p = i64::from(item.points);
                    if p > 0 {
                        t.bonus += p;
                    } else {
                        t.penalty += p;
                    }
                    if let Some(i) = Dimension::ALL.iter().position(|d| *d == item.dimension) {
                        t.dimensions[i] += p;
                    }
                    if item.dimension == Dimension::Discipline && p < 0 {
                        t.discipline_penalties += 1;
                    }
                }
            }
            for d in attendance.iter().filter(|d| d.subject == *s) {
                t.attendance.add(d.status, d.covered);
            }
            t
        })
        .collect()
}

/// A subject's place in its period.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub tally: Tally,
    /// 1 is best; equal averages share a rank; absent when not assessed.
    pub rank: Option<u32>,
    /// Quarterly grade, when grading.
    pub grade: Option<Grade>,
}

/// Ranks the tallies by average score, best first; equal averages share a rank and keep
/// the given order; subjects not assessed come last, unranked. With `grading`, each
/// assessed subject gets its grade.
pub fn standings(tallies: Vec<Tally>, grading: Option<&GradeThresholds>) -> Vec<Standing> {
    let (mut assessed, unassessed): (Vec<Tally>, Vec<Tally>) =
        tallies.into_iter().partition(|t| t.days_assessed > 0);
    // A stable sort keeps the given order among equals.
    assessed.sort_by(Tally::cmp_average);
    let mut out: Vec<Standing> = Vec::with_capacity(assessed.len() + unassessed.len());
    for (i, t) in assessed.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.tally.cmp_average(&t).is_eq() => prev.rank,
            _ => Some(i as u32 + 1),
        };
        let grade = grading.and_then(|g| g.grade(t.score_total, t.days_assessed));
        out.push(Standing {
            tally: t,
            rank,
            grade,
        });
    }
    out.extend(unassessed.into_iter().map(|t| Standing {
        tally: t,
        rank: None,
        grade: None,
    }));
    out
}

/// Whether a subject may be proposed as red-flag window or service star: assessed at least
/// once, no day absent (缺勤), no away day left uncovered, no penalty in the discipline
/// dimension, and an average of at least the `good` threshold.
pub fn eligible(t: &Tally, thresholds: &GradeThresholds) -> bool {
    t.days_assessed > 0
        && t.attendance.absent == 0
        && t.attendance.uncovered == 0
        && t.discipline_penalties == 0
        && t.score_total >= i64::from(thresholds.good) * i64::from(t.days_assessed)
}

/// The candidates of a period (红旗窗口 among windows, 服务之星 among staff): of the eligible
/// subjects (see [`eligible`]), those with the best average; all of them when tied.
pub fn candidates(standings: &[Standing], thresholds: &GradeThresholds) -> Vec<Uuid> {
    let ok: Vec<&Tally> = standings
        .iter()
        .map(|s| &s.tally)
        .filter(|t| eligible(t, thresholds))
        .collect();
    let Some(best) = ok.iter().copied().min_by(|a, b| a.cmp_average(b)) else {
        return vec![];
    };
    ok.iter()
        .filter(|t| t.cmp_average(best).is_eq())
        .map(|t| t.subject)
        .collect()
}

/// What the disclosure assessment needs of one organisation for a year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosureFacts {
    /// Proactive items due for publication in the year: (publish_due, first published on).
    pub proactive: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// Replies to applications of the year recorded as late.
    pub late_replies: u64,
    /// Topic requests and leader messages forwarded to it with a feedback deadline in the
    /// year: (feedback_due, answered on).
    pub forwarded: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// Messages it answered in the year: (submitted on, answered on).
    pub answered: Vec<(NaiveDate, NaiveDate)>,
}

/// The findings of the disclosure assessment of one organisation, evaluated on `as_of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DisclosureFindings {
    /// Past their publication due date (OGI Art.26) and not published by `as_of`.
    pub overdue_unpublished: u64,
    /// Published, but after their due date.
    pub published_late: u64,
    pub late_replies: u64,
    /// Forwarded with the feedback deadline passed and no answer by `as_of`.
    pub unanswered_past_due: u64,
    pub answered_messages: u64,
    /// Σ calendar days from submission to answer of the answered messages.
    pub response_days_total: u64,
}

impl DisclosureFindings {
    /// Mean calendar days from submission to answer, rounded to two decimals.
    pub fn mean_response_days(&self) -> Option<f64> {
        (self.answered_messages > 0).then(|| {
            (self.response_days_total as f64 / self.answered_messages as f64 * 100.0).round()
                / 100.0
        })
    }

    pub fn merge(&mut self, o: &DisclosureFindings) {
        self.overdue_unpublished += o.overdue_unpublished;
        self.published_late += o.published_late;
        self.late_replies += o.late_replies;
        self.unanswered_past_due += o.unanswered_past_due;
        self.answered_messages += o.answered_messages;
        self.response_days_total += o.response_days_total;
    }
}

/// The findings on `as_of` (the day of evaluation, or the year's last day for a past year):
/// a due date has passed when it is before `as_of`; what happened after `as_of` has not
/// happened yet.
pub fn disclosure_findings(as_of: NaiveDate, f: &DisclosureFacts) -> DisclosureFindings {
    let mut out = DisclosureFindings {
        late_replies: f.late_replies,
        ..DisclosureFindings::default()
    };
    for (due, published) in &f.proactive {
        match published.filter(|p| *p <= as_of) {
            None if *due < as_of => out.overdue_unpublished += 1,
            Some(p) if p > *due => out.published_late += 1,
            _ => {}
        }
    }
    for (due, answered) in &f.forwarded {
        if *due < as_of && answered.is_none_or(|a| a > as_of) {
            out.unanswered_past_due += 1;
        }
    }
    for (submitted, answered) in f.answered.iter().filter(|(_, a)| *a <= as_of) {
        out.answered_messages += 1;
        out.response_days_total += u64::try_from((*answered - *submitted).num_days()).unwrap_or(0);
    }
    out
}

#[cfg(test)]
mod tests;
