//! Encodes an export: CSV with a header row of the entity's columns, or a
//! JSON array of objects. Each page of records becomes bytes the caller
//! uploads as they come ([`super::storage`]), so an export of any size needs
//! memory for one page and one upload part.

use std::io::Write;

use flexprice_api::FileType;

use crate::records::{Cell, Kind, Schema};

pub struct ExportEncoder {
    file_type: FileType,
    schema: &'static Schema,
    /// No record written yet (JSON separators depend on it).
    first: bool,
}

pub fn extension(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Csv => "csv",
        FileType::Json => "json",
    }
}

pub fn content_type(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Csv => "text/csv",
        FileType::Json => "application/json",
    }
}

impl ExportEncoder {
    pub fn new(file_type: FileType, schema: &'static Schema) -> ExportEncoder {
        ExportEncoder {
            file_type,
            schema,
            first: true,
        }
    }

    /// What the file starts with: the CSV header row, or `[`.
    pub fn start(&self) -> std::io::Result<Vec<u8>> {
        match self.file_type {
            FileType::Csv => {
                let mut writer = csv::Writer::from_writer(Vec::new());
                writer.write_record(self.schema.columns.iter().map(|c| c.name))?;
                writer
                    .into_inner()
                    .map_err(|err| std::io::Error::other(err.to_string()))
            }
            FileType::Json => Ok(b"[".to_vec()),
        }
    }

    /// The bytes of `records`.
    pub fn encode(&mut self, records: &[Vec<Cell>]) -> std::io::Result<Vec<u8>> {
        match self.file_type {
            FileType::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::with_capacity(records.len() * 64));
                for cells in records {
                    writer.write_record(
                        cells
                            .iter()
                            .map(|cell| cell.as_text().unwrap_or_default().into_owned()),
                    )?;
                }
                writer
                    .into_inner()
                    .map_err(|err| std::io::Error::other(err.to_string()))
            }
            FileType::Json => {
                let mut out = Vec::with_capacity(records.len() * 96);
                for cells in records {
                    out.write_all(if self.first { b"\n" } else { b",\n" })?;
                    self.first = false;
                    write_object(&mut out, self.schema, cells)?;
                }
                Ok(out)
            }
        }
    }

    /// What the file ends with.
    pub fn end(&self) -> Vec<u8> {
        match (self.file_type, self.first) {
            (FileType::Csv, _) => Vec::new(),
            (FileType::Json, true) => b"]\n".to_vec(),
            (FileType::Json, false) => b"\n]\n".to_vec(),
        }
    }
}

/// One record as a JSON object, keys in column order, absent values left out.
fn write_object(writer: &mut impl Write, schema: &Schema, cells: &[Cell]) -> std::io::Result<()> {
    writer.write_all(b"{")?;
    let mut first = true;
    for (column, cell) in schema.columns.iter().zip(cells) {
        if *cell == Cell::Null {
            continue;
        }
        if !first {
            writer.write_all(b",")?;
        }
        first = false;
        serde_json::to_writer(&mut *writer, column.name)?;
        writer.write_all(b":")?;
        match (column.kind, cell) {
            (_, Cell::Null) => {}
            (_, Cell::Integer(number)) => write!(writer, "{number}")?,
            // Stored as the JSON text of an object, written as the object.
            (Kind::Object, Cell::Text(text)) if text.starts_with('{') => {
                writer.write_all(text.as_bytes())?
            }
            (_, Cell::Text(text)) => serde_json::to_writer(&mut *writer, text)?,
        }
    }
    writer.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use flexprice_api::EntityType;

    use super::*;

    #[test]
    fn encodes_csv_and_json_with_the_entity_columns() {
        let schema = Schema::of(EntityType::Prices);
        let cells = vec![
            Cell::Text("10.50".to_owned()),
            Cell::Text("USD".to_owned()),
            Cell::Null,
            Cell::Null,
            Cell::Integer(2),
            Cell::Null,
            Cell::Text("gold, monthly".to_owned()),
            Cell::Null,
            Cell::Null,
        ];
        for file_type in [FileType::Csv, FileType::Json] {
            let mut encoder = ExportEncoder::new(file_type, schema);
            let mut bytes = encoder.start().unwrap();
            bytes.extend(encoder.encode(std::slice::from_ref(&cells)).unwrap());
            bytes.extend(encoder.end());
            let text = String::from_utf8(bytes).unwrap();
            match file_type {
                FileType::Csv => assert_eq!(
                    text,
                    "amount,currency,type,billing_period,billing_period_count,billing_model,lookup_key,description,display_name\n\
                     10.50,USD,,,2,,\"gold, monthly\",,\n"
                ),
                FileType::Json => assert_eq!(
                    text,
                    "[\n{\"amount\":\"10.50\",\"currency\":\"USD\",\"billing_period_count\":2,\
                     \"lookup_key\":\"gold, monthly\"}\n]\n",
                    "keys in column order"
                ),
            }
        }
        let empty = ExportEncoder::new(FileType::Json, schema);
        assert_eq!(empty.end(), b"]\n");
    }
}
