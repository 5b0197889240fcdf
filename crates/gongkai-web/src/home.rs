//! The platform home: the search box, agencies by region and type, the newest items.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use gongkai_store::catalog::{self, ItemSummary};

use crate::{AppState, PageError};

pub(crate) struct AgencyLink {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) closed: bool,
}

pub(crate) struct Region {
    pub(crate) name: String,
    pub(crate) agencies: Vec<AgencyLink>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    regions: Vec<Region>,
    latest: Vec<ItemSummary>,
}

pub(crate) async fn home(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let agencies = gongkai_store::agencies::list(state.store()).await?;
    let mut regions: Vec<Region> = Vec::new();
    for agency in agencies {
        let link = AgencyLink {
            kind: agency.kind.label(),
            closed: crate::portal::closed_as_of(&agency, state.today()).is_some(),
            code: agency.code,
            name: agency.name,
        };
        match regions.iter_mut().find(|region| region.name == agency.region) {
            Some(region) => region.agencies.push(link),
            None => regions.push(Region { name: agency.region, agencies: vec![link] }),
        }
    }
    // Governments before departments within a region, as the yearbooks list them.
    for region in &mut regions {
        region.agencies.sort_by_key(|agency| agency.kind != "人民政府");
    }
    let latest = catalog::latest(state.store(), 10).await?;
    Ok(Html(HomePage { regions, latest }.render()?))
}
