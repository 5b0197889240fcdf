//! Error pages: a clear Chinese page with the right status code, never a stack trace.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::StoreError;

/// A request that cannot be answered with the page asked for.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    #[error("form expired or not from this site")]
    Csrf,
    #[error("unreadable form ({0})")]
    BadForm(StatusCode),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("service unavailable")]
    Unavailable,
    #[error("forbidden")]
    Forbidden,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    /// Offer the search box: on a page not found, an address too long (a search pasted whole) or too much
    /// sent, the visitor was most likely looking for something.
    search: bool,
}

/// Renders an error page; a template failure falls back to plain text.
pub(crate) fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let search = matches!(
        status,
        StatusCode::NOT_FOUND | StatusCode::URI_TOO_LONG | StatusCode::PAYLOAD_TOO_LARGE
    );
    let body = ErrorPage { title, message, search }
        .render()
        .unwrap_or_else(|_| format!("{title}\n{message}"));
    (status, Html(body)).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => page(
                StatusCode::NOT_FOUND,
                "页面不存在",
                "您访问的页面不存在或已被移除，请返回首页。",
            ),
            PageError::Csrf => page(
                StatusCode::FORBIDDEN,
                "表单已过期",
                "为保护您的信息安全，本次提交未被接受。请返回上一页，刷新后重新提交。",
            ),
            PageError::BadForm(StatusCode::PAYLOAD_TOO_LARGE) => page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "提交的内容过多",
                "提交的内容超过了允许的大小，未被保存。请精简后重新提交。",
            ),
            PageError::BadForm(status) => page(
                if status.is_client_error() { status } else { StatusCode::BAD_REQUEST },
                "提交的内容无法识别",
                "提交的表单格式不正确，未被保存。请返回上一页，刷新后重新填写。",
            ),
            PageError::Unavailable => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "服务暂时不可用",
                "该服务正在准备中，请稍后再试。",
            ),
            PageError::Forbidden => page(
                StatusCode::FORBIDDEN,
                "无权访问",
                "您没有办理该事项的权限。此次访问已记录。如需权限，请联系本单位管理员。",
            ),
            PageError::Store(StoreError::NotFound { .. }) => {
                page(StatusCode::NOT_FOUND, "页面不存在", "您访问的机构或记录不存在。")
            }
            other => {
                // Logged without request data; the public sees no detail.
                tracing::error!(error = %other, "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统暂时无法处理",
                    "系统暂时无法处理您的请求，您填写的内容未被保存。请稍后再试。",
                )
            }
        }
    }
}

/// A form body, with a rejected body (too large, malformed) answered by a Chinese page.
pub(crate) struct PageForm<T>(pub(crate) T);

impl<S, T> axum::extract::FromRequest<S> for PageForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(rejection) => Err(PageError::BadForm(rejection.status())),
        }
    }
}

/// The response for a handler that panicked: the same page as any internal error.
pub(crate) fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "系统暂时无法处理",
        "系统暂时无法处理您的请求，请稍后再试。",
    )
}
