//! The change feed: the domain events a caller may see, after a cursor.

use zhengwu_domain::codes::Code;
use zhengwu_domain::events::EventType;
use zhengwu_persistence::outbox::{self, Event, Position, Reader};

use crate::app::{Actor, AppResult};
use crate::error::ApiError;
use crate::state::AppState;

/// Whose events the actor reads: staff and machine clients those of their organisation's
/// subtree (everything for a system administrator), an applicant those of their own
/// objects.
pub fn reader_of(actor: &Actor) -> AppResult<Reader> {
    if actor.is_applicant() {
        let me = actor
            .user()
            .ok_or_else(|| ApiError::forbidden("sign in to read events"))?;
        return Ok(Reader::Owner(me.0));
    }
    Ok(Reader::Scope(actor.scope()))
}

/// Parses `type=a,b`: each a known event type (422 naming the first unknown one).
pub fn parse_types(raw: Option<&str>) -> AppResult<Option<Vec<String>>> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let mut types = Vec::new();
    for t in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let Some(known) = EventType::parse(t) else {
            return Err(ApiError::field(
                "?type",
                Code::EnumUnknownValue,
                format!("{t:?} is not an event type (see the EventType enumeration)"),
            ));
        };
        if !types.iter().any(|x: &String| x == known.as_str()) {
            types.push(known.as_str().to_owned());
        }
    }
    Ok(Some(types))
}

/// The key of a cursor at a position.
pub fn cursor_key(p: Position) -> String {
    format!("p{p}")
}

/// The position of a cursor's key.
pub fn position_of(key: &str) -> Option<Position> {
    let p: Position = key.strip_prefix('p')?.parse().ok()?;
    (p >= 0).then_some(p)
}

/// Up to `limit` events after `after` that the actor may see.
pub async fn feed(
    app: &AppState,
    actor: &Actor,
    after: Position,
    types: Option<&[String]>,
    limit: i64,
) -> AppResult<Vec<Event>> {
    let reader = reader_of(actor)?;
    let mut conn = app.conn().await?;
    outbox::seal(&mut conn).await?;
    Ok(outbox::feed(&mut conn, &reader, after, types, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(position_of(&cursor_key(812)), Some(812));
        assert_eq!(position_of("812"), None);
        assert_eq!(position_of("p-1"), None);
        assert_eq!(position_of("pa"), None);
    }

    #[test]
    fn types_are_checked() {
        assert!(parse_types(Some("zhengwu.case.accepted.v1,nope")).is_err());
        let t = parse_types(Some("zhengwu.case.accepted.v1, zhengwu.case.accepted.v1"));
        assert_eq!(t.ok().flatten().map(|v| v.len()), Some(1));
        assert!(matches!(parse_types(Some(" ")), Ok(None)));
    }
}
