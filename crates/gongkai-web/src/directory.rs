//! The portal's tree of agencies (机构导航): from the top of the platform (a province, a city) down to any
//! department, each level with its agencies, how many are under each, and their latest publications;
//! closed agencies marked with their successor. Read from the cached agency list; the latest items are one
//! query per page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::records::AgencyKind;
use gongkai_store::agencies::AgencyRow;
use gongkai_store::catalog::{self, ItemSummary};

use crate::portal::trail;
use crate::{AppState, PageError};

/// Latest items shown per agency.
const LATEST_PER_AGENCY: i64 = 3;

pub(crate) struct Entry {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) closed_on: String,
    pub(crate) successor_code: String,
    pub(crate) successor_name: String,
    /// Agencies directly under it.
    pub(crate) children: usize,
    pub(crate) latest: Vec<ItemSummary>,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    /// The agencies above this level, from the top: (code, name).
    trail: Vec<(String, String)>,
    /// The agency whose level this is (empty at the top).
    here_code: String,
    here_name: String,
    /// The agency itself, first, then the agencies under it.
    here: Option<Entry>,
    entries: Vec<Entry>,
}

async fn entries(
    state: &AppState,
    all: &[AgencyRow],
    level: &[&AgencyRow],
) -> Result<Vec<Entry>, PageError> {
    let today = state.today();
    let ids: Vec<i64> = level.iter().map(|agency| agency.id).collect();
    let mut latest = catalog::latest_of(state.store(), &ids, LATEST_PER_AGENCY).await?;
    Ok(level
        .iter()
        .map(|agency| {
            let (successor_code, successor_name) = agency.successor.clone().unwrap_or_default();
            let mine: Vec<ItemSummary> = {
                let (mine, rest): (Vec<ItemSummary>, Vec<ItemSummary>) =
                    std::mem::take(&mut latest)
                        .into_iter()
                        .partition(|item| item.agency_code == agency.code);
                latest = rest;
                mine
            };
            Entry {
                code: agency.code.clone(),
                name: agency.name.clone(),
                kind: agency.kind.label(),
                closed_on: crate::portal::closed_as_of(agency, today)
                    .unwrap_or_default()
                    .to_owned(),
                successor_code,
                successor_name,
                children: all
                    .iter()
                    .filter(|child| child.parent_code.as_deref() == Some(agency.code.as_str()))
                    .count(),
                latest: mine,
            }
        })
        .collect())
}

/// Governments before departments, agencies at work before closed ones, then by code.
fn ordered(mut level: Vec<&AgencyRow>) -> Vec<&AgencyRow> {
    level.sort_by(|a, b| {
        (a.kind != AgencyKind::Government, a.closed_on.is_some(), &a.code).cmp(&(
            b.kind != AgencyKind::Government,
            b.closed_on.is_some(),
            &b.code,
        ))
    });
    level
}

/// The top of the tree: the agencies with no agency above them.
pub(crate) async fn top(State(state): State<AppState>) -> Result<Response, PageError> {
    let all = state.agencies().await?;
    let level = ordered(all.iter().filter(|agency| agency.parent_code.is_none()).collect());
    let page = DirectoryPage {
        trail: Vec::new(),
        here_code: String::new(),
        here_name: String::new(),
        here: None,
        entries: entries(&state, &all, &level).await?,
    };
    Ok(Html(page.render()?).into_response())
}

/// One level: the agency `code` and the agencies directly under it.
pub(crate) async fn level(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let all = state.agencies().await?;
    let Some(agency) = all.iter().find(|agency| agency.code == code) else {
        // An agency added since the list was cached.
        state.agency(&code).await?;
        state.forget_agencies();
        return Box::pin(level(State(state), Path(code))).await;
    };
    let mut level: Vec<&AgencyRow> = vec![agency];
    level.extend(ordered(
        all.iter().filter(|child| child.parent_code.as_deref() == Some(code.as_str())).collect(),
    ));
    let mut found = entries(&state, &all, &level).await?;
    let here = found.remove(0);
    let page = DirectoryPage {
        trail: trail(&all, agency),
        here_code: agency.code.clone(),
        here_name: agency.name.clone(),
        here: Some(here),
        entries: found,
    };
    Ok(Html(page.render()?).into_response())
}
