//! Attendance and daily assessments of the windows and staff of the city hall.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;
use zhengwu_domain::account::Post;
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

use super::record;

/// A staffed window of the demo hall: its id and (staff member, post).
pub(super) type DemoWindow = (Uuid, Vec<(Uuid, Post)>);

/// Thirty days of attendance and daily assessments, up to today, for the windows of a hall
/// and their staff: the month of the demo cases gets a bulletin with cases, attendance,
/// scores and a ranking. Each staff member is recorded at the window of their A post.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    hall: &orgs::Organization,
    staffed: &[DemoWindow],
    supervisor: Uuid,
) -> Result<(), DbError> {
    use zhengwu_domain::assessment::{AttendanceStatus, Dimension, Item, SubjectKind, daily_score};
    use zhengwu_persistence::assessments::{
        self as repo, Assessment, AssessmentRow, AttendanceRow, StoredItem,
    };
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year()).await?;
    // Window findings: (window index, every n-th day, offset, dimension, points, reason).
    const WINDOW_ITEMS: &[(usize, usize, usize, Dimension, i32, &str)] = &[
        (
            0,
            5,
            0,
            Dimension::Attitude,
            2,
            "群众赠送锦旗，书面表扬窗口服务热情",
        ),
        (
            0,
            7,
            3,
            Dimension::Environment,
            -1,
            "窗口桌面物品摆放不整齐",
        ),
        (1, 4, 1, Dimension::Handling, 1, "当日办件全部按时办结"),
        (
            1,
            6,
            2,
            Dimension::Skill,
            -2,
            "政策解答不准确，群众二次询问",
        ),
        (
            2,
            8,
            5,
            Dimension::Discipline,
            -2,
            "上班时间离岗未挂暂停服务牌",
        ),
        (2, 3, 0, Dimension::Handling, 1, "统一出件及时，无积压"),
    ];
    // Staff findings: (staff index, every n-th day, offset, dimension, points, reason).
    const STAFF_ITEMS: &[(usize, usize, usize, Dimension, i32, &str)] = &[
        (
            0,
            6,
            0,
            Dimension::Attitude,
            1,
            "耐心解答群众咨询，获当场好评",
        ),
        (1, 9, 4, Dimension::Discipline, -1, "迟到"),
        (2, 10, 3, Dimension::Skill, 2, "业务测试满分"),
    ];
    // Each staff member's window: the one where they hold the A post.
    let mut staff: Vec<(Uuid, Uuid, Vec<Uuid>)> = Vec::new();
    for (window, list) in staffed {
        for (user, post) in list {
            if *post == Post::A && !staff.iter().any(|(u, _, _)| u == user) {
                let others = list.iter().map(|(u, _)| *u).filter(|u| u != user).collect();
                staff.push((*user, *window, others));
            }
        }
    }
    let days: Vec<NaiveDate> = (0..30)
        .rev()
        .filter_map(|n| today.checked_sub_days(chrono::Days::new(n)))
        .filter(|d| cal.is_working_day(*d))
        .collect();
    for (i, day) in days.iter().enumerate() {
        for (k, (user, window, others)) in staff.iter().enumerate() {
            let (status, note) = match (k, i) {
                (1, i) if i % 9 == 4 => (AttendanceStatus::Late, Some("迟到10分钟")),
                (2, 6) => (AttendanceStatus::Leave, Some("事假一天")),
                (0, 12) => (
                    AttendanceStatus::BusinessTrip,
                    Some("参加全省政务服务业务培训"),
                ),
                (1, 15) => (AttendanceStatus::Absent, Some("未请假缺勤")),
                _ => (AttendanceStatus::Present, None),
            };
            let covered_by = if status.away() {
                others.first().copied()
            } else {
                None
            };
            let row = AttendanceRow {
                id: Uuid::now_v7(),
                hall_id: hall.id,
                window_id: *window,
                user_id: *user,
                day: *day,
                status: status.as_str().to_owned(),
                covered_by,
                note: note.map(str::to_owned),
                recorded_by: supervisor,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            repo::insert_attendance(c, &row).await?;
            record(
                c,
                "attendance.record",
                "attendance",
                row.id,
                Some(&hall.path),
                serde_json::json!({"day": day, "status": status}),
            )
            .await?;
        }
        let subjects = staffed
            .iter()
            .enumerate()
            .map(|(n, (w, _))| (SubjectKind::Window, *w, n, WINDOW_ITEMS))
            .chain(
                staff
                    .iter()
                    .enumerate()
                    .map(|(n, (u, _, _))| (SubjectKind::Staff, *u, n, STAFF_ITEMS)),
            );
        for (kind, subject, n, table) in subjects {
            let items: Vec<StoredItem> = table
                .iter()
                .filter(|(s, every, offset, ..)| *s == n && i % every == *offset)
                .map(|(_, _, _, dimension, points, reason)| StoredItem {
                    dimension: *dimension,
                    points: *points,
                    reason: (*reason).to_owned(),
                })
                .collect();
            let scored: Vec<Item> = items
                .iter()
                .map(|x| Item {
                    dimension: x.dimension,
                    points: x.points,
                })
                .collect();
            let a = Assessment {
                row: AssessmentRow {
                    id: Uuid::now_v7(),
                    hall_id: hall.id,
                    subject_kind: kind.as_str().to_owned(),
                    window_id: (kind == SubjectKind::Window).then_some(subject),
                    user_id: (kind == SubjectKind::Staff).then_some(subject),
                    day: *day,
                    score: daily_score(&scored),
                    note: None,
                    assessed_by: supervisor,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
                items,
            };
            repo::insert_assessment(c, &a).await?;
            record(
                c,
                "assessment.create",
                "assessment",
                a.row.id,
                Some(&hall.path),
                serde_json::json!({"day": day, "score": a.row.score}),
            )
            .await?;
        }
    }
    Ok(())
}
