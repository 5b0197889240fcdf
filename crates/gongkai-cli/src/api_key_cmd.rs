//! `gongkai api-key`: issue, list and revoke an agency's API keys (the agency admin's page does the same).

use std::io::Write;

use anyhow::Context;
use gongkai_store::api_keys::{self, Scope};

use crate::Outcome;
use crate::UsageError;
use crate::db_cmd::{DbArgs, actor, block_on, open, usage};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Issue a key; prints it once (only its digest is kept).
    Issue {
        #[command(flatten)]
        db: DbArgs,
        /// The agency's code.
        #[arg(long)]
        agency: String,
        /// A name for the key, new in the agency (the audit trail names its uses `api:<agency>/<name>`).
        #[arg(long)]
        name: String,
        /// A scope, repeatable: catalog:write, applications:read, applications:personal, ledger:write,
        /// reports:read.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// The last day the key works (YYYY-MM-DD, China); none: until revoked.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// List the agency's keys (never their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        agency: String,
    },
    /// Revoke one of the agency's keys by its id.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        agency: String,
        id: i64,
    },
}

fn scopes(codes: &[String]) -> Result<Vec<Scope>, UsageError> {
    codes
        .iter()
        .flat_map(|code| code.split(','))
        .map(|code| {
            Scope::parse(code.trim()).ok_or_else(|| {
                UsageError::new(
                    "--scope",
                    format!(
                        "unknown scope `{code}`: use {}",
                        Scope::ALL.map(Scope::code).join(", ")
                    ),
                )
            })
        })
        .collect()
}

pub(crate) fn run(command: &ApiKeyCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        ApiKeyCommand::Issue { db, agency, name, scopes: codes, expires } => {
            let scopes = scopes(codes)?;
            let expires = expires
                .as_deref()
                .map(|text| {
                    let day = crate::parse_date(text)
                        .map_err(|message| UsageError::new("--expires", message))?;
                    // As the server judges the key's last day.
                    let today = crate::today_in_china();
                    if day < today {
                        return Err(UsageError::new(
                            "--expires",
                            format!("{day} is before today ({today}): the key would never work"),
                        ));
                    }
                    Ok(day)
                })
                .transpose()?;
            let issued = block_on(async {
                let store = open(db).await?;
                let result = api_keys::issue(&store, agency, name, &scopes, expires, &actor())
                    .await
                    .map_err(usage("--name"));
                store.close().await;
                result
            })??;
            writeln!(out, "{}", issued.token)?;
        }
        ApiKeyCommand::List { db, agency } => {
            let keys = block_on(async {
                let store = open(db).await?;
                let result = async {
                    let row = gongkai_store::agencies::by_code(&store, agency)
                        .await
                        .map_err(usage("--agency"))?;
                    api_keys::list(&store, row.id).await.context("listing the keys")
                }
                .await;
                store.close().await;
                result
            })??;
            for key in keys {
                let scopes: Vec<&str> = key.scopes.iter().map(|scope| scope.code()).collect();
                writeln!(
                    out,
                    "{}\t{}\tgk_{}_…\t{}\t{}\t{}",
                    key.id,
                    key.name,
                    key.prefix,
                    scopes.join(" "),
                    key.expires_on.map(|day| day.to_string()).unwrap_or_else(|| "-".to_owned()),
                    if key.revoked_at.is_some() { "revoked" } else { "active" },
                )?;
            }
        }
        ApiKeyCommand::Revoke { db, agency, id } => {
            block_on(async {
                let store = open(db).await?;
                let result = async {
                    let row = gongkai_store::agencies::by_code(&store, agency)
                        .await
                        .map_err(usage("--agency"))?;
                    api_keys::revoke(&store, row.id, *id, &actor()).await.map_err(usage("ID"))
                }
                .await;
                store.close().await;
                result
            })??;
            writeln!(out, "revoked key {id}")?;
        }
    }
    Ok(Outcome::Success)
}
