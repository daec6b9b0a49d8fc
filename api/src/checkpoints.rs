//! Checkpoints of the audit chains (see `zhengwu_persistence::audit`): the head of every
//! chain, taken by the server every `ZHENGWU_AUDIT_CHECKPOINT_INTERVAL` seconds when a
//! chain has grown, or on demand with `zhengwu audit-checkpoint`; signed with
//! `ZHENGWU_AUDIT_KEY` (or a key derived from the JWT secret), which the database does not
//! hold.

use diesel_async::AsyncConnection;
use sha2::{Digest, Sha256};
use zhengwu_persistence::audit::{self, Checkpoint, CheckpointKey};

use crate::config::Config;
use crate::error::ApiError;
use crate::state::AppState;

/// The signing key: `ZHENGWU_AUDIT_KEY`, else one derived from the JWT secret; none when
/// neither is set (commands that do not serve).
pub fn key(config: &Config) -> Option<CheckpointKey> {
    match (&config.audit_key, config.jwt_secret.is_empty()) {
        (Some(k), _) => Some(CheckpointKey::new(k.as_bytes())),
        (None, false) => {
            let derived = Sha256::new()
                .chain_update(b"zhengwu-audit-checkpoint-key:")
                .chain_update(config.jwt_secret.as_bytes())
                .finalize();
            Some(CheckpointKey::new(&derived))
        }
        (None, true) => None,
    }
}

/// Takes a checkpoint of the chains' heads now; `None` when no chain's head moved since the
/// last one or every chain is empty.
pub async fn take(state: &AppState) -> Result<Option<Checkpoint>, ApiError> {
    let key = state.checkpoint_key.clone().ok_or_else(|| {
        ApiError::internal().detail("no key to sign checkpoints: set ZHENGWU_AUDIT_KEY")
    })?;
    let now = state.clock.now();
    let mut conn = state.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| Ok(audit::take_checkpoint(c, &key, now).await?))
        .await
}
