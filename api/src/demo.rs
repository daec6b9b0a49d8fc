//! Bootstrap and demo data: the first administrator, and a small realistic data set so that
//! Swagger UI is worth exploring at once.

use chrono::NaiveDate;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zhengwu_domain::account::{self, ApplicantType, LegalPersonKind, Post, Role};
use zhengwu_domain::calendar::YearSchedule;
use zhengwu_domain::org::{CreditCode, OrgKind, OrgLevel, OrgPath};
use zhengwu_persistence::audit::{self, Actor, NewEvent};
use zhengwu_persistence::{Conn, DbError, calendar, orgs, users, windows};

use crate::auth::hash_password;
use crate::config::Config;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "zhengwu-demo-2026";

async fn connect(config: &Config) -> Result<AsyncPgConnection, String> {
    AsyncPgConnection::establish(&config.database_url)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))
}

async fn record(
    c: &mut Conn,
    action: &str,
    entity_type: &'static str,
    id: impl ToString,
    org_path: Option<&OrgPath>,
    after: serde_json::Value,
) -> Result<(), DbError> {
    audit::append(
        c,
        NewEvent {
            occurred_at: chrono::Utc::now(),
            actor: Actor::system(),
            action: action.to_owned(),
            entity_type,
            entity_id: id.to_string(),
            org_path: org_path.map(|p| p.as_str().to_owned()),
            before: None,
            after: Some(after),
            request_id: None,
        },
    )
    .await
    .map(|_| ())
}

/// Creates a system administrator, or resets the password of an existing account of that
/// name and makes it an active system administrator. Returns whether it was created.
pub async fn create_admin(
    config: &Config,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<bool, String> {
    account::username(username).map_err(|e| format!("username: {}", e.message))?;
    account::password(password).map_err(|e| format!("password: {}", e.message))?;
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    let mut conn = connect(config).await?;
    conn.transaction::<_, DbError, _>(async |c| {
        match users::find_by_username_for_update(c, username).await? {
            Some(u) => {
                users::set_password(c, u.id, &hash).await?;
                users::update(
                    c,
                    u.id,
                    &users::Changes {
                        display_name: u.display_name.clone(),
                        role: Role::SysAdmin.as_str().to_owned(),
                        organization_id: u.organization_id,
                        phone: u.phone.clone(),
                        email: u.email.clone(),
                        active: true,
                    },
                )
                .await?;
                zhengwu_persistence::tokens::revoke_user(c, u.id, chrono::Utc::now()).await?;
                record(
                    c,
                    "user.admin_reset",
                    "user",
                    u.id,
                    None,
                    serde_json::json!({"username": username}),
                )
                .await?;
                Ok(false)
            }
            None => {
                let id = Uuid::now_v7();
                users::insert(
                    c,
                    users::NewUser {
                        id,
                        username: username.to_owned(),
                        password_hash: hash.clone(),
                        display_name: display_name.to_owned(),
                        role: Role::SysAdmin,
                        organization_id: None,
                        applicant_type: None,
                        legal_person_kind: None,
                        phone: None,
                        email: None,
                    },
                )
                .await?;
                record(
                    c,
                    "user.create_admin",
                    "user",
                    id,
                    None,
                    serde_json::json!({"username": username, "role": "sys_admin"}),
                )
                .await?;
                Ok(true)
            }
        }
    })
    .await
    .map_err(|e| e.to_string())
}

/// Gives every organisation without a disclosure catalogue the standard one (for
/// organisations created before catalogues existed). Returns how many were given one.
pub async fn backfill_catalogues(config: &Config) -> Result<usize, String> {
    let mut conn = connect(config).await?;
    conn.transaction::<_, DbError, _>(async |c| {
        let missing = zhengwu_persistence::disclosure::organizations_without_catalogue(c).await?;
        for o in &missing {
            crate::routes::catalogue::seed_catalogue(c, o).await?;
        }
        Ok(missing.len())
    })
    .await
    .map_err(|e| e.to_string())
}

/// A credit code with a correct check character, from its first 17 characters.
fn credit(first17: &str) -> Option<String> {
    CreditCode::check_char(first17).map(|c| format!("{first17}{}", c as char))
}

struct OrgSpec {
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

const ORGS: &[OrgSpec] = &[
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
const STAFF: &[(&str, &str, Role, &str)] = &[
    ("city.admin", "刘建国", Role::OrgAdmin, "city"),
    (
        "city.disclosure",
        "陈晓燕",
        Role::DisclosureOfficer,
        "city_office",
    ),
    ("city.reviewer", "赵志强", Role::Reviewer, "city_office"),
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
];

/// (hall key, number, name, combined, [(staff username, post)])
type WindowSpec = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, Post)],
);
const WINDOWS: &[WindowSpec] = &[
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

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter()
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect()
}

/// The State Council's published 2025 schedule (国办发明电〔2024〕12号).
pub fn schedule_2025() -> Result<YearSchedule, String> {
    YearSchedule::new(
        2025,
        &dates(&[
            "2025-01-01",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-02-01",
            "2025-02-02",
            "2025-02-03",
            "2025-02-04",
            "2025-04-04",
            "2025-04-05",
            "2025-04-06",
            "2025-05-01",
            "2025-05-02",
            "2025-05-03",
            "2025-05-04",
            "2025-05-05",
            "2025-05-31",
            "2025-06-01",
            "2025-06-02",
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
        ]),
        &dates(&[
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ]),
    )
    .map_err(|e| format!("2025 schedule: {e:?}"))
}

/// Loads the demo data set once; later calls change nothing.
pub async fn load(config: &Config) -> Result<String, String> {
    let mut conn = connect(config).await?;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let schedule = schedule_2025()?;
    conn.transaction::<_, DbError, _>(async |c| {
        let city_code = credit(ORGS[0].credit17).unwrap_or_default();
        let existing = orgs::list(c, &orgs::Filter { limit: 1000, ..Default::default() }).await?;
        if existing.iter().any(|o| o.credit_code.as_deref() == Some(city_code.as_str())) {
            return Ok("demo data is already loaded; nothing changed".to_owned());
        }
        let mut made: Vec<(&str, orgs::Organization)> = Vec::new();
        for s in ORGS {
            let id = Uuid::now_v7();
            let parent = s.parent.and_then(|p| made.iter().find(|(k, _)| *k == p).map(|(_, o)| o.clone()));
            let path = match &parent {
                Some(p) => p.path.child(id.into()),
                None => OrgPath::root(id.into()),
            };
            let o = orgs::insert(
                c,
                orgs::NewOrganization {
                    id,
                    parent_id: parent.as_ref().map(|p| p.id),
                    path: path.clone(),
                    kind: s.kind,
                    level: s.level,
                    fields: orgs::Fields {
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
            crate::routes::catalogue::seed_catalogue(c, &o).await?;
            record(c, "organization.create", "organization", id, Some(&path), serde_json::json!({"name": s.name})).await?;
            made.push((s.key, o));
        }
        let org = |key: &str| made.iter().find(|(k, _)| *k == key).map(|(_, o)| o.clone());
        let mut people: Vec<(&str, Uuid)> = Vec::new();
        for (username, name, role, org_key) in STAFF {
            let Some(o) = org(org_key) else { continue };
            let id = Uuid::now_v7();
            users::insert(
                c,
                users::NewUser {
                    id,
                    username: (*username).to_owned(),
                    password_hash: hash.clone(),
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
            record(c, "user.create", "user", id, Some(&o.path), serde_json::json!({"username": username, "role": role})).await?;
            people.push((username, id));
        }
        for (username, name, t, k) in [
            ("zhang.san", "张三", ApplicantType::NaturalPerson, None),
            ("qilu.tech", "济南齐鲁数字科技有限公司", ApplicantType::LegalPerson, Some(LegalPersonKind::CommercialEnterprise)),
        ] {
            let id = Uuid::now_v7();
            users::insert(
                c,
                users::NewUser {
                    id,
                    username: username.to_owned(),
                    password_hash: hash.clone(),
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
            record(c, "user.register", "user", id, None, serde_json::json!({"username": username})).await?;
        }
        for (hall, number, name, combined, staff) in WINDOWS {
            let Some(h) = org(hall) else { continue };
            let id = Uuid::now_v7();
            windows::insert(
                c,
                windows::NewWindow { id, hall_id: h.id, number: (*number).to_owned(), name: (*name).to_owned(), combined: *combined },
            )
            .await?;
            let list: Vec<(Uuid, Post)> = staff
                .iter()
                .filter_map(|(u, p)| people.iter().find(|(n, _)| n == u).map(|(_, id)| (*id, *p)))
                .collect();
            windows::replace_staff(c, id, &list).await?;
            record(c, "window.create", "window", id, Some(&h.path), serde_json::json!({"number": number, "name": name})).await?;
        }
        calendar::put_year(c, &schedule).await?;
        record(c, "calendar.put", "calendar", 2025, None, serde_json::json!({"year": 2025})).await?;
        Ok(format!(
            "demo data loaded: {} organisations, {} staff accounts and 2 applicants (password {DEMO_PASSWORD:?}: city.admin, lixia.clerk.a, city.supervisor, zhang.san, …), {} windows, the 2025 holiday schedule",
            ORGS.len(),
            STAFF.len(),
            WINDOWS.len()
        ))
    })
    .await
    .map_err(|e| e.to_string())
}
