//! Every form acts once (see `gongkai_store::once`): form pages embed a one-time token, and a post claims
//! it before acting. A reload of the answer page, a second click or a browser retry posts the same token and
//! gets the first answer again.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use gongkai_store::once::{self, Claim};

use crate::{AppState, PageError};

/// A token for a form page (kept when the form comes back with errors, so the corrected post still acts
/// once).
pub(crate) fn token(kept: &str) -> Result<String, PageError> {
    if once::is_token(kept) {
        return Ok(kept.to_owned());
    }
    once::token().map_err(PageError::Store)
}

/// What to do with a post.
pub(crate) enum Begin {
    /// Act, then call [`done`] (or [`failed`]). `None`: the post carried no token (a client that is not
    /// one of our pages); it acts unguarded.
    Act(Option<String>),
    /// The token was used: the first result and what it showed once.
    Replay { result: String, secret: Option<String> },
}

/// Claims the post's `token` for `purpose`, for the browser whose CSRF token is `csrf` (already checked).
/// While the first post with the same token is still being handled (a double click), waits up to 5 seconds
/// for its result, then answers that it is being handled.
pub(crate) async fn begin(
    state: &AppState,
    token: &str,
    purpose: &str,
    csrf: &str,
) -> Result<Result<Begin, Response>, PageError> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(Ok(Begin::Act(None)));
    }
    if !once::is_token(token) {
        return Err(PageError::Csrf);
    }
    let owner = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(csrf.as_bytes()));
    for _ in 0..25 {
        let claimed =
            once::claim(state.store(), token, purpose, &owner, time::OffsetDateTime::now_utc())
                .await;
        match claimed {
            Ok(Claim::Fresh) => return Ok(Ok(Begin::Act(Some(token.to_owned())))),
            Ok(Claim::Done { result, secret }) => return Ok(Ok(Begin::Replay { result, secret })),
            Ok(Claim::Pending) => tokio::time::sleep(Duration::from_millis(200)).await,
            Ok(Claim::Abandoned) => {
                return Ok(Err(crate::error::page(
                    StatusCode::CONFLICT,
                    "该表单已经提交过",
                    "这份表单此前已经提交，但处理未能完成（如网络或服务中断），无法确定是否已经保存。为避免重复办理，本次未再次提交。请重新打开表单核对后再填写；如已收到查询号，请用查询号查询办理情况。",
                )));
            }
            Err(gongkai_store::StoreError::InvalidData(_)) => return Err(PageError::Csrf),
            Err(err) => return Err(err.into()),
        }
    }
    Ok(Err(crate::error::page(
        StatusCode::CONFLICT,
        "正在处理",
        "您提交的内容正在处理中，请勿重复提交。请稍后刷新本页查看结果。",
    )))
}

/// Keeps the result of the post that acted.
pub(crate) async fn done(
    state: &AppState,
    token: &Option<String>,
    result: &str,
    secret: Option<&str>,
) -> Result<(), PageError> {
    if let Some(token) = token {
        once::finish(state.store(), token, result, secret).await?;
    }
    Ok(())
}

/// Gives the token back after the action failed or was refused.
pub(crate) async fn failed(state: &AppState, token: &Option<String>) {
    if let Some(token) = token
        && let Err(err) = once::release(state.store(), token).await
    {
        tracing::warn!(error = %err, "releasing a form token failed");
    }
}
