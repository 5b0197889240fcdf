//! Writing a register: one sheet (XLSX, headers bold and frozen, text cells so numbers like tracking
//! numbers keep their leading zeros) or CSV (UTF-8 with BOM, which Excel opens as UTF-8).

use rust_xlsxwriter::{Format, Workbook};

use crate::RegisterError;
use crate::fields::Register;
use crate::sheet::FileKind;

/// Writes `rows` under the register's headers.
pub fn write(
    register: Register,
    rows: &[Vec<String>],
    kind: FileKind,
) -> Result<Vec<u8>, RegisterError> {
    let headers = crate::rows::headers(register);
    match kind {
        FileKind::Csv => {
            let mut out = b"\xef\xbb\xbf".to_vec();
            {
                let mut writer = csv::Writer::from_writer(&mut out);
                let failed = |err: csv::Error| RegisterError::Write(err.to_string());
                writer.write_record(&headers).map_err(failed)?;
                for row in rows {
                    writer.write_record(row).map_err(failed)?;
                }
                writer.flush().map_err(|err| RegisterError::Write(err.to_string()))?;
            }
            Ok(out)
        }
        FileKind::Xlsx => {
            let failed = |err: rust_xlsxwriter::XlsxError| RegisterError::Write(err.to_string());
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name(register.name()).map_err(failed)?;
            let bold = Format::new().set_bold();
            let text = Format::new().set_num_format("@");
            for (column, header) in headers.iter().enumerate() {
                let column = column as u16;
                sheet.write_string_with_format(0, column, *header, &bold).map_err(failed)?;
                sheet.set_column_width(column, 14).map_err(failed)?;
            }
            for (index, row) in rows.iter().enumerate() {
                let line = index as u32 + 1;
                for (column, value) in row.iter().enumerate() {
                    if !value.is_empty() {
                        sheet
                            .write_string_with_format(line, column as u16, value, &text)
                            .map_err(failed)?;
                    }
                }
            }
            sheet.set_freeze_panes(1, 0).map_err(failed)?;
            workbook.save_to_buffer().map_err(failed)
        }
    }
}
