//! The HTTP face of gongkai: server-rendered pages (askama), no JavaScript needed.
//!
//! The public portal: the platform home, each agency's pages (机构概况, 领导信息, 公开指南, 公开目录, item pages,
//! the 年度报告 archive), Chinese search, the online application (2019 条例 art. 29) with its receipt and the
//! status page driven by the reply clock, reading-point booking, Atom feeds, the sitemap and a read-only JSON
//! API. The back office (`staff`): sign-in and roles, the agency dashboard, handling applications to the
//! reply clock with the letters of handling.
//!
//! The web layer is an edge: it reads today's date in China and client addresses, and hands plain values to the
//! store and the core. It never logs request bodies, so personal data in forms never reaches the logs.

mod api;
mod apply;
mod booking;
pub mod cache;
pub mod client;
mod csrf;
mod directory;
mod error;
mod feeds;
mod guard;
mod home;
pub mod imports;
pub mod indexer;
pub mod metrics;
pub mod notify;
mod once;
mod portal;
mod probes;
mod router;
mod search;
mod site;
mod staff;
mod state;
mod track;

pub use error::PageError;
pub use router::{MAX_QUERY_STRING, router, serve};
pub use staff::audit_log::chain_sentence;
pub use state::{AppState, BODY_LIMIT, CALENDAR_REFRESH, china_today};
