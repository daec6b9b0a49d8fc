//! Bootstrap and demo data: the first administrator, and a small realistic data set so that
//! Swagger UI is worth exploring at once. The data set is inserted area by area, each in a
//! file of its own; [`load_at`] runs them in order.

use chrono::NaiveDate;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zhengwu_domain::account::{self, Role};
use zhengwu_domain::calendar::{Calendar, DeadlineBasis, YearSchedule};
use zhengwu_domain::ids::UserId;
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::audit::{self, Actor, NewEvent};
use zhengwu_persistence::deadlines::{self, Target};
use zhengwu_persistence::orgs::Organization;
use zhengwu_persistence::{Conn, DbError, users};

pub mod ids;

mod assessments;
mod calendar;
mod cases;
mod disclosure;
mod evaluations;
mod hotline;
mod knowledge;
mod matters;
mod orgs;
mod participation;
mod supervision;

pub use self::calendar::schedule_2025;

use crate::auth::hash_password;
use crate::config::Config;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "zhengwu-demo-2026";

pub(crate) async fn connect(config: &Config) -> Result<AsyncPgConnection, String> {
    zhengwu_persistence::tls::establish(&config.database_url)
        .await
        .map_err(|e| e.to_string())
}

/// A stored deadline of the demo, counted and kept as the API keeps its own: provisional
/// while a year it spans has no schedule loaded.
async fn stored_deadline(
    c: &mut Conn,
    cal: &Calendar,
    target: Target,
    basis: DeadlineBasis,
) -> Result<NaiveDate, DbError> {
    let counted = cal
        .deadline(&basis)
        .map_err(|e| DbError::Other(e.to_string()))?;
    deadlines::keep(
        c,
        &target,
        &basis,
        counted.due_date,
        &counted.years_without_schedule,
    )
    .await?;
    Ok(counted.due_date)
}

/// Keeps the due date a clock reading gives, as the API does.
async fn keep_reading(
    c: &mut Conn,
    target: Target,
    reading: Option<zhengwu_domain::calendar::ClockReading>,
) -> Result<Option<NaiveDate>, DbError> {
    let Some((r, due)) = reading.and_then(|r| r.due_date.map(|d| (r, d))) else {
        return Ok(None);
    };
    deadlines::keep(c, &target, &r.basis, due, &r.years_without_schedule).await?;
    Ok(Some(due))
}

pub(crate) async fn record(
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
            // The loader's transactions run one after another: one chain serves them.
            chain: 0,
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

/// Creates a system administrator unless an account of that name exists, which is then left
/// as it is (its password, role and state). Returns whether it was created.
pub async fn create_admin_if_missing(
    config: &Config,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<bool, String> {
    let mut conn = connect(config).await?;
    if users::find_by_username(&mut conn, username)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(false);
    }
    drop(conn);
    create_admin(config, username, display_name, password).await
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
        match users::find_by_username(c, username).await? {
            Some(u) => {
                users::get_for_update(c, UserId(u.id)).await?;
                users::set_password(c, UserId(u.id), &hash).await?;
                zhengwu_persistence::login_throttle::clear_subject(
                    c,
                    &zhengwu_persistence::login_throttle::user_subject(&u.username),
                )
                .await?;
                users::update(
                    c,
                    UserId(u.id),
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
                zhengwu_persistence::tokens::revoke_user(c, UserId(u.id), chrono::Utc::now())
                    .await?;
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
            crate::app::catalogue::seed_catalogue(c, o).await?;
        }
        Ok(missing.len())
    })
    .await
    .map_err(|e| e.to_string())
}

/// What the demo has made so far that later areas refer to by key: organisations (by their
/// key in [`orgs::ORGS`]), accounts (by username) and windows (by hall key and number).
#[derive(Default)]
struct Made {
    orgs: Vec<(&'static str, Organization)>,
    people: Vec<(&'static str, Uuid)>,
    windows: Vec<(&'static str, &'static str, Uuid)>,
}

impl Made {
    fn org(&self, key: &str) -> Option<Organization> {
        self.orgs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o.clone())
    }

    fn person(&self, username: &str) -> Option<Uuid> {
        self.people
            .iter()
            .find(|(n, _)| *n == username)
            .map(|(_, id)| *id)
    }

    fn window(&self, hall: &str, number: &str) -> Option<Uuid> {
        self.windows
            .iter()
            .find(|(h, n, _)| *h == hall && *n == number)
            .map(|(_, _, id)| *id)
    }
}

/// Where the demo's cases are taken in: the first service matter (the construction permit),
/// its organisation, its first window (A01 of the city hall) and the clerk who receives them.
struct Intake<'a> {
    org: &'a Organization,
    matter_id: Uuid,
    window: Option<Uuid>,
    clerk: Uuid,
}

/// Loads the demo data set once; later calls change nothing.
pub async fn load(config: &Config) -> Result<String, String> {
    load_at(config, chrono::Utc::now()).await
}

/// Loads the demo data as of `now`: the dates of its cases, applications, tickets and
/// attendance are counted back from that day (tests load it as of a fixed day).
pub async fn load_at(
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, String> {
    let mut conn = connect(config).await?;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let schedule = schedule_2025()?;
    conn.transaction::<_, DbError, _>(async |c| {
        if zhengwu_persistence::orgs::credit_code_exists(c, &orgs::city_credit_code()).await? {
            return Ok("demo data is already loaded; nothing changed".to_owned());
        }
        let evaluations = insert(c, now, &hash, &schedule).await?;
        Ok(summary(evaluations))
    })
    .await
    .map_err(|e| e.to_string())
}

/// Inserts the demo data, area by area, in the order later areas need (the cases refer to
/// the matters, the evaluations to the cases). Returns how many evaluations it gave.
async fn insert(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    hash: &str,
    schedule: &YearSchedule,
) -> Result<usize, DbError> {
    let mut made = Made::default();
    orgs::load_organisations(c, &mut made).await?;
    orgs::load_staff(c, &mut made, hash).await?;
    orgs::load_applicants(c, &mut made, hash).await?;
    orgs::load_windows(c, &mut made).await?;
    zhengwu_persistence::calendar::put_year(c, schedule).await?;
    let first_matter = matters::load(c, now, &made).await?;
    if let (Some(o), Some(officer)) = (made.org("lixia"), made.person("lixia.disclosure")) {
        participation::load(c, now, &o, officer).await?;
    }
    if let (Some((matter_id, o, window)), Some(clerk)) =
        (first_matter.clone(), made.person("city.clerk.a"))
    {
        let intake = Intake {
            org: &o,
            matter_id,
            window,
            clerk,
        };
        cases::load(c, now, &intake).await?;
        if let Some(supervisor) = made.person("city.supervisor") {
            let citizen = made.person("zhang.san");
            supervision::load(c, now, &intake, supervisor, citizen).await?;
        }
    }
    hotline::load(c, now, &made).await?;
    disclosure::load(c, now, &made).await?;
    record(
        c,
        "calendar.put",
        "calendar",
        2025,
        None,
        serde_json::json!({"year": 2025}),
    )
    .await?;
    if let (Some(h), Some(supervisor)) = (made.org("city_hall"), made.person("city.supervisor")) {
        let staffed = orgs::staffed(&made, "city_hall");
        assessments::load(c, now, &h, &staffed, supervisor).await?;
    }
    match (first_matter, made.person("city.reviewer")) {
        (Some((_, o, _)), Some(reviewer)) => evaluations::load(c, now, &o, reviewer).await,
        _ => Ok(0),
    }
}

/// What [`load_at`] reports it loaded.
fn summary(evaluations: usize) -> String {
    format!(
        "demo data loaded: {} organisations, {} staff accounts and 2 applicants (password {DEMO_\
         PASSWORD:?}: city.admin, city.disclosure, city.reviewer, city.clerk.a, lixia.clerk.a, city\
         .supervisor, zhang.san, city.hotline, …), {} windows, {} disclosure items, {} service \
         matters with a case in every state (query passwords DEMO0000…\
         DEMO0006), {evaluations} evaluations of decided cases (one bad review under rectification)\
         , supervision findings and complaints (query codes DEMO3004, DEMO3006), 30 days of \
         attendance and daily assessments at the city hall, 12345 tickets in every state (query \
         codes DEMO2000…DEMO2008), {} knowledge-base entries, the 2025 holiday schedule",
        orgs::ORGS.len(),
        orgs::STAFF.len(),
        orgs::WINDOWS.len(),
        disclosure::DISCLOSURES.len(),
        matters::MATTERS.len(),
        knowledge::KNOWLEDGE.len()
    )
}
