//! Reads an import file as records, in chunks, without holding the file in
//! memory: CSV (a header row, quoted fields, surrounding spaces trimmed) or
//! JSON (an array of objects). Each record is validated on its own; only an
//! unreadable file stops the run.

use std::fmt;
use std::io::{BufReader, Read};

use chrono::{DateTime, Utc};
use flexprice_api::FileType;
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value;

use crate::records::{Cell, RawRecord, Schema};

/// One record of the file: its number (from 1) and its cells or why it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecord {
    pub number: i64,
    pub outcome: Result<Vec<Cell>, String>,
}

/// How reading ended, when the file itself was readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseEnd {
    /// Every record was read.
    Finished,
    /// The sink asked to stop.
    Stopped,
}

/// What a parse needs besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    pub file_type: FileType,
    pub schema: &'static Schema,
    /// Records already handled by an earlier, interrupted run: read past, not returned.
    pub skip: i64,
    pub chunk_size: usize,
    /// Fills absent event timestamps.
    pub now: DateTime<Utc>,
}

struct Chunker<F> {
    options: ParseOptions,
    chunk: Vec<ParsedRecord>,
    sink: F,
}

impl<F: FnMut(Vec<ParsedRecord>) -> bool> Chunker<F> {
    /// Adds record `number` (validated by `outcome` unless skipped); `false` to stop.
    fn push(&mut self, number: i64, outcome: impl FnOnce() -> Result<Vec<Cell>, String>) -> bool {
        if number <= self.options.skip {
            return true;
        }
        self.chunk.push(ParsedRecord {
            number,
            outcome: outcome(),
        });
        if self.chunk.len() >= self.options.chunk_size {
            let full =
                std::mem::replace(&mut self.chunk, Vec::with_capacity(self.options.chunk_size));
            return (self.sink)(full);
        }
        true
    }

    fn finish(mut self) -> ParseEnd {
        if self.chunk.is_empty() || (self.sink)(std::mem::take(&mut self.chunk)) {
            ParseEnd::Finished
        } else {
            ParseEnd::Stopped
        }
    }
}

/// Reads `reader` and hands chunks of `options.chunk_size` records to `sink`
/// (which returns `false` to stop). An error is the reason the file as a
/// whole cannot be read.
pub fn parse<R, F>(reader: R, options: ParseOptions, sink: F) -> Result<ParseEnd, String>
where
    R: Read,
    F: FnMut(Vec<ParsedRecord>) -> bool,
{
    let chunker = Chunker {
        options,
        chunk: Vec::with_capacity(options.chunk_size),
        sink,
    };
    match options.file_type {
        FileType::Csv => parse_csv(reader, chunker),
        FileType::Json => parse_json(reader, chunker),
    }
}

fn parse_csv<R: Read, F: FnMut(Vec<ParsedRecord>) -> bool>(
    reader: R,
    mut chunker: Chunker<F>,
) -> Result<ParseEnd, String> {
    let schema = chunker.options.schema;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header: Vec<String> = match csv.headers() {
        Ok(header) => header.iter().map(str::to_owned).collect(),
        Err(err) => return Err(csv_failure(&err)),
    };
    if header.iter().all(String::is_empty) {
        return Err("the file is empty: a CSV file needs a header row".to_owned());
    }
    let known = header.iter().any(|name| {
        name.starts_with("properties.") || schema.columns.iter().any(|c| c.name == name)
    });
    if !known {
        return Err(format!(
            "the CSV header names none of the {} columns ({})",
            schema.entity.as_str().to_lowercase(),
            schema
                .columns
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let missing = schema.missing_columns(&header);
    if !missing.is_empty() {
        return Err(format!(
            "the CSV header lacks required columns: {}",
            missing.join(", ")
        ));
    }
    let now = chunker.options.now;
    let mut bytes = csv::ByteRecord::new();
    let mut number: i64 = 0;
    loop {
        match csv.read_byte_record(&mut bytes) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(csv_failure(&err)),
        }
        number += 1;
        let keep_going = chunker.push(number, || {
            let row = csv::StringRecord::from_byte_record(bytes.clone())
                .map_err(|_| "is not valid UTF-8 text".to_owned())?;
            if row.len() != header.len() {
                return Err(format!(
                    "has {} fields, the header has {}",
                    row.len(),
                    header.len()
                ));
            }
            schema.validate(
                &RawRecord::Csv {
                    header: &header,
                    row: &row,
                },
                now,
            )
        });
        if !keep_going {
            return Ok(ParseEnd::Stopped);
        }
    }
    Ok(chunker.finish())
}

fn csv_failure(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Utf8 { .. } => {
            "the file is not CSV text (it is not valid UTF-8)".to_owned()
        }
        _ => format!("the file is not valid CSV: {err}"),
    }
}

/// The marker error that ends the array early when the sink asks to stop.
const STOPPED: &str = "\u{0}stopped";
/// The marker error for a file that is one object instead of an array.
const ONE_OBJECT: &str = "\u{0}object";

struct Records<'a, F> {
    chunker: &'a mut Chunker<F>,
}

impl<'de, F: FnMut(Vec<ParsedRecord>) -> bool> DeserializeSeed<'de> for Records<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(Vec<ParsedRecord>) -> bool> Visitor<'de> for Records<'_, F> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let schema = self.chunker.options.schema;
        let now = self.chunker.options.now;
        let mut number: i64 = 0;
        while let Some(element) = seq.next_element::<Value>()? {
            number += 1;
            let keep_going = self.chunker.push(number, || match &element {
                Value::Object(map) => schema.validate(&RawRecord::Json(map), now),
                _ => Err("is not a JSON object".to_owned()),
            });
            if !keep_going {
                return Err(serde::de::Error::custom(STOPPED));
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, _map: A) -> Result<(), A::Error> {
        Err(serde::de::Error::custom(ONE_OBJECT))
    }
}

fn parse_json<R: Read, F: FnMut(Vec<ParsedRecord>) -> bool>(
    reader: R,
    mut chunker: Chunker<F>,
) -> Result<ParseEnd, String> {
    let mut deserializer =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, reader));
    let read = Records {
        chunker: &mut chunker,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    match read {
        Ok(()) => Ok(chunker.finish()),
        Err(err) if err.to_string().starts_with(STOPPED) => Ok(ParseEnd::Stopped),
        Err(err) if err.to_string().starts_with(ONE_OBJECT) => {
            Err("the file holds one JSON object; an import needs an array of objects".to_owned())
        }
        Err(err) if err.is_io() => Err(err.to_string()),
        Err(err) if err.is_eof() => Err(format!("the JSON file ends too early: {err}")),
        Err(err) => Err(format!("the file is not a JSON array of objects: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use flexprice_api::EntityType;

    use super::*;

    fn run(
        file_type: FileType,
        entity: EntityType,
        text: impl AsRef<[u8]>,
        skip: i64,
    ) -> Result<(Vec<ParsedRecord>, usize), String> {
        let mut records = Vec::new();
        let mut chunks = 0;
        let options = ParseOptions {
            file_type,
            schema: Schema::of(entity),
            skip,
            chunk_size: 2,
            now: Utc::now(),
        };
        parse(text.as_ref(), options, |chunk| {
            chunks += 1;
            records.extend(chunk);
            true
        })?;
        Ok((records, chunks))
    }

    fn failures(records: &[ParsedRecord]) -> Vec<(i64, String)> {
        records
            .iter()
            .filter_map(|r| r.outcome.clone().err().map(|e| (r.number, e)))
            .collect()
    }

    #[test]
    fn csv_records_fail_alone_and_come_in_chunks() {
        let text = "external_id, name ,email\n c1 ,\"Ada, Countess\",ada@example.com\nc2,,\nc3,Bob\nc4,Cy,cy@example.com\n";
        let (records, chunks) = run(FileType::Csv, EntityType::Customers, text, 0).unwrap();
        assert_eq!(records.len(), 4);
        assert_eq!(chunks, 2);
        assert_eq!(
            records[0].outcome.as_ref().unwrap()[1],
            Cell::Text("Ada, Countess".to_owned())
        );
        assert_eq!(
            failures(&records),
            [
                (2, "name is required".to_owned()),
                (3, "has 2 fields, the header has 3".to_owned())
            ]
        );
    }

    #[test]
    fn a_resumed_parse_skips_what_was_done() {
        let text = "external_id,name\nc1,A\nc2,B\nc3,C\n";
        let (records, _) = run(FileType::Csv, EntityType::Customers, text, 2).unwrap();
        assert_eq!(records.iter().map(|r| r.number).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn unreadable_files_fail_as_a_whole() {
        assert_eq!(
            run(FileType::Csv, EntityType::Customers, "name\nAda\n", 0).unwrap_err(),
            "the CSV header lacks required columns: external_id"
        );
        assert!(
            run(
                FileType::Csv,
                EntityType::Customers,
                "<html><body>hi</body></html>\n",
                0
            )
            .unwrap_err()
            .starts_with("the CSV header names none of the customers columns")
        );
        let binary: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert_eq!(
            run(FileType::Csv, EntityType::Events, binary, 0).unwrap_err(),
            "the file is not CSV text (it is not valid UTF-8)"
        );
        assert!(
            run(FileType::Json, EntityType::Events, "{\"a\": 1}", 0)
                .unwrap_err()
                .contains("array of objects")
        );
        assert!(
            run(
                FileType::Json,
                EntityType::Events,
                "[{\"event_name\": \"x\"",
                0
            )
            .unwrap_err()
            .starts_with("the JSON file ends too early")
        );
    }

    #[test]
    fn json_arrays_stream_by_element() {
        let text = r#"[{"event_name": "a", "external_customer_id": "c", "properties": {"n": 1}},
            42, {"event_name": "b"}]"#;
        let (records, _) = run(FileType::Json, EntityType::Events, text, 0).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(
            failures(&records),
            [
                (2, "is not a JSON object".to_owned()),
                (3, "external_customer_id is required".to_owned())
            ]
        );
    }
}
