//! `gongkai fee`: the information processing fee of 国办函〔2020〕109号.

use std::io::Write;

use clap::Args;
use gongkai_core::fee::{self, Basis, FeeQuote};

use crate::{Outcome, UsageError};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("basis").required(true).args(["nth_in_month", "pages"])))]
pub(crate) struct FeeArgs {
    /// Per application (按件): this application's number among the applicant's applications this calendar month.
    #[arg(long, value_name = "N")]
    nth_in_month: Option<u64>,
    /// Per volume (按量): the number of pages provided.
    #[arg(long, value_name = "P")]
    pages: Option<u64>,
    /// Print the quote as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &FeeArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let quote = match (args.nth_in_month, args.pages) {
        (Some(nth), _) => fee::per_application(nth)
            .map_err(|err| UsageError::new("--nth-in-month", err.to_string()))?,
        (None, Some(pages)) => {
            fee::per_volume(pages).map_err(|err| UsageError::new("--pages", err.to_string()))?
        }
        (None, None) => unreachable!("clap requires one of --nth-in-month and --pages"),
    };
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&quote)?)?;
    } else {
        print_quote(&quote, out)?;
    }
    Ok(Outcome::Success)
}

fn print_quote(quote: &FeeQuote, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "{} yuan", quote.amount_yuan)?;
    let unit = match quote.basis {
        Basis::PerApplication => "application",
        Basis::PerVolume => "pages",
    };
    if quote.tiers.is_empty() {
        writeln!(out, "  free: within the tier that is not charged")?;
    }
    for tier in &quote.tiers {
        writeln!(
            out,
            "  {unit} {}-{}: {} x {} yuan = {} yuan",
            tier.from, tier.to, tier.units, tier.unit_price_yuan, tier.subtotal_yuan
        )?;
    }
    writeln!(out, "  basis: {}", quote.citation)?;
    Ok(())
}
