//! The demo's cases at the city hall, one in every state.

use chrono::{Datelike, NaiveDate};
use sha2::Digest;
use uuid::Uuid;
use zhengwu_domain::calendar::{Calendar, StoredDeadline};
use zhengwu_domain::services::{CaseClock, CaseKind, CaseState};
use zhengwu_persistence::cases as repo;
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

use super::ids::{self, demo_id};
use super::{Intake, keep_reading, record, stored_deadline};

/// The number prefix and serial holder the API numbers `org`'s cases and applications
/// with, so that demo records and those taken later through the API share one daily serial
/// (numbers of their own would collide with the API's first numbers of the day).
pub(super) async fn case_numbering(
    c: &mut Conn,
    org: &orgs::Organization,
) -> Result<(String, Uuid), DbError> {
    crate::app::cases::number_prefix(c, org)
        .await
        .map_err(|e| DbError::Other(e.to_string()))
}

/// One case in every state, for the construction permit at the city hall.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    intake: &Intake<'_>,
) -> Result<(), DbError> {
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar::calendar_for(c, today.year(), today.year() + 1).await?;
    let numbering = case_numbering(c, intake.org).await?;
    let applicants = [
        ("济南鲁中建设集团有限公司", "submitted"),
        ("山东泉城置业有限公司", "materials_requested"),
        ("济南历山建筑工程有限公司", "accepted"),
        ("济南华信工程建设有限公司", "suspended"),
        ("山东齐鲁安居集团有限公司", "decided"),
        ("济南明湖城市建设有限公司", "delivered"),
        ("济南某某商贸有限公司", "refused"),
    ];
    let day = Day {
        now,
        today,
        cal: &cal,
    };
    for (i, (name, target)) in applicants.iter().enumerate() {
        let Some(target) = CaseState::parse(target) else {
            continue;
        };
        case(c, &day, intake, &numbering, i, name, target).await?;
    }
    Ok(())
}

/// The day the cases are taken in: now, today in China and the calendar of this year and
/// the next.
struct Day<'a> {
    now: chrono::DateTime<chrono::Utc>,
    today: NaiveDate,
    cal: &'a Calendar,
}

/// The `i`th case: received this morning, accepted if `target` comes after acceptance, and
/// taken on to `target`.
async fn case(
    c: &mut Conn,
    day: &Day<'_>,
    intake: &Intake<'_>,
    (prefix, counter): &(String, Uuid),
    i: usize,
    name: &str,
    target: CaseState,
) -> Result<(), DbError> {
    let Intake {
        org,
        matter_id,
        window,
        clerk,
    } = *intake;
    let Day { now, today, cal } = *day;
    let counter = *counter;
    // Received and accepted this morning, decided now: a few hours of real processing.
    let received_at = now - chrono::Duration::hours(4);
    let accepted_at = now - chrono::Duration::hours(3);
    let id = demo_id(ids::CASE, i as u16 + 1);
    let serial = repo::next_serial(c, counter, today).await?;
    let number = zhengwu_domain::services::case_number(prefix, today, serial as u32);
    let mut case = repo::insert_case(
        c,
        &repo::NewCase {
            id: zhengwu_domain::ids::CaseId(id),
            number,
            parent_id: None,
            matter_id: Some(matter_id),
            matter_version: Some(1),
            organization_id: org.id,
            window_id: window,
            applicant_id: None,
            applicant_name: name.to_owned(),
            applicant_type: zhengwu_domain::account::ApplicantType::LegalPerson,
            applicant_phone: None,
            project_name: None,
            channel: "window".to_owned(),
            submitted_materials: vec![repo::SubmittedMaterial {
                name: "建筑工程施工许可证申请表".to_owned(),
                copies: 1,
            }],
            query_password_hash: sha2::Sha256::digest(format!("DEMO{i:04}").as_bytes()).to_vec(),
            case_kind: CaseKind::Promised,
            statutory_days: 15,
            promised_days: 3,
            received_at,
            received_on: today,
            first_contact_id: Some(clerk),
            green_channel: i == 2,
            classified: false,
        },
    )
    .await?;
    repo::add_event(
        c,
        zhengwu_domain::ids::CaseId(id),
        received_at,
        Some(clerk),
        "apply",
        None,
        serde_json::json!({"channel": "window"}),
    )
    .await?;
    let mut outcome = repo::outcome_of(c, zhengwu_domain::ids::CaseId(id)).await?;
    let accepted = matches!(
        target,
        CaseState::Accepted | CaseState::Suspended | CaseState::Decided | CaseState::Delivered
    );
    if accepted {
        case.accepted_on = Some(today);
        outcome.accepted_at = Some(accepted_at);
        let clock = CaseClock {
            accepted_on: today,
            promised_days: 3,
            statutory_days: 15,
            extension_days: 0,
            pauses: vec![],
        };
        let reading = clock.read(cal, today).ok();
        case.due_date = keep_reading(c, Target::of(StoredDeadline::Case, id), reading).await?;
        repo::add_event(
            c,
            zhengwu_domain::ids::CaseId(id),
            accepted_at,
            Some(clerk),
            "accept",
            None,
            serde_json::json!({}),
        )
        .await?;
    }
    progress(c, day, clerk, i, &mut case, &mut outcome, target).await?;
    case.state = target;
    repo::save(
        c,
        zhengwu_domain::ids::CaseId(id),
        &repo::CaseChanges::of(&case)?,
        &outcome,
    )
    .await?;
    record(
        c,
        "case.apply",
        "case",
        id,
        Some(&org.path),
        serde_json::json!({"state": target}),
    )
    .await?;
    Ok(())
}

/// Takes a case on from its acceptance (or receipt) to `target`: materials requested,
/// suspended, decided (and delivered) or refused.
async fn progress(
    c: &mut Conn,
    day: &Day<'_>,
    clerk: Uuid,
    i: usize,
    case: &mut repo::Case,
    outcome: &mut repo::Outcome,
    target: CaseState,
) -> Result<(), DbError> {
    let Day { now, today, cal } = *day;
    let id = case.id;
    match target {
        CaseState::MaterialsRequested => {
            repo::insert_notice(
                c,
                &repo::Notice {
                    case_id: id.0,
                    round: 1,
                    items: serde_json::json!([
                        {"material": "施工合同", "problem": "missing", "note": null}
                    ]),
                    at: now,
                    by_id: clerk,
                },
            )
            .await?;
            repo::add_event(
                c,
                id,
                now,
                Some(clerk),
                "notify_missing",
                None,
                serde_json::json!({}),
            )
            .await?;
        }
        CaseState::Suspended => {
            repo::start_pause(
                c,
                id,
                &repo::PauseRecord {
                    seq: 1,
                    procedure: zhengwu_domain::services::SpecialProcedure::ExpertReview,
                    reason: "组织专家评审".to_owned(),
                    start_on: today,
                    expected_end: None,
                    end_on: None,
                },
            )
            .await?;
            repo::add_event(
                c,
                id,
                now,
                Some(clerk),
                "suspend",
                Some("组织专家评审"),
                serde_json::json!({}),
            )
            .await?;
        }
        CaseState::Decided | CaseState::Delivered => {
            case.decided_on = Some(today);
            let delivery = Target::of(StoredDeadline::CaseDelivery, id.0);
            outcome.delivery_due = Some(
                stored_deadline(
                    c,
                    cal,
                    delivery,
                    zhengwu_domain::services::delivery_due(today),
                )
                .await?,
            );
            outcome.decision = Some("approved".to_owned());
            let result_number = format!("济建施〔{}〕{:04}号", today.year(), i + 1);
            outcome.result_number = Some(result_number);
            outcome.decided_at = Some(now);
            repo::add_event(
                c,
                id,
                now,
                Some(clerk),
                "decide",
                None,
                serde_json::json!({"decision": "approved"}),
            )
            .await?;
            if target == CaseState::Delivered {
                outcome.delivered_at = Some(now);
                outcome.delivered_on = Some(today);
                outcome.delivery_method = Some("window".to_owned());
                repo::add_event(
                    c,
                    id,
                    now,
                    Some(clerk),
                    "deliver",
                    None,
                    serde_json::json!({"method": "window", "delivered_on": today,
                        "delivery_due": outcome.delivery_due, "late": false}),
                )
                .await?;
            }
        }
        CaseState::Refused => {
            let reason = "申请事项依法不需要取得行政许可";
            outcome.refusal_reason = Some(reason.to_owned());
            repo::add_event(
                c,
                id,
                now,
                Some(clerk),
                "refuse",
                None,
                serde_json::json!({}),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}
