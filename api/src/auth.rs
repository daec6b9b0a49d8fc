//! Authentication: argon2id passwords, short-lived HS256 access tokens, the principal of a
//! request and its organisation scope.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
pub use zhengwu_domain::access::{Actor, Scope};
use zhengwu_domain::account::{ActorKind, Role};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::org::OrgPath;

use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            log::error!("password hashing failed: {e}");
            ApiError::internal()
        })
}

/// Checks a password against a stored hash. The argon2 working memory (19 MiB with the
/// default parameters) is kept per thread and reused: allocating and freeing it on every
/// login leaves the allocator holding a copy per arena, and the server's memory grows with
/// the logins it has seen.
pub fn verify_password(password: &str, hash: &str) -> bool {
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
        argon2::Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with_borrow_mut(|blocks| {
        blocks.resize(params.block_count(), argon2::Block::default());
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            blocks.as_mut_slice(),
        )
    });
    // `Output` compares in constant time.
    hashed.is_ok() && argon2::password_hash::phc::Output::new(&out).is_ok_and(|o| &o == expected)
}

/// A hash to verify against when the account does not exist, so that a login for an
/// unknown name takes as long as one for a known name.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password-0").unwrap_or_default())
}

/// A random opaque token (refresh tokens, client secrets).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    User,
    Client,
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    pub kind: SubjectKind,
    /// The role at issue time, for the client's information: each request is authorised by
    /// the role the account has then.
    pub role: Role,
    /// The organisation at issue time, likewise informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    /// The login (a person's tokens, refresh and access, descend from one sign-in): a token
    /// of an ended login is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// Keys and rules for access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl JwtKeys {
    pub fn new(config: &Config) -> Self {
        Self {
            encoding: EncodingKey::from_secret(config.jwt_secret.as_bytes()),
            decoding: DecodingKey::from_secret(config.jwt_secret.as_bytes()),
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(config.access_token_ttl)
                .unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl.num_seconds()
    }

    pub fn issue(
        &self,
        now: DateTime<Utc>,
        kind: SubjectKind,
        sub: Uuid,
        role: Role,
        org: Option<Uuid>,
        sid: Option<Uuid>,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub,
            exp: (now + self.ttl).timestamp(),
            iat: now.timestamp(),
            jti: Uuid::now_v7(),
            kind,
            role,
            org,
            sid,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            log::error!("cannot sign a token: {e}");
            ApiError::internal()
        })
    }

    /// Verifies signature, algorithm, issuer, audience and expiry (against `now`, the app's
    /// clock). Anything else is a 401.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked against the app's clock below.
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .map_err(|e| ApiError::unauthorized(format!("the access token is not valid: {e}")))?;
        if data.claims.exp <= now.timestamp() {
            return Err(ApiError::unauthorized("the access token has expired"));
        }
        Ok(data.claims)
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: SubjectKind,
    pub id: Uuid,
    pub role: Role,
    pub org_id: Option<Uuid>,
    pub org_path: Option<OrgPath>,
    /// The login the token belongs to (people only).
    pub session: Option<Uuid>,
}

impl Principal {
    /// The caller as the use cases and the audit log see it.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id),
            kind: match self.kind {
                SubjectKind::User => ActorKind::User,
                SubjectKind::Client => ActorKind::Client,
            },
            role: self.role,
            org: self.org_id.map(OrganizationId),
            org_path: self.org_path.clone(),
        }
    }

    /// The key under which this caller's idempotency keys are kept.
    pub fn idempotency_principal(&self) -> String {
        format!("{:?}:{}", self.kind, self.id).to_lowercase()
    }

    /// 403 unless the caller has one of the roles.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "{}{}",
                crate::i18n::ROLES_NEEDED,
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }

    /// The subtree the caller may see (see [`Actor::scope`]).
    pub fn scope(&self) -> Scope {
        self.actor().scope()
    }

    /// Whether the caller may see an object of the organisation at `path`.
    pub fn sees(&self, path: &OrgPath) -> bool {
        self.scope().contains(path)
    }

    /// 404 (not 403: no hint that it exists) unless the caller may see it.
    pub fn ensure_sees(&self, path: &OrgPath, what: &str) -> Result<(), ApiError> {
        if self.sees(path) {
            Ok(())
        } else {
            Err(ApiError::not_found(what))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// The caller of a request: the token is checked (signature, issuer, audience, expiry),
/// then what it stands for now is resolved (see [`crate::principals`]).
async fn principal_from(req: HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(token) = bearer(&req) else {
        if req.headers().contains_key(header::AUTHORIZATION) {
            return Err(ApiError::unauthorized(
                "use the Authorization header with the Bearer scheme",
            ));
        }
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let claims = state.jwt.verify(token, state.clock.now())?;
    state.principals.resolve(state, &claims).await.map(Some)
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            principal_from(req).await?.ok_or_else(|| {
                ApiError::unauthorized("send an access token: Authorization: Bearer …")
            })
        })
    }
}

/// A caller who may or may not be signed in (public endpoints).
pub struct MaybePrincipal(pub Option<Principal>);

impl MaybePrincipal {
    /// The key under which this caller's idempotency keys are kept (`public` for everyone
    /// not signed in: a replay also needs the same key and the same body).
    pub fn idempotency_principal(&self) -> String {
        self.0
            .as_ref()
            .map_or_else(|| "public".to_owned(), Principal::idempotency_principal)
    }
}

impl FromRequest for MaybePrincipal {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { principal_from(req).await.map(MaybePrincipal) })
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    /// The verification with reused memory agrees with the argon2 crate's own, for the right
    /// password, a wrong one, other parameters and malformed hashes.
    #[test]
    fn passwords_verify_as_the_argon2_crate_verifies_them() {
        let hash = hash_password("correct horse 1").unwrap_or_default();
        let small = argon2::Params::new(64, 2, 1, Some(24)).unwrap_or_default();
        let other = Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x10, small)
            .hash_password(b"correct horse 1")
            .map(|h| h.to_string())
            .unwrap_or_default();
        for stored in [hash.as_str(), other.as_str()] {
            let parsed = PasswordHash::new(stored).unwrap_or_else(|e| panic!("{e}"));
            for (password, right) in [("correct horse 1", true), ("correct horse 2", false)] {
                let theirs = Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok();
                assert_eq!(theirs, right, "{stored}");
                // Twice: the second reuses the thread's memory.
                assert_eq!(verify_password(password, stored), right, "{stored}");
                assert_eq!(verify_password(password, stored), right, "{stored}");
            }
        }
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password(
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"
        ));
    }
}
