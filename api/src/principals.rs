//! What an access token stands for now. A token names its subject and, for a person, the
//! login it belongs to; the role, the organisation and its place in the tree come from the
//! database on each request, and the request is refused when the account or client is
//! disabled or the login has ended (logout, reuse of a rotated refresh token, a password
//! change or reset, deactivation). So these take effect at once on every replica.
//!
//! The answers are kept for [`TTL`] on the app's clock, so a busy caller costs one query a
//! second; this process forgets them as soon as it makes such a change itself, and other
//! replicas see it within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use zhengwu_domain::codes::Code;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::org::OrgPath;
use zhengwu_persistence::{clients, users};

use crate::auth::{Claims, Principal, SubjectKind};
use crate::error::ApiError;
use crate::state::AppState;

/// How long a resolved token is trusted without asking the database again.
pub const TTL: Duration = Duration::seconds(1);

/// Entries beyond which expired ones are dropped.
const MAX_ENTRIES: usize = 50_000;

type Key = (SubjectKind, Uuid, Option<Uuid>);

/// What was resolved and when: the standing, or why the token is refused.
type Entry = (DateTime<Utc>, Result<Standing, &'static str>);

/// What the subject of a token may do now.
#[derive(Debug, Clone)]
struct Standing {
    role: Role,
    org_id: Option<Uuid>,
    org_path: Option<OrgPath>,
}

/// The cache of resolved tokens.
#[derive(Default)]
pub struct Principals {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Principals {
    /// Forgets every answer: call it after a change to accounts, clients, logins or the
    /// organisation tree, so that this replica sees it at once.
    pub fn forget_all(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }

    fn cached(&self, key: &Key, now: DateTime<Utc>) -> Option<Result<Standing, &'static str>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| now - *at < TTL && *at <= now)
            .map(|(_, s)| s.clone())
    }

    fn keep(&self, key: Key, now: DateTime<Utc>, s: Result<Standing, &'static str>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| now - *at < TTL);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (now, s));
        }
    }

    /// The principal of verified `claims`: 401 when the account or client is gone or
    /// disabled or the login has ended; 503 when the database cannot say.
    pub async fn resolve(&self, state: &AppState, claims: &Claims) -> Result<Principal, ApiError> {
        let key = (claims.kind, claims.sub, claims.sid);
        let now = state.clock.now();
        let standing = match self.cached(&key, now) {
            Some(s) => s,
            None => {
                let s = lookup(state, claims).await?;
                self.keep(key, now, s.clone());
                s
            }
        };
        let s = standing
            .map_err(|why| ApiError::unauthorized(why).with_code(Code::AuthTokenRevoked))?;
        Ok(Principal {
            kind: claims.kind,
            id: claims.sub,
            role: s.role,
            org_id: s.org_id,
            org_path: s.org_path,
            session: claims.sid,
        })
    }
}

async fn lookup(
    state: &AppState,
    claims: &Claims,
) -> Result<Result<Standing, &'static str>, ApiError> {
    let mut conn = state.conn().await?;
    Ok(match claims.kind {
        SubjectKind::User => {
            let Some(session) = claims.sid else {
                return Ok(Err("the access token names no login; sign in again"));
            };
            match users::standing(&mut conn, claims.sub, session).await? {
                None => Err("the account does not exist"),
                Some(u) if !u.active => Err("the account is disabled"),
                Some(u) if !u.session_open => Err("this login has ended; sign in again"),
                Some(u) => Ok(Standing {
                    role: u.role,
                    org_id: u.organization_id,
                    org_path: u.org_path,
                }),
            }
        }
        SubjectKind::Client => match clients::standing(&mut conn, claims.sub).await? {
            None => Err("the client does not exist"),
            Some(c) if !c.active => Err("the client is disabled"),
            Some(c) => Ok(Standing {
                role: c.role,
                org_id: Some(c.organization_id),
                org_path: Some(c.org_path),
            }),
        },
    })
}
