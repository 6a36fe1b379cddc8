//! Writes an export file: CSV with a header row of the entity's columns, or a
//! JSON array of objects. Written under a temporary name and renamed when
//! complete, so a half-written file is never served.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flexprice_api::FileType;

use crate::records::{Cell, Kind, Schema};

pub enum ExportWriter {
    Csv {
        writer: Box<csv::Writer<BufWriter<File>>>,
    },
    Json {
        writer: BufWriter<File>,
        schema: &'static Schema,
        first: bool,
    },
}

/// Where the export of `task_id` lives in `dir`.
pub fn export_path(dir: &Path, task_id: &str, file_type: FileType) -> PathBuf {
    dir.join(format!("{task_id}.{}", extension(file_type)))
}

pub fn extension(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Csv => "csv",
        FileType::Json => "json",
    }
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

impl ExportWriter {
    /// Starts writing the export that will be at `path`.
    pub fn create(
        path: &Path,
        file_type: FileType,
        schema: &'static Schema,
    ) -> std::io::Result<ExportWriter> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = BufWriter::with_capacity(256 * 1024, File::create(partial(path))?);
        Ok(match file_type {
            FileType::Csv => {
                let mut writer = csv::Writer::from_writer(file);
                writer.write_record(schema.columns.iter().map(|c| c.name))?;
                ExportWriter::Csv {
                    writer: Box::new(writer),
                }
            }
            FileType::Json => {
                let mut writer = file;
                writer.write_all(b"[")?;
                ExportWriter::Json {
                    writer,
                    schema,
                    first: true,
                }
            }
        })
    }

    pub fn write(&mut self, records: &[Vec<Cell>]) -> std::io::Result<()> {
        match self {
            ExportWriter::Csv { writer, .. } => {
                for cells in records {
                    writer.write_record(
                        cells
                            .iter()
                            .map(|cell| cell.as_text().unwrap_or_default().into_owned()),
                    )?;
                }
            }
            ExportWriter::Json {
                writer,
                schema,
                first,
            } => {
                for cells in records {
                    writer.write_all(if *first { b"\n" } else { b",\n" })?;
                    *first = false;
                    write_object(&mut *writer, schema, cells)?;
                }
            }
        }
        Ok(())
    }

    /// Completes the file at `path`.
    pub fn finish(self, path: &Path) -> std::io::Result<()> {
        let file = match self {
            ExportWriter::Csv { writer, .. } => writer
                .into_inner()
                .map_err(|err| std::io::Error::other(err.to_string()))?,
            ExportWriter::Json {
                mut writer, first, ..
            } => {
                writer.write_all(if first { b"]\n" } else { b"\n]\n" })?;
                writer
            }
        };
        let file = file
            .into_inner()
            .map_err(|err| std::io::Error::other(err.to_string()))?;
        file.sync_all()?;
        std::fs::rename(partial(path), path)
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
    fn writes_csv_and_json_with_the_entity_columns() {
        let dir = tempfile::tempdir().unwrap();
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
            let path = export_path(dir.path(), "task_x", file_type);
            let mut writer = ExportWriter::create(&path, file_type, schema).unwrap();
            writer.write(std::slice::from_ref(&cells)).unwrap();
            assert!(
                !path.exists(),
                "only the partial file exists until finished"
            );
            writer.finish(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
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
    }
}
