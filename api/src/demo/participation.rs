//! Public participation at 历下区: applications for disclosure, a consultation and the echo
//! wall.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;
use zhengwu_domain::account::LegalPersonKind;
use zhengwu_domain::calendar::{Calendar, DeadlineBasis, StoredDeadline};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

use super::cases::case_numbering;
use super::{keep_reading, record, stored_deadline};

use zhengwu_domain::requests::{
    DeliveryMethod, FeeMethod, ReplyType, RequestChannel, RequestClock, RequestState, RequestedForm,
};
use zhengwu_persistence::{participation as part, requests as repo};

/// Applications for disclosure in every state over two years, an open consultation and an
/// answer on the echo wall, for 历下区.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    officer: Uuid,
) -> Result<(), DbError> {
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year() + 1).await?;
    let office = Office {
        now,
        today,
        cal,
        org,
        officer,
    };
    requests(c, &office).await?;
    consultation(c, &office).await?;
    echo_wall(c, &office).await?;
    record(
        c,
        "demo.participation",
        "organization",
        org.id,
        Some(&org.path),
        serde_json::json!({"requests": 10}),
    )
    .await
}

/// The disclosure office of 历下区 on the day the demo is loaded: its organisation and
/// officer, and the calendar of the years around today.
struct Office<'a> {
    now: chrono::DateTime<chrono::Utc>,
    today: NaiveDate,
    cal: Calendar,
    org: &'a orgs::Organization,
    officer: Uuid,
}

/// (applicant, legal-person kind, received, state, reply and its day)
type Spec = (
    &'static str,
    Option<LegalPersonKind>,
    NaiveDate,
    RequestState,
    Option<(ReplyType, NaiveDate)>,
);

/// An application in every state, received this year (but the first, late last year).
fn specs(today: NaiveDate) -> Vec<Spec> {
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let days = |n: i64| today - chrono::Duration::days(n);
    vec![
        (
            "王建华",
            None,
            jan1 - chrono::Duration::days(12),
            RequestState::Replied,
            Some((
                ReplyType::PartiallyDisclosed,
                (jan1 + chrono::Duration::days(6)).min(today),
            )),
        ),
        (
            "济南泉城律师事务所",
            Some(LegalPersonKind::LegalServiceInstitution),
            days(200).max(jan1),
            RequestState::Replied,
            Some((ReplyType::Disclosed, days(185).max(jan1))),
        ),
        (
            "山东某置业有限公司",
            Some(LegalPersonKind::CommercialEnterprise),
            days(150).max(jan1),
            RequestState::Replied,
            Some((ReplyType::NonDisclosureThirdParty, days(130).max(jan1))),
        ),
        (
            "李秀英",
            None,
            days(120).max(jan1),
            RequestState::Replied,
            Some((ReplyType::UnableNotHeld, days(105).max(jan1))),
        ),
        (
            "赵国强",
            None,
            days(90).max(jan1),
            RequestState::Replied,
            Some((ReplyType::NotProcessedDuplicate, days(80).max(jan1))),
        ),
        (
            "孙丽",
            None,
            days(60).max(jan1),
            RequestState::DeemedWithdrawn,
            Some((ReplyType::OtherCorrectionOverdue, days(40).max(jan1))),
        ),
        ("周明", None, days(3), RequestState::Received, None),
        (
            "济南某研究院",
            Some(LegalPersonKind::ResearchInstitution),
            days(4),
            RequestState::AwaitingCorrection,
            None,
        ),
        ("吴芳", None, days(8), RequestState::Consulting, None),
        ("郑伟", None, days(6), RequestState::AwaitingFee, None),
    ]
}

/// The applications of [`specs`], numbered as the API numbers them.
async fn requests(c: &mut Conn, office: &Office<'_>) -> Result<(), DbError> {
    let numbering = case_numbering(c, office.org).await?;
    for (i, spec) in specs(office.today).into_iter().enumerate() {
        request(c, office, &numbering, i, spec).await?;
    }
    Ok(())
}

/// The `i`th application, received on its day and taken on to its state.
async fn request(
    c: &mut Conn,
    office: &Office<'_>,
    (prefix, counter): &(String, Uuid),
    i: usize,
    (name, kind, received, state, reply): Spec,
) -> Result<(), DbError> {
    let Office {
        now,
        ref cal,
        org,
        officer,
        ..
    } = *office;
    let counter = zhengwu_domain::ids::OrganizationId(*counter);
    let id = Uuid::now_v7();
    let serial = repo::next_serial(c, counter, received).await?;
    let mut r = repo::Request {
        id: zhengwu_domain::ids::DisclosureRequestId(id),
        number: format!("YSQ{prefix}{}{serial:04}", received.format("%Y%m%d")),
        organization_id: zhengwu_domain::ids::OrganizationId(org.id),
        applicant_id: None,
        applicant_name: name.to_owned(),
        applicant_type: if kind.is_some() {
            zhengwu_domain::account::ApplicantType::LegalPerson
        } else {
            zhengwu_domain::account::ApplicantType::NaturalPerson
        },
        legal_person_kind: kind,
        contact: serde_json::json!({"phone": "0531-8800000", "address": "济南市历下区"}),
        description: [
            "老旧小区改造资金使用明细",
            "某地块征收补偿方案",
            "2025年区级财政预算执行情况",
            "某道路工程招标文件",
        ][i % 4]
            .to_owned(),
        purpose: None,
        requested_form: RequestedForm::Electronic,
        delivery_method: DeliveryMethod::Email,
        channel: if i.is_multiple_of(3) {
            RequestChannel::Letter
        } else {
            RequestChannel::Online
        },
        submitted_on: received,
        received_on: received,
        state,
        restarted_on: None,
        correction_due: None,
        corrected_on: None,
        extension_days: 0,
        due_date: None,
        fee_method: None,
        fee_fen: None,
        fee_due: None,
        created_by: Some(officer),
        version: 1,
        created_at: now,
        receipt_seq: 0,
    };
    let clock = RequestClock {
        received_on: received,
        restarted_on: None,
        awaiting_correction: false,
        stops: vec![],
        extension_days: 0,
    };
    let reading = clock.read(cal, received).ok();
    r.due_date = reading.as_ref().and_then(|x| x.due_date);
    let mut stored = repo::insert(c, &r).await?;
    repo::add_event(
        c,
        r.id,
        now,
        Some(officer),
        "receive",
        None,
        serde_json::json!({}),
    )
    .await?;
    hold(c, office, &mut stored, state).await?;
    if stored.due_date.is_some() {
        keep_reading(c, Target::of(StoredDeadline::RequestReply, id), reading).await?;
    }
    if let Some((t, on)) = reply {
        answer(c, office, id, t, on).await?;
    }
    stored.state = state;
    repo::save(c, &stored).await?;
    Ok(())
}

/// What an application waiting on its applicant or a third party holds: a correction due,
/// a consultation of a third party, a fee to pay.
async fn hold(
    c: &mut Conn,
    office: &Office<'_>,
    stored: &mut repo::Request,
    state: RequestState,
) -> Result<(), DbError> {
    let Office { today, ref cal, .. } = *office;
    let days = |n: i64| today - chrono::Duration::days(n);
    let (id, received) = (stored.id.0, stored.received_on);
    match state {
        RequestState::AwaitingCorrection => {
            stored.correction_due = cal.add_working_days(today, 10).ok().map(|d| d.due_date);
            stored.due_date = None;
        }
        RequestState::DeemedWithdrawn => {
            stored.correction_due = Some(received + chrono::Duration::days(15))
        }
        RequestState::Consulting => {
            let consultation = Target {
                kind: StoredDeadline::RequestConsultation,
                object_id: id,
                seq: 1,
            };
            let basis = DeadlineBasis::after(days(2), 15);
            let due = stored_deadline(c, cal, consultation, basis).await?;
            repo::start_stop(
                c,
                &repo::Stop {
                    request_id: id,
                    seq: 1,
                    kind: "third_party".into(),
                    party: Some("某物业服务公司".into()),
                    start_on: days(2),
                    due_on: Some(due),
                    end_on: None,
                    opinion: None,
                },
            )
            .await?;
            stored.due_date = None;
        }
        RequestState::AwaitingFee => {
            stored.fee_method = Some(FeeMethod::ByVolume);
            stored.fee_fen = Some(zhengwu_domain::requests::fee_by_volume(150));
            let fee = Target {
                kind: StoredDeadline::RequestFee,
                object_id: id,
                seq: 1,
            };
            let basis =
                DeadlineBasis::after(days(1), zhengwu_domain::requests::FEE_PAYMENT_WORKING_DAYS);
            stored.fee_due = Some(stored_deadline(c, cal, fee, basis).await?);
            repo::start_stop(
                c,
                &repo::Stop {
                    request_id: id,
                    seq: 1,
                    kind: "fee".into(),
                    party: None,
                    start_on: days(1),
                    due_on: stored.fee_due,
                    end_on: None,
                    opinion: None,
                },
            )
            .await?;
            stored.due_date = None;
        }
        _ => {}
    }
    Ok(())
}

/// The reply to an application on day `on`, and a reconsideration upholding a refusal to
/// disclose for a third party's sake.
async fn answer(
    c: &mut Conn,
    office: &Office<'_>,
    id: Uuid,
    t: ReplyType,
    on: NaiveDate,
) -> Result<(), DbError> {
    let Office {
        now,
        today,
        officer,
        ..
    } = *office;
    repo::insert_reply(
        c,
        &repo::ReplyRow {
            request_id: id,
            reply_type: t.as_str().to_owned(),
            reply_text: "经审查，答复如下。".to_owned(),
            responsible_agency: (t == ReplyType::UnableNotHeld)
                .then(|| "历下区住房和城乡建设局".to_owned()),
            provided_items: serde_json::json!([]),
            replied_on: on,
            late: false,
            replied_by: Some(officer),
        },
    )
    .await?;
    repo::add_event(
        c,
        zhengwu_domain::ids::DisclosureRequestId(id),
        now,
        Some(officer),
        "reply",
        None,
        serde_json::json!({"reply_type": t}),
    )
    .await?;
    if t == ReplyType::NonDisclosureThirdParty {
        repo::insert_remedy(
            c,
            &repo::Remedy {
                id: Uuid::now_v7(),
                request_id: id,
                kind: "reconsideration".into(),
                filed_on: on,
                outcome: "upheld".into(),
                decided_on: Some(on.min(today)),
                note: None,
                version: 1,
            },
        )
        .await?;
    }
    Ok(())
}

/// An open consultation with one approved comment.
async fn consultation(c: &mut Conn, office: &Office<'_>) -> Result<(), DbError> {
    let Office {
        now, org, officer, ..
    } = *office;
    let cons = part::Consultation {
        id: Uuid::now_v7(),
        organization_id: org.id,
        title: "关于公开征求《历下区老旧小区改造三年\
                行动方案（征求意见稿）》意见的公告"
            .to_owned(),
        draft_text: "一、总体目标：到2028年底，基本完成\
                     2000年底前建成的老旧小区改造任务……"
            .to_owned(),
        opens_at: now - chrono::Duration::days(3),
        closes_at: now + chrono::Duration::days(7),
        state: "open".to_owned(),
        feedback_summary: None,
        summarized_at: None,
        created_by: officer,
        version: 1,
        created_at: now,
    };
    part::insert_consultation(c, &cons).await?;
    part::insert_comment(
        c,
        &part::Comment {
            id: Uuid::now_v7(),
            consultation_id: cons.id,
            author_id: None,
            display_name: Some("甸柳新村居民".to_owned()),
            contact: serde_json::json!({"phone": "0531-8800001"}),
            text: "建议将加装电梯纳入改造内容，并公开补贴标准。".to_owned(),
            state: "approved".to_owned(),
            rejection_reason: None,
            adopted: None,
            adoption_note: None,
            submitted_at: now - chrono::Duration::days(1),
        },
    )
    .await?;
    Ok(())
}

/// An answered topic request on the echo wall.
async fn echo_wall(c: &mut Conn, office: &Office<'_>) -> Result<(), DbError> {
    let Office {
        now,
        today,
        ref cal,
        org,
        ..
    } = *office;
    let days = |n: i64| today - chrono::Duration::days(n);
    let message_id = Uuid::now_v7();
    let feedback_due = stored_deadline(
        c,
        cal,
        Target::of(StoredDeadline::MessageFeedback, message_id),
        DeadlineBasis::after(days(19), 5),
    )
    .await?;
    part::insert_message(
        c,
        &part::Message {
            id: message_id,
            kind: "topic_request".to_owned(),
            organization_id: org.id,
            submitter_id: None,
            submitter_name: Some("匿名".to_owned()),
            contact: serde_json::json!({}),
            subject: "希望公开学区划分方案".to_owned(),
            text: "请公开2026年历下区小学学区划分方案。".to_owned(),
            state: "published".to_owned(),
            submitted_at: now - chrono::Duration::days(20),
            forwarded_to: Some(org.id),
            forwarded_at: Some(now - chrono::Duration::days(19)),
            feedback_due: Some(feedback_due),
            answer_kind: Some("replied".to_owned()),
            answer: Some(
                "学区划分方案已于招生简章中公布，\
                 详见区教育和体育局网站。"
                    .to_owned(),
            ),
            disclosure_id: None,
            answered_at: Some(now - chrono::Duration::days(15)),
            published_at: Some(now - chrono::Duration::days(14)),
            version: 1,
        },
    )
    .await?;
    Ok(())
}
