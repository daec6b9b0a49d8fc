//! Service matters (政务服务事项) and their versions.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::ids::{MatterId, OrganizationId, WindowId};
use zhengwu_domain::matters::{APPLY_ONLINE, ON_GUIDE};
use zhengwu_domain::services::{
    CaseKind, FeeItem, ImplementerNature, Material, MatterState, MatterType, OnlineDepth,
    ProcedureStep, ServiceObject,
};

use crate::db::{Conn, DbError};
use crate::schema::{service_matter_versions, service_matters};
use crate::scope::{Scope, org_ids};
use crate::{parse_col, search};

/// What a matter version says: everything of its service guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterContent {
    pub name: String,
    pub matter_type: MatterType,
    pub implementer_nature: ImplementerNature,
    pub service_objects: Vec<ServiceObject>,
    pub legal_basis: String,
    pub conditions: String,
    pub procedure: Vec<ProcedureStep>,
    pub statutory_days: u32,
    pub promised_days: u32,
    pub case_kind: CaseKind,
    pub max_visits: u32,
    pub online_depth: OnlineDepth,
    pub fees: Vec<FeeItem>,
    pub materials: Vec<Material>,
    pub result_certificate: Option<String>,
    pub window_ids: Vec<Uuid>,
    pub consultation_phone: Option<String>,
    pub complaint_phone: Option<String>,
    pub entered_hall: bool,
    pub classified: bool,
}

/// A matter: its codes, state and version pointers.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = service_matters)]
struct MatterRow {
    id: Uuid,
    organization_id: Uuid,
    basic_code: String,
    implementation_code: String,
    working_version: i32,
    published_version: Option<i32>,
    state: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matter {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub basic_code: String,
    pub implementation_code: String,
    pub working_version: i32,
    pub published_version: Option<i32>,
    pub state: MatterState,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<MatterRow> for Matter {
    type Error = DbError;
    fn try_from(r: MatterRow) -> Result<Self, DbError> {
        Ok(Matter {
            id: r.id,
            organization_id: r.organization_id,
            basic_code: r.basic_code,
            implementation_code: r.implementation_code,
            working_version: r.working_version,
            published_version: r.published_version,
            state: parse_col(&r.state, MatterState::parse)?,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_matter_versions)]
struct VersionRow {
    matter_id: Uuid,
    number: i32,
    name: String,
    matter_type: String,
    implementer_nature: String,
    service_objects: Vec<String>,
    legal_basis: String,
    conditions: String,
    procedure: serde_json::Value,
    statutory_days: i32,
    promised_days: i32,
    case_kind: String,
    max_visits: i32,
    online_depth: String,
    fees: serde_json::Value,
    materials: serde_json::Value,
    result_certificate: Option<String>,
    window_ids: Vec<Uuid>,
    consultation_phone: Option<String>,
    complaint_phone: Option<String>,
    entered_hall: bool,
    classified: bool,
    submitted_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
    published_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

/// One version of a matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterVersion {
    pub matter_id: Uuid,
    pub number: i32,
    pub content: MatterContent,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

fn json_list<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<Vec<T>, DbError> {
    serde_json::from_value(v).map_err(|e| DbError::Other(format!("stored list unreadable: {e}")))
}

impl TryFrom<VersionRow> for MatterVersion {
    type Error = DbError;
    fn try_from(r: VersionRow) -> Result<Self, DbError> {
        Ok(MatterVersion {
            matter_id: r.matter_id,
            number: r.number,
            content: MatterContent {
                name: r.name,
                matter_type: parse_col(&r.matter_type, MatterType::parse)?,
                implementer_nature: parse_col(&r.implementer_nature, ImplementerNature::parse)?,
                service_objects: r
                    .service_objects
                    .iter()
                    .map(|o| parse_col(o, ServiceObject::parse))
                    .collect::<Result<_, _>>()?,
                legal_basis: r.legal_basis,
                conditions: r.conditions,
                procedure: json_list(r.procedure)?,
                statutory_days: u32::try_from(r.statutory_days).unwrap_or(0),
                promised_days: u32::try_from(r.promised_days).unwrap_or(0),
                case_kind: parse_col(&r.case_kind, CaseKind::parse)?,
                max_visits: u32::try_from(r.max_visits).unwrap_or(0),
                online_depth: parse_col(&r.online_depth, OnlineDepth::parse)?,
                fees: json_list(r.fees)?,
                materials: json_list(r.materials)?,
                result_certificate: r.result_certificate,
                window_ids: r.window_ids,
                consultation_phone: r.consultation_phone,
                complaint_phone: r.complaint_phone,
                entered_hall: r.entered_hall,
                classified: r.classified,
            },
            submitted_at: r.submitted_at,
            published_at: r.published_at,
            published_by: r.published_by,
            created_at: r.created_at,
        })
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, DbError> {
    serde_json::to_value(v).map_err(|e| DbError::Other(e.to_string()))
}

async fn index_version(
    conn: &mut Conn,
    matter_id: Uuid,
    number: i32,
    c: &MatterContent,
) -> Result<(), DbError> {
    let materials: Vec<&str> = c.materials.iter().map(|m| m.name.as_str()).collect();
    crate::sql::prepared(
        "UPDATE service_matter_versions SET search_vector = \
         setweight(to_tsvector('simple', $1), 'A') || \
         setweight(to_tsvector('simple', $2), 'B') || \
         setweight(to_tsvector('simple', $3), 'C') \
         WHERE matter_id = $4 AND number = $5",
    )
    .bind::<Text, _>(search::segment_document(&c.name))
    .bind::<Text, _>(search::segment_document(&c.conditions))
    .bind::<Text, _>(search::segment_document(&format!(
        "{} {}",
        c.legal_basis,
        materials.join(" ")
    )))
    .bind::<SqlUuid, _>(matter_id)
    .bind::<diesel::sql_types::Int4, _>(number)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes version `number` of a matter (insert, or update while unpublished).
pub async fn put_version(
    conn: &mut Conn,
    matter_id: MatterId,
    number: i32,
    c: &MatterContent,
) -> Result<(), DbError> {
    let matter_id = matter_id.0;
    let objects: Vec<&str> = c.service_objects.iter().map(|o| o.as_str()).collect();
    let values = (
        service_matter_versions::name.eq(&c.name),
        service_matter_versions::matter_type.eq(c.matter_type.as_str()),
        service_matter_versions::implementer_nature.eq(c.implementer_nature.as_str()),
        service_matter_versions::service_objects.eq(objects),
        service_matter_versions::legal_basis.eq(&c.legal_basis),
        service_matter_versions::conditions.eq(&c.conditions),
        service_matter_versions::procedure.eq(to_json(&c.procedure)?),
        service_matter_versions::statutory_days.eq(c.statutory_days as i32),
        service_matter_versions::promised_days.eq(c.promised_days as i32),
        service_matter_versions::case_kind.eq(c.case_kind.as_str()),
        service_matter_versions::max_visits.eq(c.max_visits as i32),
        service_matter_versions::online_depth.eq(c.online_depth.as_str()),
        service_matter_versions::fees.eq(to_json(&c.fees)?),
        service_matter_versions::materials.eq(to_json(&c.materials)?),
        service_matter_versions::result_certificate.eq(&c.result_certificate),
        service_matter_versions::window_ids.eq(&c.window_ids),
        service_matter_versions::consultation_phone.eq(&c.consultation_phone),
        service_matter_versions::complaint_phone.eq(&c.complaint_phone),
        service_matter_versions::entered_hall.eq(c.entered_hall),
        service_matter_versions::classified.eq(c.classified),
    );
    diesel::insert_into(service_matter_versions::table)
        .values((
            service_matter_versions::matter_id.eq(matter_id),
            service_matter_versions::number.eq(number),
            values.clone(),
        ))
        .on_conflict((
            service_matter_versions::matter_id,
            service_matter_versions::number,
        ))
        .do_update()
        .set(values)
        .execute(conn)
        .await?;
    index_version(conn, matter_id, number, c).await
}

pub struct NewMatter {
    pub id: MatterId,
    pub organization_id: OrganizationId,
    pub basic_code: String,
    pub implementation_code: String,
}

pub async fn insert_matter(
    conn: &mut Conn,
    m: &NewMatter,
    c: &MatterContent,
) -> Result<Matter, DbError> {
    let row: MatterRow = diesel::insert_into(service_matters::table)
        .values((
            service_matters::id.eq(m.id.0),
            service_matters::organization_id.eq(m.organization_id.0),
            service_matters::basic_code.eq(&m.basic_code),
            service_matters::implementation_code.eq(&m.implementation_code),
            service_matters::state.eq(MatterState::Draft.as_str()),
        ))
        .returning(MatterRow::as_returning())
        .get_result(conn)
        .await?;
    put_version(conn, m.id, 1, c).await?;
    row.try_into()
}

pub async fn get_matter(conn: &mut Conn, id: Uuid) -> Result<Matter, DbError> {
    let row: MatterRow = service_matters::table
        .find(id)
        .select(MatterRow::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

/// The names of the given matter versions, in one statement however many.
pub async fn version_names(
    mut conn: &Conn,
    versions: &[(Uuid, i32)],
) -> Result<std::collections::HashMap<(Uuid, i32), String>, DbError> {
    let mut wanted = versions.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut matter_ids: Vec<Uuid> = wanted.iter().map(|v| v.0).collect();
    matter_ids.dedup();
    let names: Vec<(Uuid, i32, String)> = service_matter_versions::table
        .filter(crate::sql::one_or_any(
            service_matter_versions::matter_id,
            &matter_ids,
        ))
        .select((
            service_matter_versions::matter_id,
            service_matter_versions::number,
            service_matter_versions::name,
        ))
        .load(&mut conn)
        .await?;
    Ok(names
        .into_iter()
        .filter(|(m, n, _)| wanted.binary_search(&(*m, *n)).is_ok())
        .map(|(m, n, name)| ((m, n), name))
        .collect())
}

/// The current name of each given matter (its published version's, else its working
/// version's), in two statements however many matters.
pub async fn current_names(
    conn: &mut Conn,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbError> {
    let heads: Vec<(Uuid, i32)> = service_matters::table
        .filter(service_matters::id.eq_any(ids))
        .select((
            service_matters::id,
            service_matters::published_version,
            service_matters::working_version,
        ))
        .load::<(Uuid, Option<i32>, i32)>(conn)
        .await?
        .into_iter()
        .map(|(id, published, working)| (id, published.unwrap_or(working)))
        .collect();
    Ok(version_names(conn, &heads)
        .await?
        .into_iter()
        .map(|((m, _), name)| (m, name))
        .collect())
}

pub async fn get_matter_for_update(conn: &mut Conn, id: MatterId) -> Result<Matter, DbError> {
    let row: MatterRow = service_matters::table
        .find(id.0)
        .select(MatterRow::as_select())
        .for_update()
        .first(conn)
        .await?;
    row.try_into()
}

/// The name of one version of a matter, without reading its content.
pub async fn version_name(
    conn: &mut Conn,
    matter_id: Uuid,
    number: i32,
) -> Result<String, DbError> {
    Ok(service_matter_versions::table
        .find((matter_id, number))
        .select(service_matter_versions::name)
        .first(conn)
        .await?)
}

pub async fn get_version(
    conn: &mut Conn,
    matter_id: Uuid,
    number: i32,
) -> Result<MatterVersion, DbError> {
    let row: VersionRow = service_matter_versions::table
        .find((matter_id, number))
        .select(VersionRow::as_select())
        .first(conn)
        .await?;
    row.try_into()
}

pub async fn versions_of(
    conn: &mut Conn,
    matter_id: MatterId,
) -> Result<Vec<MatterVersion>, DbError> {
    let rows: Vec<VersionRow> = service_matter_versions::table
        .filter(service_matter_versions::matter_id.eq(matter_id.0))
        .select(VersionRow::as_select())
        .order(service_matter_versions::number)
        .load(conn)
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// Saves the matter's state and version pointers and bumps its version.
pub async fn save_matter(
    conn: &mut Conn,
    id: MatterId,
    state: MatterState,
    working_version: i32,
    published_version: Option<i32>,
) -> Result<Matter, DbError> {
    let row: MatterRow = diesel::update(service_matters::table.find(id.0))
        .set((
            service_matters::state.eq(state.as_str()),
            service_matters::working_version.eq(working_version),
            service_matters::published_version.eq(published_version),
            service_matters::version.eq(service_matters::version + 1),
            service_matters::updated_at.eq(diesel::dsl::now),
        ))
        .returning(MatterRow::as_returning())
        .get_result(conn)
        .await?;
    row.try_into()
}

pub async fn mark_submitted(
    conn: &mut Conn,
    matter_id: MatterId,
    number: i32,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(service_matter_versions::table.find((matter_id.0, number)))
        .set(service_matter_versions::submitted_at.eq(Some(at)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_published(
    conn: &mut Conn,
    matter_id: MatterId,
    number: i32,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), DbError> {
    diesel::update(service_matter_versions::table.find((matter_id.0, number)))
        .set((
            service_matter_versions::published_at.eq(Some(at)),
            service_matter_versions::published_by.eq(Some(by)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Filters of the matter listing.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Public listing: published (and suspended) matters, their published versions.
    /// Otherwise: working versions.
    pub public: bool,
    pub organization_id: Option<OrganizationId>,
    pub matter_type: Option<MatterType>,
    pub service_object: Option<ServiceObject>,
    /// Matters that can be applied for online (pre-review or full online).
    pub online: Option<bool>,
    pub entered_hall: Option<bool>,
    pub window_id: Option<WindowId>,
    pub state: Option<MatterState>,
    pub q: Option<String>,
    pub after_id: Option<MatterId>,
    pub limit: i64,
}

/// These matters with their published versions, in the order of `ids` (one without a
/// published version is left out).
pub async fn published_in_order(
    conn: &mut Conn,
    ids: &[Uuid],
) -> Result<Vec<(Matter, MatterVersion)>, DbError> {
    let rows: Vec<(MatterRow, VersionRow)> = service_matters::table
        .inner_join(service_matter_versions::table)
        .filter(service_matters::id.eq_any(ids))
        .filter(service_matters::published_version.eq(service_matter_versions::number.nullable()))
        .select((MatterRow::as_select(), VersionRow::as_select()))
        .load(conn)
        .await?;
    let mut by_id = std::collections::HashMap::new();
    for (m, v) in rows {
        let m: Matter = m.try_into()?;
        by_id.insert(m.id, (m, v.try_into()?));
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Matters of the organisations inside `scope`, with the version the filter looks at.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    f: &Filter,
) -> Result<Vec<(Matter, MatterVersion)>, DbError> {
    let mut q = service_matters::table
        .inner_join(service_matter_versions::table)
        .select((MatterRow::as_select(), VersionRow::as_select()))
        .order(service_matters::id)
        .limit(f.limit)
        .into_boxed();
    if f.public {
        q = q
            .filter(
                service_matters::published_version.eq(service_matter_versions::number.nullable()),
            )
            .filter(
                service_matters::state
                    .eq_any(ON_GUIDE.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            )
            .filter(service_matter_versions::classified.eq(false));
    } else {
        q = q.filter(service_matters::working_version.eq(service_matter_versions::number));
    }
    if let Some(inside) = org_ids(scope) {
        q = q.filter(service_matters::organization_id.eq_any(inside));
    }
    if let Some(o) = f.organization_id {
        q = q.filter(service_matters::organization_id.eq(o.0));
    }
    if let Some(t) = f.matter_type {
        q = q.filter(service_matter_versions::matter_type.eq(t.as_str()));
    }
    if let Some(o) = f.service_object {
        q = q.filter(service_matter_versions::service_objects.contains(vec![o.as_str()]));
    }
    if let Some(online) = f.online {
        let deep: Vec<&str> = APPLY_ONLINE.iter().map(|d| d.as_str()).collect();
        q = if online {
            q.filter(service_matter_versions::online_depth.eq_any(deep))
        } else {
            q.filter(service_matter_versions::online_depth.ne_all(deep))
        };
    }
    if let Some(h) = f.entered_hall {
        q = q.filter(service_matter_versions::entered_hall.eq(h));
    }
    if let Some(w) = f.window_id {
        q = q.filter(service_matter_versions::window_ids.contains(vec![w.0]));
    }
    if let Some(s) = f.state {
        q = q.filter(service_matters::state.eq(s.as_str()));
    }
    if let Some(text) = &f.q {
        match search::tsquery(text) {
            Some(tsq) => {
                q = q.filter(
                    sql::<Bool>("service_matter_versions.search_vector @@ ")
                        .bind::<Text, _>(tsq)
                        .sql("::tsquery"),
                )
            }
            None => return Ok(vec![]),
        }
    }
    if let Some(a) = f.after_id {
        q = q.filter(service_matters::id.gt(a.0));
    }
    let rows: Vec<(MatterRow, VersionRow)> = q.load(conn).await?;
    rows.into_iter()
        .map(|(m, v)| Ok((m.try_into()?, v.try_into()?)))
        .collect()
}
