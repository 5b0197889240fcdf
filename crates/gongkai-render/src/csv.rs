//! CSV: every value cell of the report's tables on its own line (table, row and column labels, unit,
//! value — empty when not filled — and the cell's address), UTF-8 with a BOM so spreadsheet programs
//! open it as UTF-8.

use gongkai_core::report::Report;

use crate::RenderError;

const HEADERS: [&str; 6] = ["表格", "行", "列", "单位", "数值", "单元格"];

pub(crate) fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let failed = |err: csv::Error| RenderError::Csv(err.to_string());
    let mut out = b"\xef\xbb\xbf".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(HEADERS).map_err(failed)?;
        let format = report.format.format();
        for table in &format.tables {
            for (_, row, column) in table.value_cells() {
                let value = report.values.get(&table.id, &row.key, &column.key);
                let unit = column.unit.as_deref().or(row.unit.as_deref()).unwrap_or("");
                let label =
                    if row.label.is_empty() { column.label.as_str() } else { row.label.as_str() };
                writer
                    .write_record([
                        table.title.as_str(),
                        label,
                        column.label.as_str(),
                        unit,
                        &value.map(|value| value.to_string()).unwrap_or_default(),
                        &format!("{}/{}/{}", table.id, row.key, column.key),
                    ])
                    .map_err(failed)?;
            }
        }
        writer.flush().map_err(|err| RenderError::Csv(err.to_string()))?;
    }
    Ok(out)
}
