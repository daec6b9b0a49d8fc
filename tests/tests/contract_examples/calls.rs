//! Who sends each operation's example, and the demo objects its path names.

use super::*;

pub(super) const DEMO_PASSWORD: &str = "zhengwu-demo-2026";

/// Who sends an operation's example, and where: the account (`None` anonymous, [`ADMIN`] the
/// system administrator, otherwise a demo account) and, for each path parameter, a query
/// of the demo database that returns its value as a `text` column `t`.
pub(super) struct Call {
    pub(super) user: Option<&'static str>,
    pub(super) params: Vec<(&'static str, String)>,
}

/// Demo objects by their fixed ids (`zhengwu_api::demo::ids`).
pub(super) const CITY: &str = "01941f29-7c00-7001-8000-000000000001";
pub(super) const CITY_SERVICES: &str = "01941f29-7c00-7001-8000-000000000003";
pub(super) const LIXIA: &str = "01941f29-7c00-7001-8000-000000000006";
pub(super) const CITY_HALL: &str = "01941f29-7c00-7001-8000-000000000005";
pub(super) const CLERK_A: &str = "01941f29-7c00-7002-8000-000000000005";
pub(super) const WINDOW_A01: &str = "01941f29-7c00-7003-8000-000000000001";
pub(super) const MATTER: &str = "01941f29-7c00-7004-8000-000000000001";

/// A query for the id of a row of `table` (alias `x`): one where `prefer` holds when there
/// is one (an earlier example may have moved it on), else any.
pub(super) fn pick(table: &str, prefer: &str) -> String {
    format!("SELECT x.id::text AS t FROM {table} x ORDER BY ({prefer}) IS TRUE DESC, x.id LIMIT 1")
}

pub(super) fn id(sql: String) -> Vec<(&'static str, String)> {
    vec![("id", sql)]
}

pub(super) fn lit(v: &str) -> String {
    format!("SELECT '{v}' AS t")
}

/// The calls of every operation that has a path parameter or a request body.
pub(super) fn calls() -> BTreeMap<&'static str, Call> {
    let mut m = BTreeMap::new();
    let mut add = |op: &'static str, user: &'static str, params: Vec<(&'static str, String)>| {
        let user = (user != "anonymous").then_some(user);
        m.insert(op, Call { user, params });
    };
    let none = Vec::new;
    let city = || id(lit(CITY));
    let anon = "anonymous";

    add("createToken", anon, none());
    add("refreshToken", anon, none());
    add("logOut", anon, none());
    add("registerApplicant", anon, none());
    // An account no other call uses: its password changes.
    add("changeOwnPassword", "pingyin.admin", none());

    add("createOrganization", ADMIN, none());
    add("getOrganization", "city.admin", city());
    add("updateOrganization", ADMIN, city());
    add("createUser", "city.admin", none());
    add("getUser", "city.admin", id(lit(CLERK_A)));
    add("updateUser", "city.admin", id(lit(CLERK_A)));
    add("createClient", ADMIN, none());
    add(
        "updateClient",
        ADMIN,
        id(pick("api_clients", "x.id IS NOT NULL")),
    );
    add("createWebhook", "city.admin", none());
    add(
        "updateWebhook",
        "city.admin",
        id(pick("webhook_subscriptions", "x.id IS NOT NULL")),
    );
    add(
        "rotateWebhookSecret",
        "city.admin",
        id(pick("webhook_subscriptions", "x.id IS NOT NULL")),
    );
    add("listHallWindows", "city.admin", id(lit(CITY_HALL)));
    add("createWindow", "city.admin", id(lit(CITY_HALL)));
    add("getWindow", "city.admin", id(lit(WINDOW_A01)));
    add("updateWindow", "city.admin", id(lit(WINDOW_A01)));
    add("setWindowStaff", "city.admin", id(lit(WINDOW_A01)));
    add("getCalendar", anon, vec![("year", lit("2025"))]);
    add("putCalendar", ADMIN, vec![("year", lit("2025"))]);

    let category = pick(
        "disclosure_categories",
        &format!("x.organization_id = '{CITY}' AND x.code BETWEEN '20' AND '98'"),
    );
    add("listDisclosureCategories", anon, city());
    add("createDisclosureCategory", "city.disclosure", city());
    add(
        "updateDisclosureCategory",
        "city.disclosure",
        id(category.clone()),
    );
    add("deleteDisclosureCategory", "city.disclosure", id(category));
    add("getDisclosureGuide", anon, city());
    add("putDisclosureGuide", "city.disclosure", city());

    let item = |state: &str| {
        id(pick(
            "disclosure_items",
            &format!("x.state = '{state}' AND x.organization_id = '{CITY}'"),
        ))
    };
    add("createDisclosure", "city.disclosure", none());
    add("getDisclosure", anon, item("published"));
    add("updateDisclosure", "city.disclosure", item("draft"));
    add("submitDisclosure", "city.disclosure", item("draft"));
    add("approveDisclosure", "city.reviewer", item("submitted"));
    add("rejectDisclosure", "city.reviewer", item("submitted"));
    add("publishDisclosure", "city.disclosure", item("approved"));
    add("reviseDisclosure", "city.disclosure", item("published"));
    add("withdrawDisclosure", "city.disclosure", item("published"));
    add("maskDisclosure", "city.disclosure", item("draft"));
    add("listDisclosureVersions", anon, item("published"));
    let mut version = item("published");
    version.push(("number", lit("1")));
    add("getDisclosureVersion", anon, version);

    let matter = |state: &str| {
        id(pick(
            "service_matters",
            &format!("x.state = '{state}' AND x.organization_id = '{CITY_SERVICES}'"),
        ))
    };
    add("createServiceMatter", "city.admin", none());
    add("getServiceMatter", "city.admin", id(lit(MATTER)));
    add("updateServiceMatter", "city.admin", matter("draft"));
    add("submitServiceMatter", "city.admin", matter("draft"));
    add("publishServiceMatter", "city.reviewer", matter("submitted"));
    add("suspendServiceMatter", "city.admin", matter("published"));
    add("resumeServiceMatter", "city.admin", matter("suspended"));
    add("abolishServiceMatter", "city.admin", matter("suspended"));
    add("listServiceMatterVersions", "city.admin", id(lit(MATTER)));
    add("getServiceGuide", anon, id(lit(MATTER)));

    let case = |state: &str| id(pick("cases", &format!("x.state = '{state}'")));
    let own_case = id(pick(
        "cases",
        "x.applicant_id = (SELECT id FROM users WHERE username = 'zhang.san')",
    ));
    add("createCase", "zhang.san", none());
    add("getCase", "city.clerk.a", case("accepted"));
    add("getCaseTimeline", "city.clerk.a", case("accepted"));
    add("acceptCase", "city.clerk.a", case("submitted"));
    add("refuseCase", "city.clerk.a", case("submitted"));
    add(
        "notifyCaseMissingMaterials",
        "city.clerk.a",
        case("submitted"),
    );
    add(
        "resubmitCaseMaterials",
        "city.clerk.a",
        case("materials_requested"),
    );
    add("assignCase", "city.clerk.a", case("accepted"));
    add("recordCaseStep", "city.clerk.a", case("accepted"));
    add("suspendCase", "city.clerk.a", case("accepted"));
    add("resumeCase", "city.clerk.a", case("suspended"));
    add("extendCase", "city.reviewer", case("accepted"));
    add("decideCase", "city.reviewer", case("accepted"));
    add("deliverCase", "city.clerk.b", case("decided"));
    add("chargeCase", "city.clerk.a", case("accepted"));
    add(
        "lookupPublicCase",
        anon,
        vec![("number", "SELECT number AS t FROM cases LIMIT 1".into())],
    );
    add("getCaseEvaluation", "city.admin", case("delivered"));
    add("evaluateCase", "zhang.san", own_case);

    let request = |state: &str| id(pick("disclosure_requests", &format!("x.state = '{state}'")));
    add("createDisclosureRequest", "zhang.san", none());
    add(
        "getDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "getDisclosureRequestTimeline",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "requestDisclosureRequestCorrection",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "submitDisclosureRequestCorrection",
        "lixia.disclosure",
        request("awaiting_correction"),
    );
    add(
        "closeLapsedDisclosureRequest",
        "lixia.disclosure",
        request("awaiting_correction"),
    );
    add(
        "consultOnDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "recordDisclosureRequestOpinion",
        "lixia.disclosure",
        request("consulting"),
    );
    add(
        "extendDisclosureRequest",
        "lixia.admin",
        request("received"),
    );
    add(
        "sendDisclosureRequestFeeNotice",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "recordDisclosureRequestFeePaid",
        "lixia.disclosure",
        request("awaiting_fee"),
    );
    add(
        "replyToDisclosureRequest",
        "lixia.disclosure",
        request("received"),
    );
    add(
        "createDisclosureRequestRemedy",
        "lixia.disclosure",
        request("replied"),
    );
    add(
        "updateDisclosureRequestRemedy",
        "lixia.disclosure",
        vec![
            (
                "id",
                "SELECT request_id::text AS t FROM request_remedies LIMIT 1".into(),
            ),
            (
                "remedy_id",
                "SELECT id::text AS t FROM request_remedies LIMIT 1".into(),
            ),
        ],
    );
    add(
        "putAnnualDisclosureReportText",
        "lixia.disclosure",
        vec![("org", lit(LIXIA)), ("year", lit("2025"))],
    );

    let consultation = id(pick("consultations", "x.state = 'open'"));
    add("createConsultation", "lixia.disclosure", none());
    add("getConsultation", anon, consultation.clone());
    add(
        "openConsultation",
        "lixia.disclosure",
        id(pick("consultations", "x.state = 'draft'")),
    );
    add(
        "closeConsultation",
        "lixia.disclosure",
        consultation.clone(),
    );
    add(
        "publishConsultationSummary",
        "lixia.disclosure",
        consultation.clone(),
    );
    add("listConsultationComments", anon, consultation.clone());
    add("createConsultationComment", anon, consultation);
    add(
        "moderateConsultationComment",
        "lixia.disclosure",
        id(pick("consultation_comments", "x.state = 'pending'")),
    );
    let message = |state: &str| id(pick("public_messages", &format!("x.state = '{state}'")));
    add("createPublicMessage", anon, none());
    add(
        "forwardPublicMessage",
        "lixia.disclosure",
        message("submitted"),
    );
    add(
        "answerPublicMessage",
        "lixia.disclosure",
        message("forwarded"),
    );
    add(
        "publishPublicMessage",
        "lixia.disclosure",
        message("answered"),
    );

    add("putSupervisionRules", "city.supervisor", none());
    let order = id(pick("supervision_orders", "x.state = 'issued'"));
    add("createSupervisionOrder", "city.supervisor", none());
    add("getSupervisionOrder", "city.supervisor", order.clone());
    add("respondToSupervisionOrder", "city.admin", order.clone());
    add("closeSupervisionOrder", "city.supervisor", order.clone());
    add("escalateSupervisionOrder", "city.supervisor", order);
    add("createAccountabilityRecord", "city.supervisor", none());

    let complaint = id(pick("complaints", "x.state = 'submitted'"));
    add("createComplaint", anon, none());
    add("getComplaint", "city.supervisor", complaint.clone());
    for op in [
        "acceptComplaint",
        "rejectComplaint",
        "handleComplaint",
        "replyToComplaint",
        "closeComplaint",
        "referComplaint",
    ] {
        add(op, "city.supervisor", complaint.clone());
    }
    add(
        "lookupPublicComplaint",
        anon,
        vec![(
            "number",
            "SELECT number AS t FROM complaints LIMIT 1".into(),
        )],
    );

    let ticket = |state: &str| id(pick("hotline_tickets", &format!("x.state = '{state}'")));
    add("createTicket", "city.hotline", none());
    add("getTicket", "city.hotline", ticket("dispatched"));
    add("getTicketTimeline", "city.hotline", ticket("dispatched"));
    add("dispatchTicket", "city.hotline", ticket("received"));
    add("returnTicket", "city.admin", ticket("dispatched"));
    add("requestTicketExtension", "city.admin", ticket("dispatched"));
    add(
        "decideTicketExtension",
        "city.hotline",
        ticket("dispatched"),
    );
    add("replyToTicket", "city.admin", ticket("dispatched"));
    add("recordTicketCallback", "city.hotline", ticket("replied"));
    add("closeTicket", "city.hotline", ticket("called_back"));
    add("mergeTicket", "city.hotline", ticket("received"));
    add(
        "createKnowledgeEntryFromTicket",
        "city.hotline",
        ticket("closed"),
    );
    add(
        "lookupPublicTicket",
        anon,
        vec![(
            "number",
            "SELECT number AS t FROM hotline_tickets LIMIT 1".into(),
        )],
    );
    let entry = |state: &str| id(pick("knowledge_entries", &format!("x.state = '{state}'")));
    add("createKnowledgeEntry", "city.hotline", none());
    add("getKnowledgeEntry", anon, entry("published"));
    add("updateKnowledgeEntry", "city.hotline", entry("draft"));
    add("submitKnowledgeEntry", "city.hotline", entry("draft"));
    add("publishKnowledgeEntry", "city.admin", entry("submitted"));
    add("rejectKnowledgeEntry", "city.admin", entry("submitted"));
    add("retireKnowledgeEntry", "city.admin", entry("published"));

    add("recordAttendance", "city.supervisor", none());
    add(
        "getAttendance",
        "city.supervisor",
        id(pick("attendance_records", "x.id IS NOT NULL")),
    );
    add(
        "amendAttendance",
        "city.supervisor",
        id(pick("attendance_records", "x.id IS NOT NULL")),
    );
    add("createAssessment", "city.supervisor", none());
    add(
        "getAssessment",
        "city.supervisor",
        id(pick("assessments", "x.id IS NOT NULL")),
    );
    add(
        "amendAssessment",
        "city.supervisor",
        id(pick("assessments", "x.id IS NOT NULL")),
    );
    add(
        "getMonthlyBulletin",
        "city.supervisor",
        vec![("month", lit("2026-11"))],
    );

    let evaluation = id(pick(
        "evaluations",
        "x.level IN ('dissatisfied', 'very_dissatisfied')",
    ));
    add("getEvaluation", "city.admin", evaluation.clone());
    add("appealEvaluation", "city.admin", evaluation.clone());
    add("decideEvaluationAppeal", "city.supervisor", evaluation);
    let rectification = id(pick("rectifications", "x.state <> 'closed'"));
    add("getRectification", "city.admin", rectification.clone());
    for op in [
        "verifyRectification",
        "rectifyRectification",
        "explainRectification",
        "recordRectificationCallback",
        "closeRectification",
    ] {
        add(op, "city.admin", rectification.clone());
    }
    m
}
