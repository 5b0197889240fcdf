//! The cells of a report's tables and their values, exact [`Quantity`]s (from [`crate::quantity`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::quantity::Quantity;

/// The address of a value cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellKey {
    pub table: String,
    pub row: String,
    pub column: String,
}

impl CellKey {
    pub fn new(table: &str, row: &str, column: &str) -> CellKey {
        CellKey { table: table.to_owned(), row: row.to_owned(), column: column.to_owned() }
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.table, self.row, self.column)
    }
}

/// The value cells of a report: `None` is "not filled" (blank, "/", "—"), which is not 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableValues {
    cells: BTreeMap<CellKey, Option<Quantity>>,
}

impl TableValues {
    pub fn set(&mut self, key: CellKey, value: Option<Quantity>) {
        self.cells.insert(key, value);
    }

    /// The cell's value; `None` when it is not filled or not present.
    pub fn get(&self, table: &str, row: &str, column: &str) -> Option<Quantity> {
        self.cells.get(&CellKey::new(table, row, column)).copied().flatten()
    }

    /// Whether the table has this cell at all (filled or not).
    pub fn has(&self, table: &str, row: &str, column: &str) -> bool {
        self.cells.contains_key(&CellKey::new(table, row, column))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CellKey, &Option<Quantity>)> {
        self.cells.iter()
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

impl Serialize for TableValues {
    /// `{ table: { row: { column: value | null } } }`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut nested: BTreeMap<&str, BTreeMap<&str, BTreeMap<&str, Option<Quantity>>>> =
            BTreeMap::new();
        for (key, value) in &self.cells {
            nested
                .entry(&key.table)
                .or_default()
                .entry(&key.row)
                .or_default()
                .insert(&key.column, *value);
        }
        nested.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TableValues {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TableValues, D::Error> {
        let nested: BTreeMap<String, BTreeMap<String, BTreeMap<String, Option<Quantity>>>> =
            BTreeMap::deserialize(deserializer)?;
        let mut values = TableValues::default();
        for (table, rows) in nested {
            for (row, columns) in rows {
                for (column, value) in columns {
                    values.set(CellKey { table: table.clone(), row: row.clone(), column }, value);
                }
            }
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_and_print_exactly() {
        for (text, printed) in
            [("12", "12"), ("0.04", "0.04"), ("2.50", "2.5"), ("-3", "-3"), ("1,234.5", "1234.5")]
        {
            assert_eq!(Quantity::parse(text).unwrap().to_string(), printed);
        }
        assert_eq!(
            Quantity::parse("0.1").unwrap() + Quantity::parse("0.2").unwrap(),
            Quantity::parse("0.3").unwrap()
        );
        for bad in ["", "1.23456", "abc", "1.2.3", "--1"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }
}
