//! Rows read from a register (`gongkai-register`) as the store writes them: one mapping for the back
//! office's 台账导入 and the CLI's `gongkai import`.

use gongkai_register::rows::{ApplicationEntry, CatalogEntry};
use gongkai_store::catalog::{ItemMetadata, NewItem};
use gongkai_store::registers::RegisterApplication;

/// Applications of a register, with the applicant's name and the request kept beside the record.
pub fn applications(entries: Vec<ApplicationEntry>) -> Vec<RegisterApplication> {
    entries
        .into_iter()
        .map(|entry| RegisterApplication {
            record: entry.record,
            applicant_name: entry.applicant_name,
            description: entry.description,
        })
        .collect()
}

/// Items of a catalog list, with the metadata the list gives (the rest left empty).
pub fn catalog_items(entries: Vec<CatalogEntry>) -> Vec<NewItem> {
    entries
        .into_iter()
        .map(|entry| NewItem {
            record: entry.item,
            metadata: ItemMetadata {
                summary: entry.summary,
                subject: entry.subject,
                genre: entry.genre,
                doc_number: entry.doc_number,
                validity: entry.validity,
                ..ItemMetadata::default()
            },
        })
        .collect()
}
