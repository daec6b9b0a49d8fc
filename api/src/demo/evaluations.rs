//! Evaluations (好差评) of the demo's cases, and the rectification of a bad review.

use chrono::Datelike;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

use super::{record, stored_deadline};

/// Evaluations of the demo's decided and delivered cases at the city hall, given on the hall's
/// tablet by their walk-in applicants: a good review of the delivered case, and a bad review
/// of the decided one whose rectification is verified and under way.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    reviewer: Uuid,
) -> Result<usize, DbError> {
    use zhengwu_domain::evaluation::{EvaluationChannel, EvaluationLevel, RectificationState};
    use zhengwu_domain::services::CaseState;
    use zhengwu_persistence::cases as case_repo;
    use zhengwu_persistence::evaluations as repo;
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut done = Vec::new();
    for state in [CaseState::Delivered, CaseState::Decided] {
        let found = case_repo::list(
            c,
            &zhengwu_domain::access::Scope::All,
            &case_repo::Filter {
                organization_id: Some(zhengwu_domain::ids::OrganizationId(org.id)),
                state: Some(state),
                limit: 10,
                ..Default::default()
            },
        )
        .await?;
        done.extend(found.into_iter().map(|l| l.case));
    }
    let reviews = [
        (
            EvaluationLevel::VerySatisfied,
            "窗口工作人员一次性告知所需材料，当天就拿到了证。",
        ),
        (
            EvaluationLevel::Dissatisfied,
            "取号后等候一个多小时，叫号系统故障无人解释。",
        ),
    ];
    let mut count = 0;
    for (case, (level, text)) in done.into_iter().zip(reviews) {
        count += 1;
        let channel = EvaluationChannel::HallTablet;
        let e = repo::Evaluation {
            id: Uuid::now_v7(),
            case_id: case.id.0,
            applicant_id: case.applicant_id,
            organization_id: org.id,
            window_id: case.window_id,
            staff_id: case.assignee_id.or(case.first_contact_id),
            level: level.as_str().to_owned(),
            channel: channel.as_str().to_owned(),
            text: Some(text.to_owned()),
            evaluated_at: now,
            evaluated_on: today,
            annulled_at: None,
            version: 1,
        };
        repo::insert_evaluation(c, &e).await?;
        case_repo::add_event(
            c,
            case.id,
            now,
            case.applicant_id,
            "evaluate",
            None,
            serde_json::json!({"level": level, "channel": channel}),
        )
        .await?;
        record(
            c,
            "evaluation.create",
            "evaluation",
            e.id,
            Some(&org.path),
            serde_json::json!({"case_id": case.id, "level": level, "channel": channel}),
        )
        .await?;
        if !level.is_bad() {
            continue;
        }
        let days = repo::rectification_days(c, zhengwu_domain::ids::OrganizationId(org.id)).await?;
        let cal = calendar::calendar_for(c, today.year(), today.year() + 1).await?;
        let rectification = Uuid::now_v7();
        let target = Target::of(StoredDeadline::Rectification, rectification);
        let due = stored_deadline(c, &cal, target, DeadlineBasis::after(today, days)).await?;
        let r = repo::Rectification {
            id: rectification,
            evaluation_id: e.id,
            organization_id: org.id,
            responsible_id: e.staff_id,
            state: RectificationState::Verified.as_str().to_owned(),
            opened_on: today,
            due_date: due,
            findings: Some(
                "经调取大厅监控和叫号记录核实，\
                 当日叫号系统故障约40分钟，现场未安排人员引导解释，\
                 情况属实。"
                    .to_owned(),
            ),
            verified_at: Some(now),
            verified_by: Some(reviewer),
            measures: None,
            explanation: None,
            handled_at: None,
            handled_by: None,
            callback_satisfied: None,
            callback_note: None,
            called_back_at: None,
            called_back_by: None,
            close_note: None,
            closed_at: None,
            closed_by: None,
            version: 2,
        };
        repo::insert_rectification(c, &r).await?;
        record(
            c,
            "rectification.open",
            "rectification",
            r.id,
            Some(&org.path),
            serde_json::json!({"evaluation_id": e.id, "state": "open", "due_date": r.due_date}),
        )
        .await?;
        record(
            c,
            "rectification.verify",
            "rectification",
            r.id,
            Some(&org.path),
            serde_json::json!({"state": "verified"}),
        )
        .await?;
    }
    Ok(count)
}
