//! The catalogue of an organisation (its categories) and its disclosure guide.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::disclosure::DocumentKind;
use zhengwu_domain::ids::{CategoryId, OrganizationId};

use crate::db::{Conn, DbError};
use crate::schema::{disclosure_categories, disclosure_guides, disclosure_items};

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_categories)]
pub struct Category {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub sort_order: i32,
    pub standard: bool,
    pub retired: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The kind of document the category files (规章, 行政规范性文件), if any.
    pub document_kind: Option<String>,
}

/// Adds standard sub-categories of the kinds of document to the category `parent_code` of an
/// organisation's catalogue: (parent code, code, name, kind), placed right after the parent.
pub async fn insert_document_categories(
    conn: &mut Conn,
    organization_id: Uuid,
    parent_code: &str,
    list: &[(&str, &str, DocumentKind)],
) -> Result<(), DbError> {
    let parent: Category = disclosure_categories::table
        .filter(disclosure_categories::organization_id.eq(organization_id))
        .filter(disclosure_categories::code.eq(parent_code))
        .select(Category::as_select())
        .first(conn)
        .await?;
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, (code, name, kind))| {
            (
                disclosure_categories::id.eq(Uuid::now_v7()),
                disclosure_categories::organization_id.eq(organization_id),
                disclosure_categories::parent_id.eq(Some(parent.id)),
                disclosure_categories::code.eq(*code),
                disclosure_categories::name.eq(*name),
                disclosure_categories::sort_order.eq(parent.sort_order + i as i32 + 1),
                disclosure_categories::standard.eq(true),
                disclosure_categories::document_kind.eq(Some(kind.as_str())),
            )
        })
        .collect();
    diesel::insert_into(disclosure_categories::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// The id of a category of the standard catalogue: derived from its organisation and code
/// (a UUID of version 8 from their SHA-256), so that an organisation's standard catalogue has
/// the same ids wherever it is created, and a category can be named before it is read.
pub fn standard_category_id(organization_id: Uuid, code: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(organization_id.as_bytes())
        .chain_update(code.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Adds categories to an organisation's catalogue in the given order; standard categories
/// get their [`standard_category_id`].
pub async fn insert_categories(
    conn: &mut Conn,
    organization_id: Uuid,
    list: &[(&str, &str)],
    standard: bool,
) -> Result<(), DbError> {
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, (code, name))| {
            (
                disclosure_categories::id.eq(if standard {
                    standard_category_id(organization_id, code)
                } else {
                    Uuid::now_v7()
                }),
                disclosure_categories::organization_id.eq(organization_id),
                disclosure_categories::code.eq(*code),
                disclosure_categories::name.eq(*name),
                disclosure_categories::sort_order.eq((i as i32 + 1) * 10),
                disclosure_categories::standard.eq(standard),
            )
        })
        .collect();
    diesel::insert_into(disclosure_categories::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct NewCategory {
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub sort_order: i32,
}

pub async fn insert_category(conn: &mut Conn, c: &NewCategory) -> Result<Category, DbError> {
    Ok(diesel::insert_into(disclosure_categories::table)
        .values((
            disclosure_categories::id.eq(Uuid::now_v7()),
            disclosure_categories::organization_id.eq(c.organization_id),
            disclosure_categories::parent_id.eq(c.parent_id),
            disclosure_categories::code.eq(&c.code),
            disclosure_categories::name.eq(&c.name),
            disclosure_categories::sort_order.eq(c.sort_order),
        ))
        .returning(Category::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn categories_of(
    conn: &mut Conn,
    organization_id: Uuid,
    include_retired: bool,
) -> Result<Vec<Category>, DbError> {
    let mut q = disclosure_categories::table
        .filter(disclosure_categories::organization_id.eq(organization_id))
        .select(Category::as_select())
        .order((
            disclosure_categories::sort_order,
            disclosure_categories::code,
        ))
        .into_boxed();
    if !include_retired {
        q = q.filter(disclosure_categories::retired.eq(false));
    }
    Ok(q.load(conn).await?)
}

pub async fn get_category(conn: &mut Conn, id: CategoryId) -> Result<Category, DbError> {
    Ok(disclosure_categories::table
        .find(id.0)
        .select(Category::as_select())
        .first(conn)
        .await?)
}

pub async fn get_categories(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Category>, DbError> {
    Ok(disclosure_categories::table
        .filter(disclosure_categories::id.eq_any(ids))
        .select(Category::as_select())
        .load(conn)
        .await?)
}

pub async fn get_category_for_update(conn: &mut Conn, id: CategoryId) -> Result<Category, DbError> {
    Ok(disclosure_categories::table
        .find(id.0)
        .select(Category::as_select())
        .for_update()
        .first(conn)
        .await?)
}

#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = disclosure_categories, treat_none_as_null = true)]
pub struct CategoryChanges {
    pub name: String,
    pub sort_order: i32,
    pub retired: bool,
    pub parent_id: Option<Uuid>,
}

pub async fn update_category(
    conn: &mut Conn,
    id: CategoryId,
    c: &CategoryChanges,
) -> Result<Category, DbError> {
    Ok(diesel::update(disclosure_categories::table.find(id.0))
        .set((
            c,
            disclosure_categories::version.eq(disclosure_categories::version + 1),
            disclosure_categories::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Category::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn items_in_category(conn: &mut Conn, id: CategoryId) -> Result<i64, DbError> {
    Ok(disclosure_items::table
        .filter(disclosure_items::category_id.eq(id.0))
        .count()
        .get_result(conn)
        .await?)
}

// ---------------------------------------------------------------- guides

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosure_guides)]
pub struct Guide {
    pub organization_id: Uuid,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    pub index_format: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = disclosure_guides, treat_none_as_null = true)]
pub struct GuideFields {
    pub organization_id: Uuid,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    pub index_format: Option<String>,
}

pub async fn get_guide(
    conn: &mut Conn,
    organization_id: OrganizationId,
) -> Result<Option<Guide>, DbError> {
    Ok(disclosure_guides::table
        .find(organization_id.0)
        .select(Guide::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn guide_version_for_update(
    conn: &mut Conn,
    organization_id: OrganizationId,
) -> Result<Option<i32>, DbError> {
    Ok(disclosure_guides::table
        .find(organization_id.0)
        .select(disclosure_guides::version)
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn put_guide(conn: &mut Conn, g: &GuideFields) -> Result<Guide, DbError> {
    Ok(diesel::insert_into(disclosure_guides::table)
        .values(g)
        .on_conflict(disclosure_guides::organization_id)
        .do_update()
        .set((
            g,
            disclosure_guides::version.eq(disclosure_guides::version + 1),
            disclosure_guides::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Guide::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete_category(conn: &mut Conn, id: CategoryId) -> Result<(), DbError> {
    diesel::delete(disclosure_categories::table.find(id.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Organisations that have no catalogue yet (created before the catalogue existed).
pub async fn organizations_without_catalogue(
    conn: &mut Conn,
) -> Result<Vec<crate::orgs::Organization>, DbError> {
    use crate::schema::organizations;
    let ids: Vec<Uuid> = organizations::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            disclosure_categories::table
                .filter(disclosure_categories::organization_id.eq(organizations::id)),
        )))
        .select(organizations::id)
        .load(conn)
        .await?;
    crate::orgs::get_many(conn, &ids).await
}

#[cfg(test)]
mod tests {
    use super::standard_category_id;

    #[test]
    fn standard_category_ids_derive_from_organisation_and_code() {
        let city = uuid::Uuid::from_u128(0x0194_1f29_7c00_7001_8000_0000_0000_0001);
        let id = standard_category_id(city, "03");
        assert_eq!(id, standard_category_id(city, "03"));
        assert_eq!(id.get_version_num(), 8);
        // The value the contract's example of a new disclosure item names.
        assert_eq!(id.to_string(), "984e7ba4-32ee-8dc1-b1fd-4b83b614c729");
        assert_ne!(id, standard_category_id(city, "04"));
        assert_ne!(id, standard_category_id(uuid::Uuid::nil(), "03"));
    }
}
