//! `gongkai index rebuild`: makes the search index from the catalog in the database.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};

use crate::db_cmd::{self, DbArgs};
use crate::{Outcome, UsageError};

/// Where the search index lives unless `--index` says otherwise.
pub(crate) const DEFAULT_INDEX_DIR: &str = "gongkai-index";

/// The search index directory.
#[derive(Debug, Clone, Args)]
pub(crate) struct IndexDirArg {
    /// Directory of the search index (created if missing; a cache of the database, rebuilt at will).
    #[arg(long = "index", env = "GONGKAI_INDEX_DIR", default_value = DEFAULT_INDEX_DIR, value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum IndexCommand {
    /// Rebuild the search index from the catalog.
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        index: IndexDirArg,
    },
}

/// Opens the index in `dir`, naming the flag on failure.
pub(crate) fn open(dir: &std::path::Path) -> anyhow::Result<gongkai_search::SearchIndex> {
    gongkai_search::SearchIndex::open(dir).map_err(|err| {
        UsageError::new("--index", format!("cannot open {}: {err}", dir.display())).into()
    })
}

pub(crate) fn run(command: &IndexCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        IndexCommand::Rebuild { db, index } => {
            let search = open(&index.dir)?;
            let started = Instant::now();
            let count = db_cmd::block_on(async {
                let store = db_cmd::open(db).await?;
                let rebuilt = gongkai_web::indexer::rebuild(&store, &search).await?;
                store.close().await;
                anyhow::Ok(rebuilt.items)
            })??;
            let seconds = started.elapsed().as_secs_f64();
            writeln!(
                out,
                "indexed {count} items into {} in {seconds:.1} s ({:.0} items/s)",
                index.dir.display(),
                count as f64 / seconds.max(0.001)
            )?;
            Ok(Outcome::Success)
        }
    }
}
