//! The organisations of the demo (a city with two counties, departments and halls), its
//! staff of every role and the windows of its halls.

use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind, Post, Role};
use zhengwu_domain::org::{CreditCode, OrgKind, OrgLevel, OrgPath};
use zhengwu_persistence::{Conn, DbError, orgs as repo, users, windows};

use super::assessments::DemoWindow;
use super::ids::{self, demo_id};
use super::{Made, record};

/// A credit code with a correct check character, from its first 17 characters.
fn credit(first17: &str) -> Option<String> {
    CreditCode::check_char(first17).map(|c| format!("{first17}{}", c as char))
}

pub(super) struct OrgSpec {
    key: &'static str,
    parent: Option<&'static str>,
    kind: OrgKind,
    level: OrgLevel,
    name: &'static str,
    division_code: Option<&'static str>,
    credit17: &'static str,
    address: &'static str,
    phone: &'static str,
}

pub(super) const ORGS: &[OrgSpec] = &[
    OrgSpec {
        key: "city",
        parent: None,
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::City,
        name: "济南市人民政府",
        division_code: Some("370100"),
        credit17: "11370100004192113",
        address: "济南市历下区龙奥北路1号",
        phone: "0531-51705000",
    },
    OrgSpec {
        key: "city_office",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市人民政府办公厅",
        division_code: None,
        credit17: "11370100004192121",
        address: "济南市历下区龙奥北路1号",
        phone: "0531-51705012",
    },
    OrgSpec {
        key: "city_services",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市行政审批服务局",
        division_code: None,
        credit17: "11370100MB2851630",
        address: "济南市历下区解放东路3号",
        phone: "0531-66608000",
    },
    OrgSpec {
        key: "city_market",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市市场监督管理局",
        division_code: None,
        credit17: "11370100MB2851259",
        address: "济南市市中区站前路9号",
        phone: "0531-82079000",
    },
    OrgSpec {
        key: "city_hall",
        parent: Some("city"),
        kind: OrgKind::Hall,
        level: OrgLevel::City,
        name: "济南市政务服务中心",
        division_code: None,
        credit17: "12370100MB2851711",
        address: "济南市历下区解放东路3号",
        phone: "0531-12345",
    },
    OrgSpec {
        key: "lixia",
        parent: Some("city"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::County,
        name: "历下区人民政府",
        division_code: Some("370102"),
        credit17: "11370102004228416",
        address: "济南市历下区龙鼎大道1号",
        phone: "0531-86026000",
    },
    OrgSpec {
        key: "lixia_services",
        parent: Some("lixia"),
        kind: OrgKind::Department,
        level: OrgLevel::County,
        name: "历下区行政审批服务局",
        division_code: None,
        credit17: "11370102MB2853152",
        address: "济南市历下区燕子山西路58号",
        phone: "0531-86556000",
    },
    OrgSpec {
        key: "lixia_hall",
        parent: Some("lixia"),
        kind: OrgKind::Hall,
        level: OrgLevel::County,
        name: "历下区政务服务中心",
        division_code: None,
        credit17: "12370102MB2853200",
        address: "济南市历下区燕子山西路58号",
        phone: "0531-86556100",
    },
    OrgSpec {
        key: "yaojia",
        parent: Some("lixia"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::Township,
        name: "姚家街道办事处",
        division_code: Some("370102007000"),
        credit17: "11370102004228459",
        address: "济南市历下区姚家东路188号",
        phone: "0531-88872000",
    },
    OrgSpec {
        key: "pingyin",
        parent: Some("city"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::County,
        name: "平阴县人民政府",
        division_code: Some("370124"),
        credit17: "11370124004318815",
        address: "济南市平阴县榆山路1号",
        phone: "0531-87881000",
    },
    OrgSpec {
        key: "pingyin_market",
        parent: Some("pingyin"),
        kind: OrgKind::Department,
        level: OrgLevel::County,
        name: "平阴县市场监督管理局",
        division_code: None,
        credit17: "11370124MB2855321",
        address: "济南市平阴县黄河路66号",
        phone: "0531-87886000",
    },
    OrgSpec {
        key: "pingyin_hall",
        parent: Some("pingyin"),
        kind: OrgKind::Hall,
        level: OrgLevel::County,
        name: "平阴县政务服务中心",
        division_code: None,
        credit17: "12370124MB2855410",
        address: "济南市平阴县青龙路22号",
        phone: "0531-87880000",
    },
];

/// (username, display name, role, organisation key)
pub(super) const STAFF: &[(&str, &str, Role, &str)] = &[
    ("city.admin", "刘建国", Role::OrgAdmin, "city"),
    ("city.disclosure", "陈晓燕", Role::DisclosureOfficer, "city"),
    ("city.reviewer", "赵志强", Role::Reviewer, "city"),
    ("city.supervisor", "孙丽华", Role::Supervisor, "city"),
    ("city.clerk.a", "王芳", Role::Clerk, "city_hall"),
    ("city.clerk.b", "李明", Role::Clerk, "city_hall"),
    ("city.clerk.c", "周婷", Role::Clerk, "city_hall"),
    ("lixia.admin", "张伟", Role::OrgAdmin, "lixia"),
    ("lixia.disclosure", "吴静", Role::DisclosureOfficer, "lixia"),
    ("lixia.reviewer", "郑凯", Role::Reviewer, "lixia_services"),
    ("lixia.supervisor", "马红梅", Role::Supervisor, "lixia"),
    ("lixia.clerk.a", "何佳", Role::Clerk, "lixia_hall"),
    ("lixia.clerk.b", "高磊", Role::Clerk, "lixia_hall"),
    ("pingyin.admin", "林涛", Role::OrgAdmin, "pingyin"),
    ("pingyin.clerk.a", "徐敏", Role::Clerk, "pingyin_hall"),
    ("pingyin.clerk.b", "朱勇", Role::Clerk, "pingyin_hall"),
    ("city.hotline", "赵静", Role::HotlineOperator, "city"),
    ("city.hotline.b", "钱坤", Role::HotlineOperator, "city"),
    (
        "city.services.reviewer",
        "刘洋",
        Role::Reviewer,
        "city_services",
    ),
];

/// (hall key, number, name, combined, [(staff username, post)])
type WindowSpec = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, Post)],
);
pub(super) const WINDOWS: &[WindowSpec] = &[
    (
        "city_hall",
        "A01",
        "综合受理窗口",
        true,
        &[("city.clerk.a", Post::A), ("city.clerk.b", Post::B)],
    ),
    (
        "city_hall",
        "A02",
        "企业开办专区窗口",
        false,
        &[("city.clerk.c", Post::A), ("city.clerk.a", Post::B)],
    ),
    (
        "city_hall",
        "C01",
        "统一出件窗口",
        false,
        &[("city.clerk.b", Post::A), ("city.clerk.c", Post::B)],
    ),
    (
        "lixia_hall",
        "01",
        "综合受理窗口",
        true,
        &[("lixia.clerk.a", Post::A), ("lixia.clerk.b", Post::B)],
    ),
    (
        "lixia_hall",
        "02",
        "社会事务窗口",
        false,
        &[("lixia.clerk.b", Post::A), ("lixia.clerk.a", Post::B)],
    ),
    (
        "pingyin_hall",
        "01",
        "综合受理窗口",
        true,
        &[("pingyin.clerk.a", Post::A), ("pingyin.clerk.b", Post::B)],
    ),
];

/// The credit code of the city, the first organisation: the demo is loaded if it exists.
pub(super) fn city_credit_code() -> String {
    credit(ORGS[0].credit17).unwrap_or_default()
}

/// The organisations, each with the standard disclosure catalogue, parents before children.
pub(super) async fn load_organisations(c: &mut Conn, made: &mut Made) -> Result<(), DbError> {
    for (n, s) in (1..).zip(ORGS) {
        let id = demo_id(ids::ORGANIZATION, n);
        let parent = s.parent.and_then(|p| made.org(p));
        let path = match &parent {
            Some(p) => p.path.child(id.into()),
            None => OrgPath::root(id.into()),
        };
        let o = repo::insert(
            c,
            repo::NewOrganization {
                id,
                parent_id: parent.as_ref().map(|p| p.id),
                path: path.clone(),
                kind: s.kind,
                level: s.level,
                fields: repo::Fields {
                    name: s.name.to_owned(),
                    short_name: None,
                    division_code: s.division_code.map(str::to_owned),
                    credit_code: credit(s.credit17),
                    address: Some(s.address.to_owned()),
                    phone: Some(s.phone.to_owned()),
                    office_hours: Some("工作日 9:00-12:00, 13:30-17:00".to_owned()),
                    active: true,
                },
            },
        )
        .await?;
        crate::app::catalogue::seed_catalogue(c, &o).await?;
        record(
            c,
            "organization.create",
            "organization",
            id,
            Some(&path),
            serde_json::json!({"name": s.name}),
        )
        .await?;
        made.orgs.push((s.key, o));
    }
    Ok(())
}

/// The staff accounts, with the password hash `hash`.
pub(super) async fn load_staff(c: &mut Conn, made: &mut Made, hash: &str) -> Result<(), DbError> {
    for (n, (username, name, role, org_key)) in (1..).zip(STAFF) {
        let Some(o) = made.org(org_key) else { continue };
        let id = demo_id(ids::USER, n);
        users::insert(
            c,
            users::NewUser {
                id,
                username: (*username).to_owned(),
                password_hash: hash.to_owned(),
                display_name: (*name).to_owned(),
                role: *role,
                organization_id: Some(o.id),
                applicant_type: None,
                legal_person_kind: None,
                phone: None,
                email: None,
            },
        )
        .await?;
        record(
            c,
            "user.create",
            "user",
            id,
            Some(&o.path),
            serde_json::json!({"username": username, "role": role}),
        )
        .await?;
        made.people.push((username, id));
    }
    Ok(())
}

/// Two applicants, a natural and a legal person, numbered after the staff.
pub(super) async fn load_applicants(
    c: &mut Conn,
    made: &mut Made,
    hash: &str,
) -> Result<(), DbError> {
    let applicants = [
        ("zhang.san", "张三", ApplicantType::NaturalPerson, None),
        (
            "qilu.tech",
            "济南齐鲁数字科技有限公司",
            ApplicantType::LegalPerson,
            Some(LegalPersonKind::CommercialEnterprise),
        ),
    ];
    for (n, (username, name, t, k)) in (STAFF.len() as u16 + 1..).zip(applicants) {
        let id = demo_id(ids::USER, n);
        users::insert(
            c,
            users::NewUser {
                id,
                username: username.to_owned(),
                password_hash: hash.to_owned(),
                display_name: name.to_owned(),
                role: Role::Applicant,
                organization_id: None,
                applicant_type: Some(t),
                legal_person_kind: k,
                phone: None,
                email: None,
            },
        )
        .await?;
        record(
            c,
            "user.register",
            "user",
            id,
            None,
            serde_json::json!({"username": username}),
        )
        .await?;
        made.people.push((username, id));
    }
    Ok(())
}

/// The windows of the halls, with their staff at posts A and B.
pub(super) async fn load_windows(c: &mut Conn, made: &mut Made) -> Result<(), DbError> {
    for (n, (hall, number, name, combined, staff)) in (1..).zip(WINDOWS) {
        let Some(h) = made.org(hall) else { continue };
        let id = demo_id(ids::WINDOW, n);
        made.windows.push((hall, number, id));
        windows::insert(
            c,
            windows::NewWindow {
                id: zhengwu_domain::ids::WindowId(id),
                hall_id: zhengwu_domain::ids::OrganizationId(h.id),
                number: (*number).to_owned(),
                name: (*name).to_owned(),
                combined: *combined,
            },
        )
        .await?;
        let list: Vec<(Uuid, Post)> = staff
            .iter()
            .filter_map(|(u, p)| made.person(u).map(|id| (id, *p)))
            .collect();
        windows::replace_staff(c, zhengwu_domain::ids::WindowId(id), &list).await?;
        record(
            c,
            "window.create",
            "window",
            id,
            Some(&h.path),
            serde_json::json!({"number": number, "name": name}),
        )
        .await?;
    }
    Ok(())
}

/// The windows of a hall with their staff, as the assessments take them.
pub(super) fn staffed(made: &Made, hall: &str) -> Vec<DemoWindow> {
    WINDOWS
        .iter()
        .filter(|(h, ..)| *h == hall)
        .filter_map(|(h, number, _, _, list)| {
            let staff = list
                .iter()
                .filter_map(|(u, p)| made.person(u).map(|id| (id, *p)))
                .collect();
            made.window(h, number).map(|id| (id, staff))
        })
        .collect()
}
