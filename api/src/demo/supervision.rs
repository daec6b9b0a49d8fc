//! Supervision findings at the city hall: overdue and nearly due cases, a supervision order
//! and complaints.

use chrono::Datelike;
use sha2::Digest;
use uuid::Uuid;
use zhengwu_domain::account::ApplicantType;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::services::{CaseClock, CaseKind, CaseState};
use zhengwu_persistence::cases as repo;
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::supervision as sup;
use zhengwu_persistence::{Conn, DbError, orgs};

use super::calendar::DemoDays;
use super::cases::case_numbering;
use super::ids::{self, demo_id};
use super::{Intake, keep_reading, record, stored_deadline};

/// Supervision findings at the city hall, dated back from today so that they stand on any
/// day the demo is loaded: a construction permit overdue (red, with its review step) and
/// one nearly due (yellow) with an off-list fee, a refusal without a real reason, a one-time
/// notice later than AL Art.32 allows, a supervision order past its deadline, and complaints.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    intake: &Intake<'_>,
    supervisor: Uuid,
    citizen: Option<Uuid>,
) -> Result<(), DbError> {
    let days = DemoDays::of(c, now).await?;
    if let Some((case_id, number)) = cases(c, &days, intake).await? {
        order(c, &days, intake.org, supervisor, case_id, &number).await?;
    }
    complaints(c, &days, intake, supervisor, citizen).await
}

/// (applicant, received working days ago, target state)
type CaseSpec = (&'static str, u32, CaseState);

/// Four cases of the construction permit, after the seven of [`super::cases`]. Returns the
/// overdue one (its id and number).
async fn cases(
    c: &mut Conn,
    days: &DemoDays,
    intake: &Intake<'_>,
) -> Result<Option<(Uuid, String)>, DbError> {
    // The nearly due case has one working day left whether or not today is a working day.
    let nearly = if days.cal.is_working_day(days.today) {
        2
    } else {
        3
    };
    let specs: [CaseSpec; 4] = [
        ("济南泉城路桥工程有限公司", 8, CaseState::Accepted),
        ("济南大明湖建设有限公司", nearly, CaseState::Accepted),
        ("济南某某劳务有限公司", 1, CaseState::Refused),
        ("山东历城园林绿化有限公司", 9, CaseState::MaterialsRequested),
    ];
    let numbering = case_numbering(c, intake.org).await?;
    let mut overdue = None;
    for (i, spec) in specs.into_iter().enumerate() {
        if let Some(found) = case(c, days, intake, &numbering, i, spec, nearly).await? {
            overdue = Some(found);
        }
    }
    Ok(overdue)
}

/// The `i`th case of [`cases`], taken in as `spec` says; returns its id and number if it is
/// the overdue one.
async fn case(
    c: &mut Conn,
    days: &DemoDays,
    intake: &Intake<'_>,
    (prefix, counter): &(String, Uuid),
    i: usize,
    (name, ago, target): CaseSpec,
    nearly: u32,
) -> Result<Option<(Uuid, String)>, DbError> {
    let Intake {
        org,
        matter_id,
        window,
        clerk,
    } = *intake;
    let counter = *counter;
    let mut overdue = None;
    let received_on = days.back(ago);
    let received_at = days.at(received_on, 9);
    // After the seven cases of demo_cases.
    let id = demo_id(ids::CASE, i as u16 + 8);
    let serial = repo::next_serial(c, counter, received_on).await?;
    let mut case = repo::insert_case(
        c,
        &repo::NewCase {
            id: zhengwu_domain::ids::CaseId(id),
            number: zhengwu_domain::services::case_number(prefix, received_on, serial as u32),
            parent_id: None,
            matter_id: Some(matter_id),
            matter_version: Some(1),
            organization_id: org.id,
            window_id: window,
            applicant_id: None,
            applicant_name: name.to_owned(),
            applicant_type: ApplicantType::LegalPerson,
            applicant_phone: None,
            project_name: None,
            channel: "window".to_owned(),
            submitted_materials: vec![repo::SubmittedMaterial {
                name: "建筑工程施工许可证申请表".to_owned(),
                copies: 1,
            }],
            query_password_hash: sha2::Sha256::digest(format!("DEMO1{i:03}").as_bytes()).to_vec(),
            case_kind: CaseKind::Promised,
            statutory_days: 15,
            promised_days: 3,
            received_at,
            received_on,
            first_contact_id: Some(clerk),
            green_channel: false,
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
    match target {
        CaseState::Accepted => {
            let accepted_at = days.at(received_on, 10);
            case.accepted_on = Some(received_on);
            outcome.accepted_at = Some(accepted_at);
            let clock = CaseClock {
                accepted_on: received_on,
                promised_days: 3,
                statutory_days: 15,
                extension_days: 0,
                pauses: vec![],
            };
            let reading = clock.read(&days.cal, days.today).ok();
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
            if ago == nearly {
                repo::insert_fee(
                    c,
                    &repo::Fee {
                        id: Uuid::now_v7(),
                        case_id: id,
                        item_name: "加急服务费".to_owned(),
                        amount_fen: 20_000,
                        anomaly: Some("fee_not_listed".to_owned()),
                        at: days.at(received_on, 11),
                        by_id: clerk,
                    },
                )
                .await?;
            } else {
                overdue = Some((id, case.number.clone()));
            }
        }
        CaseState::Refused => {
            outcome.refusal_reason = Some("不符合".to_owned());
            repo::add_event(
                c,
                zhengwu_domain::ids::CaseId(id),
                days.at(received_on, 10),
                Some(clerk),
                "refuse",
                Some("不符合"),
                serde_json::json!({}),
            )
            .await?;
        }
        _ => {
            let notice_at = days.at(days.back(2), 15);
            repo::insert_notice(
                c,
                &repo::Notice {
                    case_id: id,
                    round: 1,
                    items: serde_json::json!([
                        {"material": "施工合同", "problem": "missing", "note": null}
                    ]),
                    at: notice_at,
                    by_id: clerk,
                },
            )
            .await?;
            repo::add_event(
                c,
                zhengwu_domain::ids::CaseId(id),
                notice_at,
                Some(clerk),
                "notify_missing",
                None,
                serde_json::json!({"working_days_after_receipt": 7, "late": true}),
            )
            .await?;
        }
    }
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
    Ok(overdue)
}

/// The supervision order on the overdue case, issued three working days ago and due one
/// working day later.
async fn order(
    c: &mut Conn,
    days: &DemoDays,
    org: &orgs::Organization,
    supervisor: Uuid,
    case_id: Uuid,
    number: &str,
) -> Result<(), DbError> {
    let issued_on = days.back(3);
    let serial = sup::next_serial(c, "order", issued_on.year()).await?;
    let order_id = demo_id(ids::ORDER, 1);
    let order_due = stored_deadline(
        c,
        &days.cal,
        Target::of(StoredDeadline::Order, order_id),
        DeadlineBasis::after(issued_on, 1),
    )
    .await?;
    let order = zhengwu_persistence::orders::Order {
        id: order_id,
        number: format!("DB{}-{serial:04}", issued_on.year()),
        organization_id: org.id,
        object_kind: "case".to_owned(),
        object_id: case_id,
        subject: format!("办件 {number} 超期督办"),
        instructions: "该办件已超过承诺办结时限，请于1个工作日内办结，\
                       并书面说明超期原因和整改措施。"
            .to_owned(),
        level: 1,
        issued_on,
        due_date: order_due,
        state: "issued".to_owned(),
        issued_by: supervisor,
        issued_at: days.at(issued_on, 14),
        response: None,
        responded_by: None,
        responded_at: None,
        escalation_reason: None,
        closing_note: None,
        closed_by: None,
        closed_at: None,
        version: 1,
    };
    zhengwu_persistence::orders::insert_order(c, &order).await?;
    record(
        c,
        "supervision_order.issue",
        "supervision_order",
        order.id,
        Some(&org.path),
        serde_json::json!({"number": order.number}),
    )
    .await?;
    Ok(())
}

/// Two complaints about the city hall's window, one submitted and one closed.
async fn complaints(
    c: &mut Conn,
    days: &DemoDays,
    intake: &Intake<'_>,
    supervisor: Uuid,
    citizen: Option<Uuid>,
) -> Result<(), DbError> {
    let Intake { org, window, .. } = *intake;
    let complaints = [
        (
            4,
            "attitude",
            "在综合受理窗口咨询施工许可材料时，工作人员态度生硬，\
             不愿解释。",
            "submitted",
        ),
        (
            6,
            "delay",
            "施工许可申请材料已补齐一周，仍无人联系。",
            "closed",
        ),
    ];
    for (ago, category, text, target) in complaints {
        let received_on = days.back(ago);
        let serial = sup::next_serial(c, "complaint", received_on.year()).await?;
        let closed = target == "closed";
        let complaint_id = Uuid::now_v7();
        let acceptance_due = stored_deadline(
            c,
            &days.cal,
            Target::of(StoredDeadline::ComplaintAcceptance, complaint_id),
            DeadlineBasis::after(received_on, 5),
        )
        .await?;
        let findings = "经核实，补正材料流转至审查科室延误2个工作日。";
        let k = zhengwu_persistence::complaints::Complaint {
            id: complaint_id,
            number: format!("TS{}-{serial:04}", received_on.year()),
            kind: "complaint".to_owned(),
            category: category.to_owned(),
            complainant_id: citizen,
            complainant_name: Some("张三".to_owned()),
            contact: serde_json::json!({"phone": "13800000000"}),
            organization_id: org.id,
            window_id: window,
            staff_id: None,
            case_id: None,
            text: text.to_owned(),
            query_code_hash: crate::app::cases::password_hash(&format!("DEMO3{ago:03}")),
            received_on,
            received_at: days.at(received_on, 16),
            acceptance_due,
            state: target.to_owned(),
            handler_id: closed.then_some(supervisor),
            decided_at: closed.then(|| days.at(days.back(ago - 1), 9)),
            decision_reason: None,
            findings: closed.then(|| findings.to_owned()),
            reply: closed.then(|| {
                "已责成审查科室当日办理，并建立补正材料流转台账。\
                 感谢监督。"
                    .to_owned()
            }),
            replied_at: closed.then(|| days.at(days.back(ago - 2), 11)),
            referral_note: None,
            closed_at: closed.then(|| days.at(days.back(ago - 2), 16)),
            version: 1,
        };
        zhengwu_persistence::complaints::insert_complaint(c, &k).await?;
        record(
            c,
            "complaint.submit",
            "complaint",
            k.id,
            Some(&zhengwu_domain::supervision::handling_organisation(
                &org.path,
            )),
            serde_json::json!({"number": k.number}),
        )
        .await?;
    }
    Ok(())
}
