//! The back office through the real router on a real SQLite store: sign-in, lockout, sign-out and password
//! change; registering and handling an application step by step with its letters; refusals of steps the
//! case's state does not allow; concurrent edits; and tenant isolation — staff of one agency trying every
//! staff route on another agency's records, and a clerk trying the head's action, all refused and logged.
//!
//! One test binary, a module per capability: [`signin`], [`cases`] (handling), [`access`] (tenant
//! isolation, roles, administration), [`publishing`], [`reports`] (the annual report and the audit of
//! uploaded reports); the harness is the web tests' shared `tests/common`.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod cases;
mod notices;
mod publishing;
mod reports;
mod signin;
