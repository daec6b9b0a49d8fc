//! Service windows of halls and their A/B staff.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;
use zhengwu_domain::account::Post;
use zhengwu_domain::ids::{OrganizationId, WindowId};

use crate::db::{Conn, DbError};
use crate::parse_col;
use crate::schema::{users, window_staff, windows};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = windows)]
pub struct Window {
    pub id: Uuid,
    pub hall_id: Uuid,
    pub number: String,
    pub name: String,
    pub combined: bool,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A person at a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub window_id: Uuid,
    pub user_id: Uuid,
    pub display_name: String,
    pub post: Post,
}

pub struct NewWindow {
    pub id: WindowId,
    pub hall_id: OrganizationId,
    pub number: String,
    pub name: String,
    pub combined: bool,
}

pub async fn insert(conn: &mut Conn, w: NewWindow) -> Result<Window, DbError> {
    Ok(diesel::insert_into(windows::table)
        .values((
            windows::id.eq(w.id.0),
            windows::hall_id.eq(w.hall_id.0),
            windows::number.eq(&w.number),
            windows::name.eq(&w.name),
            windows::combined.eq(w.combined),
        ))
        .returning(Window::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn get(conn: &mut Conn, id: Uuid) -> Result<Window, DbError> {
    Ok(windows::table
        .find(id)
        .select(Window::as_select())
        .first(conn)
        .await?)
}

/// The given windows, one statement however many (in no particular order).
pub async fn get_many(conn: &mut Conn, ids: &[Uuid]) -> Result<Vec<Window>, DbError> {
    Ok(windows::table
        .filter(windows::id.eq_any(ids))
        .select(Window::as_select())
        .load(conn)
        .await?)
}

pub async fn get_for_update(conn: &mut Conn, id: WindowId) -> Result<Window, DbError> {
    Ok(windows::table
        .find(id.0)
        .select(Window::as_select())
        .for_update()
        .first(conn)
        .await?)
}

pub async fn list_by_hall(
    conn: &mut Conn,
    hall_id: OrganizationId,
    after_id: Option<WindowId>,
    limit: i64,
) -> Result<Vec<Window>, DbError> {
    let mut q = windows::table
        .filter(windows::hall_id.eq(hall_id.0))
        .select(Window::as_select())
        .order(windows::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after_id {
        q = q.filter(windows::id.gt(a.0));
    }
    Ok(q.load(conn).await?)
}

/// The staff of the given windows, in one query.
pub async fn staff_of(conn: &mut Conn, window_ids: &[Uuid]) -> Result<Vec<Staff>, DbError> {
    let rows: Vec<(Uuid, Uuid, String, String)> = window_staff::table
        .inner_join(users::table)
        .filter(window_staff::window_id.eq_any(window_ids))
        .select((
            window_staff::window_id,
            window_staff::user_id,
            users::display_name,
            window_staff::post,
        ))
        .order((
            window_staff::window_id,
            window_staff::post,
            users::display_name,
        ))
        .load(conn)
        .await?;
    rows.into_iter()
        .map(|(window_id, user_id, display_name, post)| {
            Ok(Staff {
                window_id,
                user_id,
                display_name,
                post: parse_col(&post, Post::parse)?,
            })
        })
        .collect()
}

/// Replaces the staff of a window and bumps its version.
pub async fn replace_staff(
    conn: &mut Conn,
    window_id: WindowId,
    staff: &[(Uuid, Post)],
) -> Result<Window, DbError> {
    let window_id = window_id.0;
    diesel::delete(window_staff::table.filter(window_staff::window_id.eq(window_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = staff
        .iter()
        .map(|(user_id, post)| {
            (
                window_staff::window_id.eq(window_id),
                window_staff::user_id.eq(*user_id),
                window_staff::post.eq(post.as_str()),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(window_staff::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(diesel::update(windows::table.find(window_id))
        .set((
            windows::version.eq(windows::version + 1),
            windows::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Window::as_returning())
        .get_result(conn)
        .await?)
}

/// Saves a window's own fields and bumps its version.
pub async fn update(
    conn: &mut Conn,
    id: WindowId,
    number: String,
    name: String,
    combined: bool,
    active: bool,
) -> Result<Window, DbError> {
    Ok(diesel::update(windows::table.find(id.0))
        .set((
            windows::number.eq(number),
            windows::name.eq(name),
            windows::combined.eq(combined),
            windows::active.eq(active),
            windows::version.eq(windows::version + 1),
            windows::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Window::as_returning())
        .get_result(conn)
        .await?)
}
