//! The platform home: agencies by region.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::{AppState, PageError};

pub(crate) struct AgencyLink {
    pub(crate) code: String,
    pub(crate) name: String,
}

pub(crate) struct Region {
    pub(crate) name: String,
    pub(crate) agencies: Vec<AgencyLink>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    regions: Vec<Region>,
}

pub(crate) async fn home(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let agencies = gongkai_store::agencies::list(state.store()).await?;
    let mut regions: Vec<Region> = Vec::new();
    for agency in agencies {
        let link = AgencyLink { code: agency.code, name: agency.name };
        match regions.iter_mut().find(|region| region.name == agency.region) {
            Some(region) => region.agencies.push(link),
            None => regions.push(Region { name: agency.region, agencies: vec![link] }),
        }
    }
    Ok(Html(HomePage { regions }.render()?))
}
