//! The records an import brings in and an export writes out: per entity type,
//! the columns (in export order) and the validation rules of the real service.
//! Pure data and rules; parsing is in `files`, storage in `store`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use flexprice_api::EntityType;
use serde_json::{Map, Value};

/// How a column is stored, and written in a JSON export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// A JSON object, stored as its text.
    Object,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// A record without a value here fails (and a CSV header must name it).
    pub required: bool,
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        required: false,
    }
}

const fn required(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        required: true,
    }
}

/// One stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Text(String),
    Integer(i64),
}

impl Cell {
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Null => None,
            Cell::Text(text) => Some(Cow::Borrowed(text)),
            Cell::Integer(number) => Some(Cow::Owned(number.to_string())),
        }
    }
}

/// The columns and rules of one entity type.
#[derive(Debug)]
pub struct Schema {
    pub entity: EntityType,
    /// One record, in words: "a customer".
    pub noun: &'static str,
    /// The storage table; a fixed name, never from input.
    pub table: &'static str,
    pub columns: &'static [Column],
    /// The column that identifies a record within a tenant, if any: a second
    /// record with the same value fails.
    pub unique: Option<&'static str>,
    validate: fn(&RawRecord<'_>, DateTime<Utc>) -> Result<Vec<Cell>, String>,
}

impl Schema {
    pub fn of(entity: EntityType) -> &'static Schema {
        match entity {
            EntityType::Events => &EVENTS,
            EntityType::Customers => &CUSTOMERS,
            EntityType::Features => &FEATURES,
            EntityType::Prices => &PRICES,
        }
    }

    /// Checks a record and returns its cells in column order, or the reason it
    /// is refused. `now` fills an absent event timestamp.
    pub fn validate(
        &self,
        record: &RawRecord<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Cell>, String> {
        let cells = (self.validate)(record, now)?;
        // PostgreSQL text cannot hold U+0000; no field of the platform means it.
        for (column, cell) in self.columns.iter().zip(&cells) {
            if let Cell::Text(text) = cell
                && text.contains('\0')
            {
                return Err(format!("{} contains a NUL character", column.name));
            }
        }
        Ok(cells)
    }

    /// Required columns a CSV header lacks. (Event ids and timestamps are
    /// filled in when absent, so a file need not carry them.)
    pub fn missing_columns(&self, header: &[String]) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|column| column.required && !header.iter().any(|name| name == column.name))
            .map(|column| column.name)
            .collect()
    }

    /// Why storing `cells` conflicted with an existing record.
    pub fn conflict_message(&self, cells: &[Cell]) -> String {
        let noun = self.noun;
        match self.unique {
            Some(column) => {
                let value = self
                    .columns
                    .iter()
                    .position(|c| c.name == column)
                    .and_then(|index| cells.get(index))
                    .and_then(Cell::as_text)
                    .unwrap_or_default();
                format!("{noun} with {column} {value} already exists")
            }
            None => format!("{noun} like this already exists"),
        }
    }
}

/// One record as read from a file, before validation.
#[derive(Debug)]
pub enum RawRecord<'a> {
    /// A CSV row and the file's header.
    Csv {
        header: &'a [String],
        row: &'a csv::StringRecord,
    },
    /// An element of a JSON array.
    Json(&'a Map<String, Value>),
}

impl RawRecord<'_> {
    /// The trimmed value of `column`; empty values count as absent.
    pub fn get(&self, column: &str) -> Option<Cow<'_, str>> {
        let value: Cow<'_, str> = match self {
            RawRecord::Csv { header, row } => {
                let index = header.iter().position(|name| name == column)?;
                Cow::Borrowed(row.get(index)?)
            }
            RawRecord::Json(map) => match map.get(column)? {
                Value::Null => return None,
                Value::String(text) => Cow::Borrowed(text.as_str()),
                other => Cow::Owned(other.to_string()),
            },
        };
        match value {
            Cow::Borrowed(text) => Some(Cow::Borrowed(text.trim())).filter(|t| !t.is_empty()),
            Cow::Owned(text) => {
                let trimmed = text.trim();
                (!trimmed.is_empty()).then(|| Cow::Owned(trimmed.to_owned()))
            }
        }
    }

    /// Event properties: a `properties` object plus `properties.<name>` columns.
    fn properties(&self) -> Result<Map<String, Value>, String> {
        let mut properties = match self {
            RawRecord::Json(map) => match map.get("properties") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(object)) => object.clone(),
                Some(Value::String(text)) => parse_object(text)?,
                Some(_) => return Err("properties must be a JSON object".to_owned()),
            },
            RawRecord::Csv { .. } => match self.get("properties") {
                None => Map::new(),
                Some(text) => parse_object(&text)?,
            },
        };
        let dotted: Vec<(String, Value)> = match self {
            RawRecord::Csv { header, row } => header
                .iter()
                .zip(row.iter())
                .filter_map(|(name, value)| {
                    let key = name.strip_prefix("properties.")?;
                    let value = value.trim();
                    (!key.is_empty() && !value.is_empty())
                        .then(|| (key.to_owned(), Value::String(value.to_owned())))
                })
                .collect(),
            RawRecord::Json(map) => map
                .iter()
                .filter_map(|(name, value)| {
                    let key = name.strip_prefix("properties.")?;
                    (!key.is_empty() && !value.is_null()).then(|| (key.to_owned(), value.clone()))
                })
                .collect(),
        };
        properties.extend(dotted);
        Ok(properties)
    }
}

fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err("properties must be a JSON object".to_owned()),
        Err(err) => Err(format!("properties is not valid JSON: {err}")),
    }
}

fn require(record: &RawRecord<'_>, column: &str) -> Result<String, String> {
    record
        .get(column)
        .map(Cow::into_owned)
        .ok_or_else(|| format!("{column} is required"))
}

fn optional(record: &RawRecord<'_>, column: &str) -> Cell {
    match record.get(column) {
        Some(value) => Cell::Text(value.into_owned()),
        None => Cell::Null,
    }
}

/// The canonical spelling of `value` among `allowed` (compared ignoring case).
fn one_of(column: &str, value: &str, allowed: &[&'static str]) -> Result<&'static str, String> {
    allowed
        .iter()
        .find(|candidate| candidate.eq_ignore_ascii_case(value))
        .copied()
        .ok_or_else(|| {
            format!(
                "{column} must be one of {}, not {value}",
                allowed.join(", ")
            )
        })
}

fn optional_one_of(
    record: &RawRecord<'_>,
    column: &str,
    allowed: &[&'static str],
) -> Result<Cell, String> {
    match record.get(column) {
        Some(value) => Ok(Cell::Text(one_of(column, &value, allowed)?.to_owned())),
        None => Ok(Cell::Null),
    }
}

static EVENTS: Schema = Schema {
    entity: EntityType::Events,
    noun: "an event",
    table: "imported_events",
    columns: &[
        text("event_id"),
        required("event_name"),
        required("external_customer_id"),
        text("customer_id"),
        text("timestamp"),
        text("source"),
        Column {
            name: "properties",
            kind: Kind::Object,
            required: false,
        },
    ],
    unique: Some("event_id"),
    validate: validate_event,
};

fn validate_event(record: &RawRecord<'_>, now: DateTime<Utc>) -> Result<Vec<Cell>, String> {
    let event_name = require(record, "event_name")?;
    let external_customer_id = require(record, "external_customer_id")?;
    let timestamp = match record.get("timestamp") {
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map_err(|_| format!("timestamp must be an RFC 3339 time, not {text}"))?
            .with_timezone(&Utc),
        None => now,
    };
    let event_id = match record.get("event_id") {
        Some(id) => id.into_owned(),
        None => crate::domain::new_id("event"),
    };
    let properties = record.properties()?;
    Ok(vec![
        Cell::Text(event_id),
        Cell::Text(event_name),
        Cell::Text(external_customer_id),
        optional(record, "customer_id"),
        Cell::Text(crate::domain::timestamp_text(timestamp)),
        optional(record, "source"),
        Cell::Text(Value::Object(properties).to_string()),
    ])
}

static CUSTOMERS: Schema = Schema {
    entity: EntityType::Customers,
    noun: "a customer",
    table: "imported_customers",
    columns: &[
        required("external_id"),
        required("name"),
        text("email"),
        text("address_line1"),
        text("address_line2"),
        text("address_city"),
        text("address_state"),
        text("address_postal_code"),
        text("address_country"),
    ],
    unique: Some("external_id"),
    validate: validate_customer,
};

fn validate_customer(record: &RawRecord<'_>, _now: DateTime<Utc>) -> Result<Vec<Cell>, String> {
    let external_id = require(record, "external_id")?;
    let name = require(record, "name")?;
    if name.chars().count() > 255 {
        return Err("name must be at most 255 characters".to_owned());
    }
    let email = optional(record, "email");
    if let Cell::Text(address) = &email
        && !is_email(address)
    {
        return Err(format!("email {address} is not a valid address"));
    }
    let mut cells = vec![Cell::Text(external_id), Cell::Text(name), email];
    cells.extend(
        [
            "address_line1",
            "address_line2",
            "address_city",
            "address_state",
            "address_postal_code",
            "address_country",
        ]
        .map(|column| optional(record, column)),
    );
    Ok(cells)
}

/// `local@domain.tld`, without spaces, one `@`, a dotted domain of sensible labels.
fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c == '@')
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

const FEATURE_TYPES: [&str; 3] = ["metered", "boolean", "static"];
const AGGREGATION_TYPES: [&str; 8] = [
    "COUNT",
    "SUM",
    "AVG",
    "COUNT_UNIQUE",
    "LATEST",
    "SUM_WITH_MULTIPLIER",
    "MAX",
    "WEIGHTED_SUM",
];

static FEATURES: Schema = Schema {
    entity: EntityType::Features,
    noun: "a feature",
    table: "imported_features",
    columns: &[
        required("name"),
        required("type"),
        text("lookup_key"),
        text("unit_singular"),
        text("unit_plural"),
        text("meter_name"),
        text("event_name"),
        text("aggregation_type"),
        text("aggregation_field"),
    ],
    unique: Some("lookup_key"),
    validate: validate_feature,
};

fn validate_feature(record: &RawRecord<'_>, _now: DateTime<Utc>) -> Result<Vec<Cell>, String> {
    let name = require(record, "name")?;
    let kind = one_of("type", &require(record, "type")?, &FEATURE_TYPES)?;
    let aggregation_type = optional_one_of(record, "aggregation_type", &AGGREGATION_TYPES)?;
    let event_name = optional(record, "event_name");
    let aggregation_field = optional(record, "aggregation_field");
    if kind == "metered" {
        if event_name == Cell::Null {
            return Err("event_name is required for a metered feature".to_owned());
        }
        match &aggregation_type {
            Cell::Null => {
                return Err("aggregation_type is required for a metered feature".to_owned());
            }
            Cell::Text(aggregation)
                if aggregation != "COUNT" && aggregation_field == Cell::Null =>
            {
                return Err(format!(
                    "aggregation_field is required for {aggregation} aggregation"
                ));
            }
            _ => {}
        }
    }
    Ok(vec![
        Cell::Text(name),
        Cell::Text(kind.to_owned()),
        optional(record, "lookup_key"),
        optional(record, "unit_singular"),
        optional(record, "unit_plural"),
        optional(record, "meter_name"),
        event_name,
        aggregation_type,
        aggregation_field,
    ])
}

const PRICE_TYPES: [&str; 2] = ["USAGE", "FIXED"];
const BILLING_PERIODS: [&str; 7] = [
    "MONTHLY",
    "ANNUAL",
    "WEEKLY",
    "DAILY",
    "QUARTERLY",
    "HALF_YEARLY",
    "ONETIME",
];
const BILLING_MODELS: [&str; 3] = ["FLAT_FEE", "PACKAGE", "TIERED"];

static PRICES: Schema = Schema {
    entity: EntityType::Prices,
    noun: "a price",
    table: "imported_prices",
    columns: &[
        text("amount"),
        text("currency"),
        text("type"),
        text("billing_period"),
        Column {
            name: "billing_period_count",
            kind: Kind::Integer,
            required: false,
        },
        text("billing_model"),
        text("lookup_key"),
        text("description"),
        text("display_name"),
    ],
    unique: Some("lookup_key"),
    validate: validate_price,
};

fn validate_price(record: &RawRecord<'_>, _now: DateTime<Utc>) -> Result<Vec<Cell>, String> {
    let amount =
        match record.get("amount") {
            Some(text) => Cell::Text(decimal(&text).ok_or_else(|| {
                format!("amount must be a non-negative decimal number, not {text}")
            })?),
            None => Cell::Null,
        };
    let currency = match record.get("currency") {
        Some(code) => {
            let upper = code.to_ascii_uppercase();
            if !CURRENCIES.split(' ').any(|known| known == upper) {
                return Err(format!("currency {code} is not an ISO 4217 code"));
            }
            Cell::Text(upper)
        }
        None => Cell::Null,
    };
    let billing_period_count = match record.get("billing_period_count") {
        Some(text) => match text.parse::<i64>() {
            Ok(count) if count >= 1 => Cell::Integer(count),
            _ => {
                return Err(format!(
                    "billing_period_count must be a positive integer, not {text}"
                ));
            }
        },
        None => Cell::Null,
    };
    let cells = vec![
        amount,
        currency,
        optional_one_of(record, "type", &PRICE_TYPES)?,
        optional_one_of(record, "billing_period", &BILLING_PERIODS)?,
        billing_period_count,
        optional_one_of(record, "billing_model", &BILLING_MODELS)?,
        optional(record, "lookup_key"),
        optional(record, "description"),
        optional(record, "display_name"),
    ];
    if cells.iter().all(|cell| *cell == Cell::Null) {
        return Err("the record has no values".to_owned());
    }
    Ok(cells)
}

/// A plain non-negative decimal (`12`, `0.50`, `1e3` is refused), as written.
fn decimal(text: &str) -> Option<String> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && fraction.is_none_or(digits)).then(|| text.to_owned())
}

/// Active ISO 4217 currency codes.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD \
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR \
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR \
MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK \
SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS \
VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_record(header: &[&str], row: &[&str]) -> (Vec<String>, csv::StringRecord) {
        (
            header.iter().map(|s| (*s).to_owned()).collect(),
            csv::StringRecord::from(row.to_vec()),
        )
    }

    fn check(entity: EntityType, header: &[&str], row: &[&str]) -> Result<Vec<Cell>, String> {
        let (header, row) = csv_record(header, row);
        let record = RawRecord::Csv {
            header: &header,
            row: &row,
        };
        Schema::of(entity).validate(&record, Utc::now())
    }

    #[test]
    fn events_need_a_name_and_a_customer() {
        let header = [
            "event_name",
            "external_customer_id",
            "timestamp",
            "properties.region",
        ];
        let cells = check(
            EntityType::Events,
            &header,
            &["api_call", "cust_1", "2025-01-01T00:00:00+02:00", "eu"],
        )
        .unwrap();
        assert_eq!(cells[1], Cell::Text("api_call".to_owned()));
        assert_eq!(
            cells[4],
            Cell::Text("2024-12-31T22:00:00.000000Z".to_owned())
        );
        assert_eq!(cells[6], Cell::Text(r#"{"region":"eu"}"#.to_owned()));
        assert_eq!(
            check(EntityType::Events, &header, &["api_call", " ", "", ""]),
            Err("external_customer_id is required".to_owned())
        );
        assert_eq!(
            check(
                EntityType::Events,
                &header,
                &["api_call", "c", "yesterday", ""]
            ),
            Err("timestamp must be an RFC 3339 time, not yesterday".to_owned())
        );
    }

    #[test]
    fn customers_check_names_and_emails() {
        let header = ["external_id", "name", "email"];
        assert!(
            check(
                EntityType::Customers,
                &header,
                &["c1", "Ada", "ada@example.com"]
            )
            .is_ok()
        );
        assert_eq!(
            check(EntityType::Customers, &header, &["c1", "Ada", "ada@"]),
            Err("email ada@ is not a valid address".to_owned())
        );
        let long = "x".repeat(256);
        assert_eq!(
            check(EntityType::Customers, &header, &["c1", &long, ""]),
            Err("name must be at most 255 characters".to_owned())
        );
    }

    #[test]
    fn features_and_prices_use_the_platform_vocabulary() {
        let header = [
            "name",
            "type",
            "event_name",
            "aggregation_type",
            "aggregation_field",
        ];
        assert!(
            check(
                EntityType::Features,
                &header,
                &["Seats", "static", "", "", ""]
            )
            .is_ok()
        );
        assert_eq!(
            check(
                EntityType::Features,
                &header,
                &["API", "metered", "api_call", "sum", ""]
            ),
            Err("aggregation_field is required for SUM aggregation".to_owned())
        );
        assert_eq!(
            check(EntityType::Features, &header, &["X", "gauge", "", "", ""]),
            Err("type must be one of metered, boolean, static, not gauge".to_owned())
        );
        let header = ["amount", "currency", "billing_period_count"];
        let cells = check(EntityType::Prices, &header, &["10.50", "usd", "3"]).unwrap();
        assert_eq!(cells[1], Cell::Text("USD".to_owned()));
        assert_eq!(cells[4], Cell::Integer(3));
        assert_eq!(
            check(EntityType::Prices, &header, &["1e3", "USD", ""]),
            Err("amount must be a non-negative decimal number, not 1e3".to_owned())
        );
        assert_eq!(
            check(EntityType::Prices, &header, &["1", "XYZ", ""]),
            Err("currency XYZ is not an ISO 4217 code".to_owned())
        );
    }

    #[test]
    fn json_values_read_like_csv_fields() {
        let map: Map<String, Value> = serde_json::from_str(
            r#"{"amount": 12.5, "currency": "EUR", "billing_period_count": 1, "description": null}"#,
        )
        .unwrap();
        let cells = Schema::of(EntityType::Prices)
            .validate(&RawRecord::Json(&map), Utc::now())
            .unwrap();
        assert_eq!(cells[0], Cell::Text("12.5".to_owned()));
        assert_eq!(cells[7], Cell::Null);
    }
}
