//! Checking a table against its format's rules, whether gongkai generated it or someone typed it in.
//!
//! Every rule is data in the format file (see [`crate::report::format::RuleKind`]); this module only knows how
//! to evaluate each kind. A cell that is not filled counts as 0 in sums, except that a sum whose total is
//! not filled, or whose parts are all unfilled, is not evaluated (the report stated one side only: an
//! omission, not a contradiction — a careful reader would not say "found 0" of a blank cell).

use serde::Serialize;

use super::format::{Format, Rule, RuleKind, Severity, Table};
use super::values::{CellKey, Quantity, TableValues};

/// A broken rule: which rule, which cells, what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub description: String,
    pub source: String,
    pub severity: Severity,
    /// Where, in words: the table, row and column labels.
    pub location: String,
    pub cells: Vec<CellKey>,
    pub expected: Quantity,
    pub found: Quantity,
}

impl Finding {
    /// Whether the finding compares cells (its expected and found values mean something); a note such as
    /// a roll-up member that has not published has none, and shows no "应为…实为…".
    #[must_use]
    pub fn compares(&self) -> bool {
        !self.cells.is_empty()
    }
}

/// Checks `values` against every rule of `format`; cross-year rules need `previous` (last year's values,
/// in whatever format that year used) and are skipped without it.
pub fn check(
    format: &Format,
    values: &TableValues,
    previous: Option<&TableValues>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in &format.rules {
        let Some(table) = format.table(&rule.table) else { continue };
        check_rule(rule, table, values, previous, &mut findings);
    }
    findings
}

struct Context<'a> {
    rule: &'a Rule,
    table: &'a Table,
    values: &'a TableValues,
}

impl Context<'_> {
    fn cell(&self, row: &str, column: &str) -> CellKey {
        CellKey::new(&self.table.id, row, column)
    }

    /// The value and whether it was filled; a cell the table does not have is `None`.
    fn get(&self, row: &str, column: &str) -> Option<Option<Quantity>> {
        self.values
            .has(&self.table.id, row, column)
            .then(|| self.values.get(&self.table.id, row, column))
    }

    fn row_label(&self, row: &str) -> String {
        self.table.row(row).map_or_else(|| row.to_owned(), |(_, row)| row.label.clone())
    }

    fn column_label(&self, column: &str) -> String {
        self.table
            .blocks
            .iter()
            .flat_map(|block| &block.columns)
            .find(|candidate| candidate.key == column)
            .map_or_else(|| column.to_owned(), |column| column.label.clone())
    }

    /// The value columns of the block holding `row`.
    fn columns_of(&self, row: &str) -> Vec<String> {
        self.table
            .row(row)
            .map(|(block, _)| block.columns.iter().map(|c| c.key.clone()).collect())
            .unwrap_or_default()
    }

    fn finding(
        &self,
        location: String,
        cells: Vec<CellKey>,
        expected: Quantity,
        found: Quantity,
    ) -> Finding {
        Finding {
            rule: self.rule.id.clone(),
            description: self.rule.description.clone(),
            source: self.rule.source.clone(),
            severity: self.rule.severity,
            location: format!("{}：{location}", self.table.title),
            cells,
            expected,
            found,
        }
    }

    /// Checks that cell `total` equals the sum of `parts`, when the table has them all, the total is filled
    /// and so is at least one part.
    fn check_sum(
        &self,
        total: (&str, &str),
        parts: &[(&str, &str)],
        location: String,
        findings: &mut Vec<Finding>,
    ) {
        let (Some(found), Some((expected, parts_filled))) =
            (self.get(total.0, total.1), self.sum(parts))
        else {
            return;
        };
        if let Some(found) = found
            && parts_filled
            && found != expected
        {
            let cells = std::iter::once(total)
                .chain(parts.iter().copied())
                .map(|(row, column)| self.cell(row, column))
                .collect();
            findings.push(self.finding(location, cells, expected, found));
        }
    }

    /// Sums the given cells; `None` when none of them is filled (nothing stated), or a cell is absent.
    fn sum(&self, cells: &[(&str, &str)]) -> Option<(Quantity, bool)> {
        let mut total = Quantity::ZERO;
        let mut any_filled = false;
        for (row, column) in cells {
            let value = self.get(row, column)?;
            any_filled |= value.is_some();
            total = total + value.unwrap_or_default();
        }
        Some((total, any_filled))
    }

    /// Checks, in every value column of `left`'s block, that Σ `left` rows = Σ `right` rows, when
    /// both sides are stated.
    fn check_row_balance(&self, left: &[String], right: &[String], findings: &mut Vec<Finding>) {
        for column in self.columns_of(&left[0]) {
            let left_cells: Vec<(&str, &str)> =
                left.iter().map(|row| (row.as_str(), column.as_str())).collect();
            let right_cells: Vec<(&str, &str)> =
                right.iter().map(|row| (row.as_str(), column.as_str())).collect();
            let (Some((expected, left_filled)), Some((found, right_filled))) =
                (self.sum(&left_cells), self.sum(&right_cells))
            else {
                continue;
            };
            if left_filled && right_filled && expected != found {
                let cells = left.iter().chain(right).map(|row| self.cell(row, &column)).collect();
                findings.push(self.finding(
                    format!("“{}”列", self.column_label(&column)),
                    cells,
                    expected,
                    found,
                ));
            }
        }
    }

    /// Checks, in every value column of `total`'s block, that row `total` = Σ `parts` rows.
    fn check_row_sum(&self, total: &str, parts: &[String], findings: &mut Vec<Finding>) {
        for column in self.columns_of(total) {
            let part_cells: Vec<(&str, &str)> =
                parts.iter().map(|row| (row.as_str(), column.as_str())).collect();
            let location =
                format!("“{}”行“{}”列", self.row_label(total), self.column_label(&column));
            self.check_sum((total, &column), &part_cells, location, findings);
        }
    }

    /// Checks, in every value row having column `total`, that column `total` = Σ `parts` columns.
    fn check_column_sum(&self, total: &str, parts: &[String], findings: &mut Vec<Finding>) {
        for (_, row, _) in self.table.value_cells().filter(|(_, _, column)| column.key == total) {
            let part_cells: Vec<(&str, &str)> =
                parts.iter().map(|column| (row.key.as_str(), column.as_str())).collect();
            // Table 四's one row has no label: the column says where.
            let location = if row.label.is_empty() {
                format!("“{}”列", self.column_label(total))
            } else {
                format!("“{}”行“{}”列", row.label, self.column_label(total))
            };
            self.check_sum((&row.key, total), &part_cells, location, findings);
        }
    }

    /// Checks, in every value column of `part`'s block, that a filled row `part` does not exceed
    /// row `whole` (an unfilled `whole` counting as 0).
    fn check_at_most(&self, part: &str, whole: &str, findings: &mut Vec<Finding>) {
        for column in self.columns_of(part) {
            let (Some(Some(part_value)), Some(whole_value)) =
                (self.get(part, &column), self.get(whole, &column))
            else {
                continue;
            };
            if part_value > whole_value.unwrap_or_default() {
                let cells = vec![self.cell(part, &column), self.cell(whole, &column)];
                let location =
                    format!("“{}”不应超过“{}”", self.row_label(part), self.row_label(whole));
                findings.push(self.finding(
                    location,
                    cells,
                    whole_value.unwrap_or_default(),
                    part_value,
                ));
            }
        }
    }

    /// Checks, in every value column of `this_year`'s block, that this year's row `this_year`
    /// equals row `last_year` of `previous` (last year's values), when both are filled.
    fn check_cross_year(
        &self,
        previous: &TableValues,
        this_year: &str,
        last_year: &str,
        findings: &mut Vec<Finding>,
    ) {
        let last = Context { rule: self.rule, table: self.table, values: previous };
        for column in self.columns_of(this_year) {
            // Both filled: a blank this year is an omission, not a carry-over of 0.
            let (Some(Some(found)), Some(Some(expected))) =
                (self.get(this_year, &column), last.get(last_year, &column))
            else {
                continue;
            };
            if found != expected {
                let location = format!(
                    "本年“{}”与上年“{}”（“{}”列）",
                    self.row_label(this_year),
                    self.row_label(last_year),
                    self.column_label(&column)
                );
                let cells = vec![self.cell(this_year, &column)];
                findings.push(self.finding(location, cells, expected, found));
            }
        }
    }

    /// Checks, for each of `rows`, that column `stock` = last year's `stock` (from `previous`) +
    /// `inflow` − `outflow`, when this year's and last year's stock are filled.
    fn check_cross_year_flow(
        &self,
        previous: &TableValues,
        rows: &[String],
        stock: &str,
        inflow: &str,
        outflow: Option<&str>,
        findings: &mut Vec<Finding>,
    ) {
        let last = Context { rule: self.rule, table: self.table, values: previous };
        for row in rows {
            let (Some(Some(found)), Some(Some(last_stock)), Some(inflow_value)) =
                (self.get(row, stock), last.get(row, stock), self.get(row, inflow))
            else {
                continue;
            };
            let outflow_value = match outflow {
                Some(outflow) => self.get(row, outflow).flatten().unwrap_or_default(),
                None => Quantity::ZERO,
            };
            let expected = last_stock + inflow_value.unwrap_or_default() - outflow_value;
            if found != expected {
                let location =
                    format!("“{}”行“{}”列", self.row_label(row), self.column_label(stock));
                findings.push(self.finding(location, vec![self.cell(row, stock)], expected, found));
            }
        }
    }
}

/// Evaluates one rule on its table, pushing a finding for every place the values break it;
/// cross-year rules are skipped without `previous`.
fn check_rule(
    rule: &Rule,
    table: &Table,
    values: &TableValues,
    previous: Option<&TableValues>,
    findings: &mut Vec<Finding>,
) {
    let context = Context { rule, table, values };
    match &rule.kind {
        RuleKind::RowBalance { left, right } => context.check_row_balance(left, right, findings),
        RuleKind::RowSum { total, parts } => context.check_row_sum(total, parts, findings),
        RuleKind::ColumnSum { total, parts } => context.check_column_sum(total, parts, findings),
        RuleKind::AtMost { part, whole } => context.check_at_most(part, whole, findings),
        RuleKind::CrossYear { this_year, last_year } => {
            let Some(previous) = previous else { return };
            context.check_cross_year(previous, this_year, last_year, findings);
        }
        RuleKind::CrossYearFlow { rows, stock, inflow, outflow } => {
            let Some(previous) = previous else { return };
            let outflow = outflow.as_deref();
            context.check_cross_year_flow(previous, rows, stock, inflow, outflow, findings);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::format::FormatId;

    fn stats(values: &mut TableValues, row: &str, value: Option<i64>) {
        values.set(CellKey::new("stats", row, "value"), value.map(Quantity::count));
    }

    #[test]
    fn received_must_equal_the_sum_of_channels_as_the_seed_does_not() {
        // The seed: 收到申请数 3, but 当面 0 + 传真 0 + 网络 3 + 信函 1 = 4.
        let mut values = TableValues::default();
        for (row, value) in [
            ("received", 3),
            ("received_in_person", 0),
            ("received_fax", 0),
            ("received_online", 3),
            ("received_letter", 1),
        ] {
            stats(&mut values, row, Some(value));
        }
        let findings = check(FormatId::Pre2019.format(), &values, None);
        let finding =
            findings.iter().find(|finding| finding.rule == "stats.received_by_channel").unwrap();
        assert_eq!((finding.expected, finding.found), (Quantity::count(4), Quantity::count(3)));
        assert!(finding.location.contains("（一）收到申请数"), "{}", finding.location);
        assert_eq!(finding.cells.len(), 5);
    }

    #[test]
    fn a_part_exceeding_its_parent_is_found_and_blank_cells_are_not_zero() {
        // The seed: 不同意公开 0 but 其中 涉及个人隐私 1; 专职人员数 blank, 兼职 5, 工作人员 5.
        let mut values = TableValues::default();
        stats(&mut values, "ans_refused", Some(0));
        for row in [
            "refused_state_secret",
            "refused_trade_secret",
            "refused_security",
            "refused_not_gov_info",
            "refused_other_law",
        ] {
            stats(&mut values, row, Some(0));
        }
        stats(&mut values, "refused_privacy", Some(1));
        stats(&mut values, "staff", Some(5));
        stats(&mut values, "staff_full_time", None);
        stats(&mut values, "staff_part_time", Some(5));
        let findings = check(FormatId::Pre2019.format(), &values, None);
        let rules: Vec<&str> = findings.iter().map(|finding| finding.rule.as_str()).collect();
        assert_eq!(rules, vec!["stats.refused_reasons"], "{findings:#?}");
    }

    #[test]
    fn a_total_left_blank_or_parts_all_blank_is_an_omission_not_a_contradiction() {
        // A real 2019 report (上海市人民政府办公厅) left the 总计 column blank in rows (一)–(六): "found 0"
        // would be false. Its parts filled and its total stated, the sum is checked as before.
        let mut values = TableValues::default();
        stats(&mut values, "received", None);
        stats(&mut values, "received_in_person", Some(0));
        stats(&mut values, "received_fax", Some(0));
        stats(&mut values, "received_online", Some(3));
        stats(&mut values, "received_letter", Some(1));
        stats(&mut values, "concluded", Some(4));
        for row in ["concluded_on_time", "concluded_extended"] {
            stats(&mut values, row, None);
        }
        let findings = check(FormatId::Pre2019.format(), &values, None);
        let rules: Vec<&str> = findings.iter().map(|finding| finding.rule.as_str()).collect();
        assert!(!rules.contains(&"stats.received_by_channel"), "{findings:#?}");
        assert!(!rules.contains(&"stats.concluded"), "{findings:#?}");
        stats(&mut values, "received", Some(3));
        let findings = check(FormatId::Pre2019.format(), &values, None);
        let finding =
            findings.iter().find(|finding| finding.rule == "stats.received_by_channel").unwrap();
        assert_eq!((finding.expected, finding.found), (Quantity::count(4), Quantity::count(3)));
    }
}
