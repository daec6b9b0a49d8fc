//! The 12345 hotline at the city: tickets in every state and the knowledge base.

use chrono::Datelike;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::hotline::{TicketKind, TicketLimits, Urgency};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::hotline as repo;
use zhengwu_persistence::{Conn, DbError, orgs};

use super::calendar::DemoDays;
use super::ids::{self, demo_id};
use super::{Made, knowledge, record, stored_deadline};

/// The 12345 hotline at the city: a ticket in every state (one overdue, one nearly due)
/// with query codes DEMO2000…DEMO2008, and the knowledge base, published but for two drafts.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    made: &Made,
) -> Result<(), DbError> {
    let (Some(city), Some(operator), Some(responder), Some(reviewer)) = (
        made.org("city"),
        made.person("city.hotline"),
        made.person("lixia.admin"),
        made.person("city.reviewer"),
    ) else {
        return Ok(());
    };
    let departments: Vec<(&str, orgs::Organization)> = ["lixia", "pingyin"]
        .iter()
        .filter_map(|k| made.org(k).map(|o| (*k, o)))
        .collect();
    let desk = Desk {
        city: &city,
        departments: &departments,
        operator,
        responder,
        citizen: made.person("zhang.san"),
    };
    tickets(c, now, &desk).await?;
    knowledge::load(c, now, &city, &departments, operator, reviewer).await
}

/// Who handles the tickets: the centre at the city and its operator, the departments they
/// are dispatched to and who answers for them, and the citizen who submits some on the web.
struct Desk<'a> {
    city: &'a orgs::Organization,
    departments: &'a [(&'a str, orgs::Organization)],
    operator: Uuid,
    responder: Uuid,
    citizen: Option<Uuid>,
}

impl Desk<'_> {
    fn dept(&self, key: &str) -> Option<Uuid> {
        self.departments
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o.id)
    }
}

/// (kind, urgency, subject, description, location, target state, department, dispatched
///  working days ago, reply, public)
type Spec = (
    TicketKind,
    Urgency,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static str,
    bool,
);

/// A ticket in every state; the nearly due complaint was dispatched `nearly` working days ago.
fn specs(nearly: u32) -> [Spec; 9] {
    [
        (
            TicketKind::Consultation,
            Urgency::Normal,
            "咨询新生儿医保办理",
            "孩子刚出生，想了解医保参保怎么办。",
            "",
            "received",
            "",
            0,
            "",
            false,
        ),
        (
            TicketKind::Help,
            Urgency::Urgent,
            "小区停水两天无人处理",
            "文化东路某小区自前天起停水，物业称在维修但无进展。",
            "历下区文化东路",
            "dispatched",
            "lixia",
            5,
            "",
            false,
        ),
        (
            TicketKind::Complaint,
            Urgency::Normal,
            "装修噪音夜间扰民",
            "楼上装修每天晚上十点后仍在施工，多次沟通无果。",
            "历下区解放路",
            "dispatched",
            "lixia",
            nearly,
            "",
            false,
        ),
        (
            TicketKind::Help,
            Urgency::Normal,
            "玫瑰种植补贴未到账",
            "去年申报的玫瑰种植补贴至今未发放。",
            "平阴县玫瑰镇",
            "returned",
            "pingyin",
            3,
            "",
            false,
        ),
        (
            TicketKind::Consultation,
            Urgency::Normal,
            "老旧小区加装电梯补贴标准",
            "想了解加装电梯的补贴标准和申请流程。",
            "历下区",
            "replied",
            "lixia",
            4,
            "加装电梯补贴标准和申请流程已在区政府网站政务公开栏目公\
             布，可携带业主同意书等材料到街道办事处申请。",
            true,
        ),
        (
            TicketKind::Suggestion,
            Urgency::Normal,
            "建议增设公交站点",
            "建议在新建小区门口增设公交站点，方便居民出行。",
            "历下区旅游路",
            "called_back",
            "lixia",
            8,
            "已将建议转交公交企业，经现场勘查，\
             计划于下季度调整线路并增设站点。",
            true,
        ),
        (
            TicketKind::Complaint,
            Urgency::Normal,
            "路灯损坏长期不修",
            "小区南侧道路路灯损坏一个多月，夜间出行不便。",
            "历下区燕山立交桥附近",
            "reopened",
            "lixia",
            7,
            "已安排维修单位排查线路。",
            false,
        ),
        (
            TicketKind::Praise,
            Urgency::Normal,
            "表扬政务服务中心工作人员",
            "在政务服务中心办理营业执照时，窗口工作人员耐心细致，\
             一次办好。",
            "历下区政务服务中心",
            "closed",
            "lixia",
            6,
            "感谢您的肯定，已转达相关工作人员并予以表扬。",
            true,
        ),
        (
            TicketKind::Help,
            Urgency::Normal,
            "文化东路小区停水",
            "文化东路小区停水，请尽快处理。",
            "历下区文化东路",
            "merged",
            "",
            0,
            "",
            false,
        ),
    ]
}

/// The tickets of [`specs`], in order.
async fn tickets(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    desk: &Desk<'_>,
) -> Result<(), DbError> {
    let days = DemoDays::of(c, now).await?;
    let limits = TicketLimits::default();
    // The nearly due complaint has one working day left whether or not today is one.
    let nearly = if days.cal.is_working_day(days.today) {
        12
    } else {
        13
    };
    let mut received: Vec<Uuid> = Vec::new();
    for (i, spec) in specs(nearly).into_iter().enumerate() {
        let (kind, urgency, _, _, _, _, department, ..) = spec;
        let mut t = receive(c, &days, desk, i, spec).await?;
        if let Some(org) = desk.dept(department) {
            let working_days = limits.days(kind, urgency);
            dispatch(c, &days, desk, &mut t, org, working_days).await?;
        }
        progress(c, &days, desk, &mut t, spec, &limits, &received).await?;
        let id = t.id;
        repo::save_ticket(c, &t).await?;
        record(
            c,
            "hotline_ticket.receive",
            "hotline_ticket",
            id,
            Some(&desk.city.path),
            serde_json::json!({"number": t.number, "state": t.state}),
        )
        .await?;
        received.push(id);
    }
    Ok(())
}

/// The `i`th ticket, received at nine on its day.
async fn receive(
    c: &mut Conn,
    days: &DemoDays,
    desk: &Desk<'_>,
    i: usize,
    spec: Spec,
) -> Result<repo::Ticket, DbError> {
    let (kind, urgency, subject, description, location, _, _, ago, _, _) = spec;
    let received_on = if ago > 0 { days.back(ago) } else { days.today };
    let received_at = days.at(received_on, 9);
    let serial =
        zhengwu_persistence::supervision::next_serial(c, "hotline", received_on.year()).await?;
    let id = demo_id(ids::TICKET, i as u16 + 1);
    let t = repo::Ticket {
        id,
        number: format!("RX{}{serial:06}", received_on.year()),
        kind: kind.as_str().to_owned(),
        urgency: urgency.as_str().to_owned(),
        channel: if i.is_multiple_of(3) { "web" } else { "phone" }.to_owned(),
        subject: subject.to_owned(),
        description: description.to_owned(),
        location: (!location.is_empty()).then(|| location.to_owned()),
        caller_name: Some("张先生".to_owned()),
        caller_contact: serde_json::json!({"phone": "13800000000"}),
        classified: false,
        public_answer: false,
        query_code_hash: crate::app::cases::password_hash(&format!("DEMO2{i:03}")),
        center_id: desk.city.id,
        submitter_id: if i.is_multiple_of(3) {
            desk.citizen
        } else {
            None
        },
        state: "received".to_owned(),
        received_at,
        received_on,
        responsible_org_id: None,
        dispatched_on: None,
        due_date: None,
        return_count: 0,
        extension_days: 0,
        extension_request: None,
        reply: None,
        replied_at: None,
        callback_satisfied: None,
        reopen_count: 0,
        merged_into: None,
        closed_at: None,
        version: 1,
    };
    repo::insert_ticket(c, &t).await?;
    repo::add_event(
        c,
        zhengwu_domain::ids::TicketId(id),
        received_at,
        Some(desk.operator),
        "receive",
        None,
        serde_json::json!({"channel": t.channel}),
    )
    .await?;
    Ok(t)
}

/// Dispatches a ticket to `org` on the day it was received, due in `working_days`.
async fn dispatch(
    c: &mut Conn,
    days: &DemoDays,
    desk: &Desk<'_>,
    t: &mut repo::Ticket,
    org: Uuid,
    working_days: u32,
) -> Result<(), DbError> {
    let (id, received_on) = (t.id, t.received_on);
    let basis = DeadlineBasis::after(received_on, working_days);
    let due = stored_deadline(c, &days.cal, Target::of(StoredDeadline::Ticket, id), basis).await?;
    t.responsible_org_id = Some(org);
    t.dispatched_on = Some(received_on);
    t.due_date = Some(due);
    t.state = "dispatched".to_owned();
    repo::add_event(
        c,
        zhengwu_domain::ids::TicketId(id),
        days.at(received_on, 10),
        Some(desk.operator),
        "dispatch",
        None,
        serde_json::json!({"organization_id": org, "due_date": due}),
    )
    .await?;
    Ok(())
}

/// Takes a dispatched ticket on to its target state: returned, answered (and called back,
/// reopened or closed) or merged into the second ticket.
async fn progress(
    c: &mut Conn,
    days: &DemoDays,
    desk: &Desk<'_>,
    t: &mut repo::Ticket,
    spec: Spec,
    limits: &TicketLimits,
    received: &[Uuid],
) -> Result<(), DbError> {
    let (_, _, _, _, _, target, _, ago, reply, public) = spec;
    let id = t.id;
    match target {
        "returned" => {
            t.return_count = 1;
            t.responsible_org_id = None;
            t.dispatched_on = None;
            t.due_date = None;
            t.state = "returned".to_owned();
            repo::add_event(
                c,
                zhengwu_domain::ids::TicketId(id),
                days.at(days.back(2), 11),
                Some(desk.responder),
                "return",
                Some("补贴发放属于县农业农村部门职责，请改派"),
                serde_json::json!({"returns": 1}),
            )
            .await?;
        }
        "replied" | "called_back" | "reopened" | "closed" => {
            let replied_on = days.back(ago.saturating_sub(2).max(1));
            t.reply = Some(reply.to_owned());
            t.replied_at = Some(days.at(replied_on, 15));
            t.public_answer = public;
            t.state = "replied".to_owned();
            repo::add_event(
                c,
                zhengwu_domain::ids::TicketId(id),
                days.at(replied_on, 15),
                Some(desk.responder),
                "reply",
                Some(reply),
                serde_json::json!({"public": public, "on_time": true}),
            )
            .await?;
            if target != "replied" {
                let satisfied = target != "reopened";
                let call_on = days.back(1);
                t.callback_satisfied = Some(satisfied);
                if satisfied {
                    t.state = "called_back".to_owned();
                    repo::add_event(
                        c,
                        zhengwu_domain::ids::TicketId(id),
                        days.at(call_on, 10),
                        Some(desk.operator),
                        "callback",
                        Some("市民表示满意"),
                        serde_json::json!({"satisfied": true}),
                    )
                    .await?;
                } else {
                    let basis = DeadlineBasis::after(call_on, limits.reopened);
                    let ticket = Target::of(StoredDeadline::Ticket, id);
                    let due = stored_deadline(c, &days.cal, ticket, basis).await?;
                    t.state = "reopened".to_owned();
                    t.reopen_count = 1;
                    t.dispatched_on = Some(call_on);
                    t.due_date = Some(due);
                    repo::add_event(
                        c,
                        zhengwu_domain::ids::TicketId(id),
                        days.at(call_on, 10),
                        Some(desk.operator),
                        "callback",
                        Some("市民反映路灯仍未修复"),
                        serde_json::json!({"satisfied": false, "due_date": due}),
                    )
                    .await?;
                }
            }
            if target == "closed" {
                t.state = "closed".to_owned();
                t.closed_at = Some(days.at(days.back(1), 16));
                repo::add_event(
                    c,
                    zhengwu_domain::ids::TicketId(id),
                    days.at(days.back(1), 16),
                    Some(desk.operator),
                    "close",
                    None,
                    serde_json::json!({}),
                )
                .await?;
            }
        }
        "merged" => {
            if let Some(into) = received.get(1).copied() {
                t.state = "merged".to_owned();
                t.merged_into = Some(into);
                t.closed_at = Some(days.at(days.today, 9));
                repo::add_event(
                    c,
                    zhengwu_domain::ids::TicketId(id),
                    days.at(days.today, 9),
                    Some(desk.operator),
                    "merge",
                    Some("同一小区停水，重复来电"),
                    serde_json::json!({"into": into}),
                )
                .await?;
                repo::add_event(
                    c,
                    zhengwu_domain::ids::TicketId(into),
                    days.at(days.today, 9),
                    Some(desk.operator),
                    "absorb",
                    None,
                    serde_json::json!({"ticket": id}),
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}
