//! Registers in and out of the database, on both backends: an import writes every row or none, a second
//! import of the same rows adds nothing, an export gives back what was imported, and a tracking number of
//! another agency is refused.

mod common;

use gongkai_core::calendar::Calendar;
use gongkai_core::records::AgencyRecords;
use gongkai_core::report;
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::catalog::{ItemMetadata, NewItem};
use gongkai_store::registers::{self, ImportSummary, RegisterApplication};
use gongkai_store::{StoreError, records};

use common::{TEST, on_both};

fn agency<'a>(code: &'a str, name: &'a str) -> NewAgency<'a> {
    NewAgency {
        code,
        name,
        kind: gongkai_core::records::AgencyKind::Department,
        region: "浙江省温州市",
        parent_code: None,
        index_pattern: "{code}/{year}-{serial:05}",
        office: "办公室",
        phone: "0577-88000000",
        address: "",
        hours: "",
    }
}

fn nothing(_: usize) {}

#[tokio::test]
async fn registers_import_once_export_what_was_imported_and_refuse_other_agencies_numbers() {
    on_both(|store, backend| async move {
        agencies::add(&store, &agency("REG-A", "甲局"), &TEST).await.unwrap();
        agencies::add(&store, &agency("REG-B", "乙局"), &TEST).await.unwrap();
        let demo = gongkai_demo::wenzhou_justice();
        let applications: Vec<RegisterApplication> = demo
            .applications
            .iter()
            .enumerate()
            .map(|(index, record)| RegisterApplication {
                record: record.clone(),
                applicant_name: format!("申请人{index}"),
                description: format!("申请公开第{index}项信息"),
            })
            .collect();
        let items: Vec<NewItem> = demo
            .catalog
            .iter()
            .map(|item| NewItem {
                record: item.clone(),
                metadata: ItemMetadata {
                    doc_number: format!("文号{}", item.index_number),
                    ..ItemMetadata::default()
                },
            })
            .collect();

        let first = registers::import_applications(&store, "REG-A", &applications, &TEST, &nothing)
            .await
            .unwrap();
        assert_eq!(
            first,
            ImportSummary { added: applications.len(), already_present: 0 },
            "{backend}"
        );
        let again = registers::import_applications(&store, "REG-A", &applications, &TEST, &nothing)
            .await
            .unwrap();
        assert_eq!(
            again,
            ImportSummary { added: 0, already_present: applications.len() },
            "{backend}"
        );
        let catalog = registers::import_catalog(&store, "REG-A", &items, &TEST).await.unwrap();
        assert_eq!(catalog.added, items.len());
        let catalog_again =
            registers::import_catalog(&store, "REG-A", &items, &TEST).await.unwrap();
        assert_eq!(catalog_again, ImportSummary { added: 0, already_present: items.len() });

        let exported = registers::export_applications(&store, "REG-A").await.unwrap();
        assert_eq!(exported, applications, "{backend}: applications with steps and personal data");
        let exported_items = registers::export_catalog(&store, "REG-A").await.unwrap();
        assert_eq!(exported_items.len(), items.len());
        for (exported, item) in exported_items.iter().zip(&items) {
            assert_eq!(exported.record, item.record);
            assert_eq!(exported.metadata, item.metadata);
        }

        // The registers' records give the reports those records give (the rest of the year's records —
        // staff, trainings, reviews — are not part of a register).
        let loaded = records::load(&store, "REG-A").await.unwrap();
        let registered = AgencyRecords {
            agency: loaded.agency.clone(),
            catalog: demo.catalog.clone(),
            applications: demo.applications.clone(),
            ..AgencyRecords::default()
        };
        for year in [2018, 2021, 2025] {
            let expected = report::build(&registered, year, None, Calendar::builtin()).unwrap();
            let actual = report::build(&loaded, year, None, Calendar::builtin()).unwrap();
            assert_eq!(actual.values, expected.values, "{backend}: {year}");
        }

        // Another agency's register with one of A's numbers: refused, nothing written.
        let mut clash = applications[..3].to_vec();
        clash[0].record.tracking_number = "NEW-1".to_owned();
        clash[1].record.tracking_number = "NEW-2".to_owned();
        let refused = registers::import_applications(&store, "REG-B", &clash, &TEST, &nothing)
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::Duplicate { .. }), "{backend}: {refused}");
        assert!(registers::export_applications(&store, "REG-B").await.unwrap().is_empty());
    })
    .await;
}
