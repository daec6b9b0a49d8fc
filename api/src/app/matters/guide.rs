//! The public service guide (办事指南) of a matter's published version.

use std::collections::HashMap;

use uuid::Uuid;
use zhengwu_persistence::matters::{Matter, MatterVersion};
use zhengwu_persistence::{Conn, DbError, orgs, windows};

use crate::app::AppResult;
use crate::error::ApiError;
use crate::routes::matters::dto::{GuideWindow, MatterContentDto, ServiceGuide};

/// The guide of version `v` of `m`: the windows in the guide's order, then the
/// organisation and the windows' halls; three statements however many windows.
pub async fn assemble(conn: &mut Conn, m: Matter, v: MatterVersion) -> AppResult<ServiceGuide> {
    let mut found: HashMap<Uuid, windows::Window> = windows::get_many(conn, &v.content.window_ids)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let wins: Vec<windows::Window> = v
        .content
        .window_ids
        .iter()
        .filter_map(|id| found.remove(id))
        .collect();
    let mut org_ids: Vec<Uuid> = wins.iter().map(|w| w.hall_id).collect();
    org_ids.push(m.organization_id);
    let mut orgs_by_id: HashMap<Uuid, orgs::Organization> = orgs::get_many(conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let handled_at = wins
        .into_iter()
        .map(|win| guide_window(&orgs_by_id, win))
        .collect::<AppResult<Vec<_>>>()?;
    let org = orgs_by_id
        .remove(&m.organization_id)
        .ok_or_else(|| ApiError::from(DbError::NotFound))?;
    let content: MatterContentDto = v.content.into();
    Ok(ServiceGuide {
        id: m.id,
        basic_code: m.basic_code,
        implementation_code: m.implementation_code,
        state: m.state,
        version_number: v.number,
        published_at: v.published_at,
        organization_name: org.name,
        organization_address: org.address,
        organization_phone: org.phone,
        free: content.fees.is_empty(),
        speedup_days: content.statutory_days - content.promised_days,
        content,
        windows: handled_at,
    })
}

fn guide_window(
    halls: &HashMap<Uuid, orgs::Organization>,
    win: windows::Window,
) -> AppResult<GuideWindow> {
    let hall = halls
        .get(&win.hall_id)
        .ok_or_else(|| ApiError::from(DbError::NotFound))?;
    Ok(GuideWindow {
        id: win.id,
        number: win.number,
        name: win.name,
        hall_name: hall.name.clone(),
        hall_address: hall.address.clone(),
        hall_phone: hall.phone.clone(),
        office_hours: hall.office_hours.clone(),
    })
}
