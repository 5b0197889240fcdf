//! Handling applications: the staff home, an agency's dashboard and case list ([`dashboard`]), registering
//! applications that arrive in person, by post, by letter, by fax or online ([`register`]), the case page
//! (timeline, the clock's trace, letters: [`page`]), every handling step ([`steps`]), each a
//! `core::handling::Command` the core allows or refuses before it is recorded, and the case's dossier for
//! the archive ([`dossier`]).

mod dashboard;
mod dossier;
mod page;
mod register;
mod steps;

use axum::http::{HeaderValue, header};
use axum::response::Response;

pub(crate) use dashboard::{Groups, GroupsKey, dashboard, home, list};
pub(crate) use dossier::{dossier, dossier_pdf_download};
pub(crate) use page::{assign, attached_file, case_page, letter, resend_notice};
pub(crate) use register::{register, register_form};
pub(crate) use steps::{Uploaded, record_applied, step};

pub(crate) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
