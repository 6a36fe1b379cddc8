//! Rust names from spec names: `heck` for case conversion, plus the rules that
//! keep every name a valid, readable identifier and unique in its scope.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that cannot be used as plain identifiers (Rust 2024, strict and reserved).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names a generated crate uses unqualified or exports itself (its
/// fixed items and the runtime's types): a schema may not take them, so no
/// exported name appears twice in a crate.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "ApiHooks",
    "BTreeMap",
    "Box",
    "Client",
    "ClientError",
    "Credentials",
    "DateTime",
    "Deserialize",
    "Err",
    "HttpError",
    "IncomingResponse",
    "Map",
    "NaiveDate",
    "None",
    "Ok",
    "Option",
    "OutgoingRequest",
    "Param",
    "ParseEnumError",
    "RequestError",
    "RequestOptions",
    "ResponseValue",
    "Result",
    "RetryPolicy",
    "RouterOptions",
    "Self",
    "Serialize",
    "Some",
    "String",
    "Transport",
    "Utc",
    "Value",
    "Vec",
];

/// Methods of the generated `Client` that are not operations.
pub const CLIENT_METHODS: &[&str] = &[
    "base_url",
    "new",
    "with_http_client",
    "with_options",
    "with_retries",
];

/// Methods of the generated `ApiHooks` trait that are not authentication hooks.
pub const HOOK_METHODS: &[&str] = &["request_error"];

/// Free functions and constants of the generated `server` module.
pub const SERVER_ITEMS: &[&str] = &[
    "BASE_PATH",
    "OPENAPI_JSON",
    "default_request_error",
    "router",
    "router_with",
];

/// Fields of the generated `Client` that are not credentials.
pub const CLIENT_FIELDS: &[&str] = &["transport"];

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// A readable word for a value with no letters or digits (`-` → `Dash`).
fn symbol_word(c: char) -> String {
    let word = match c {
        '-' => "Dash",
        '+' => "Plus",
        '*' => "Star",
        '/' => "Slash",
        '\\' => "Backslash",
        '.' => "Dot",
        ',' => "Comma",
        '_' => "Underscore",
        ' ' => "Space",
        '<' => "Lt",
        '>' => "Gt",
        '=' => "Eq",
        '!' => "Bang",
        '?' => "Question",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        '%' => "Percent",
        '&' => "Amp",
        '|' => "Pipe",
        '^' => "Caret",
        '~' => "Tilde",
        ':' => "Colon",
        ';' => "Semicolon",
        '(' => "LParen",
        ')' => "RParen",
        '[' => "LBracket",
        ']' => "RBracket",
        '{' => "LBrace",
        '}' => "RBrace",
        '\'' => "Quote",
        '"' => "DoubleQuote",
        '`' => "Backtick",
        other => return format!("U{:04X}", other as u32),
    };
    word.to_owned()
}

/// Signed numbers read as words (`+1` → `plus one`, `-15` → `minus 15`), so
/// that `+1` and `-1` do not both become `1`.
fn spell_sign(raw: &str) -> Option<String> {
    let (word, digits) = match raw.as_bytes().first()? {
        b'+' => ("plus", &raw[1..]),
        b'-' => ("minus", &raw[1..]),
        _ => return None,
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    const DIGITS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let number = match digits.parse::<usize>() {
        Ok(digit) if digit < 10 => DIGITS[digit].to_owned(),
        _ => digits.replace('.', " point "),
    };
    Some(format!("{word} {number}"))
}

/// Converts any text to an UpperCamelCase identifier; `digit_prefix` is put in
/// front of names that would start with a digit (`15MIN` → `V15min`).
pub fn upper_camel_ident(raw: &str, digit_prefix: &str) -> String {
    let mut name = upper_camel_stem(raw, digit_prefix);
    if name == "Self" {
        name.push('_');
    }
    name
}

/// Like [`upper_camel_ident`], for a part of a longer name (`self` → `Self`,
/// as in `SelfReply`).
pub fn upper_camel_stem(raw: &str, digit_prefix: &str) -> String {
    let spelled = spell_sign(raw);
    let raw = spelled.as_deref().unwrap_or(raw);
    let mut name: String = raw
        .to_upper_camel_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.is_empty() {
        name = if raw.is_empty() {
            "Empty".to_owned()
        } else {
            raw.chars().map(symbol_word).collect()
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("{digit_prefix}{name}");
    }
    // `ÁKK` loses its first letter to the ASCII filter; what is left starts lowercase.
    if let Some(first) = name
        .get(..1)
        .filter(|first| first != &first.to_ascii_uppercase())
    {
        name = format!("{}{}", first.to_ascii_uppercase(), &name[1..]);
    }
    name
}

/// The id of an operation without `operationId`: method and path in
/// snake_case (`get` + `/pets/{id}` → `get_pets_id`).
pub fn derived_operation_id(method: &str, path: &str) -> String {
    snake_ident(&format!("{method}_{path}"))
}

/// Converts any text to a snake_case identifier (`type` → `type_`, `-` → `dash`).
pub fn snake_ident(raw: &str) -> String {
    let spelled = spell_sign(raw);
    let raw = spelled.as_deref().unwrap_or(raw);
    let mut name: String = raw
        .to_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.trim_matches('_').is_empty() {
        name = if raw.is_empty() {
            "empty".to_owned()
        } else {
            raw.chars()
                .map(symbol_word)
                .collect::<String>()
                .to_snake_case()
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("n{name}");
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// The type name a component schema asks for: the override, else the name
/// without its dotted prefix (`types.TaskStatus` → `TaskStatus`).
pub fn schema_type_name(key: &str, name_override: Option<&str>) -> String {
    let base = match name_override {
        Some(name) if !name.trim().is_empty() => name,
        _ => key.rsplit('.').next().unwrap_or(key),
    };
    upper_camel_ident(base, "T")
}

/// The fallback name of a schema whose preferred name is taken: the whole dotted key.
pub fn qualified_type_name(key: &str) -> String {
    upper_camel_ident(&key.replace('.', "_"), "T")
}

/// A set of names in one scope; `claim` returns a free name close to the wish.
#[derive(Debug, Default, Clone)]
pub struct NameSet {
    taken: BTreeSet<String>,
}

impl NameSet {
    pub fn with_reserved(reserved: &[&str]) -> Self {
        NameSet {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    pub fn insert(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// Claims `wish`, or `wish2`, `wish3`, … when it is taken (`Self_` → `Self2`).
    pub fn claim(&mut self, wish: &str) -> String {
        let mut name = wish.to_owned();
        let stem = wish.trim_end_matches('_');
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{stem}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// Like `claim`, for snake_case names: `wish_2`, `wish_3`, … (`type_` → `type_2`).
    pub fn claim_snake(&mut self, wish: &str) -> String {
        let mut name = wish.to_owned();
        let stem = wish.trim_end_matches('_');
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{stem}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// Variant names of a string enum.
///
/// With `x-enum-varnames`, the enum's own name (or else the prefix all names
/// share) is stripped when every name keeps a capitalised remainder
/// (`TaskStatusPending` → `Pending`, `ErrCodeHTTPClient` → `HttpClient`).
/// Without them, each value is converted (`15MIN` → `V15min`, `-` → `Dash`).
/// Duplicates get a numeric suffix.
pub fn variant_names(
    enum_name: &str,
    values: &[String],
    varnames: Option<&[String]>,
) -> Vec<String> {
    let raw: Vec<String> = match varnames {
        Some(varnames) => strip_shared_prefix(enum_name, varnames),
        None => values.to_vec(),
    };
    let mut set = NameSet::default();
    raw.iter()
        .map(|name| set.claim(&upper_camel_ident(name, "V")))
        .collect()
}

fn strip_shared_prefix(enum_name: &str, varnames: &[String]) -> Vec<String> {
    let mut candidates = vec![enum_name.to_owned()];
    if varnames.len() >= 2 {
        candidates.push(common_word_prefix(varnames));
    }
    for prefix in candidates {
        if prefix.is_empty() {
            continue;
        }
        let stripped: Option<Vec<String>> = varnames
            .iter()
            .map(|name| {
                let rest = name.strip_prefix(prefix.as_str())?;
                rest.starts_with(|c: char| c.is_ascii_uppercase())
                    .then(|| rest.to_owned())
            })
            .collect();
        if let Some(stripped) = stripped {
            let converted: BTreeSet<String> =
                stripped.iter().map(|s| upper_camel_ident(s, "V")).collect();
            if converted.len() == stripped.len() {
                return stripped;
            }
        }
    }
    varnames.to_vec()
}

/// The longest prefix of all names that ends right before an uppercase letter.
fn common_word_prefix(names: &[String]) -> String {
    let first = names[0].as_bytes();
    let mut len = first.len();
    for name in &names[1..] {
        len = len.min(
            first
                .iter()
                .zip(name.as_bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Back off to a word boundary: the next character of every name is uppercase.
    while len > 0 {
        if names
            .iter()
            .all(|name| name.as_bytes().get(len).is_some_and(u8::is_ascii_uppercase))
        {
            break;
        }
        len -= 1;
    }
    names[0][..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn varnames_drop_the_enum_name() {
        let values = strings(&["PENDING", "FAILED"]);
        let varnames = strings(&["TaskStatusPending", "TaskStatusFailed"]);
        assert_eq!(
            variant_names("TaskStatus", &values, Some(&varnames)),
            ["Pending", "Failed"]
        );
    }

    #[test]
    fn varnames_drop_a_shared_prefix_that_is_not_the_enum_name() {
        let values = strings(&["http_client_error", "not_found", "system_error"]);
        let varnames = strings(&["ErrCodeHTTPClient", "ErrCodeNotFound", "ErrCodeSystemError"]);
        assert_eq!(
            variant_names("ErrorCode", &values, Some(&varnames)),
            ["HttpClient", "NotFound", "SystemError"]
        );
    }

    #[test]
    fn values_that_are_not_identifiers_still_give_names() {
        let values = strings(&["15MIN", "-", "type", "", "a-b", "a_b", "Self"]);
        assert_eq!(
            variant_names("Odd", &values, None),
            ["V15min", "Dash", "Type", "Empty", "AB", "AB2", "Self_"]
        );
    }

    #[test]
    fn snake_names_avoid_keywords_and_digits() {
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("2fa"), "n2fa");
        assert_eq!(snake_ident("-"), "dash");
        assert_eq!(snake_ident("createdAt"), "created_at");
        assert_eq!(snake_ident("properties.name"), "properties_name");
        assert_eq!(snake_ident("+1"), "plus_one");
        assert_eq!(snake_ident("-1"), "minus_one");
        assert_eq!(snake_ident("-15"), "minus_15");
    }

    #[test]
    fn signed_numbers_read_as_words() {
        let values = strings(&["+1", "-1", "0", "-2.5"]);
        assert_eq!(
            variant_names("Vote", &values, None),
            ["PlusOne", "MinusOne", "V0", "Minus2Point5"]
        );
    }

    #[test]
    fn names_that_lose_a_non_ascii_first_letter_stay_upper_camel() {
        let values = strings(&["ÁKK", "ÁTHK"]);
        assert_eq!(variant_names("Vat", &values, None), ["Kk", "Thk"]);
    }

    #[test]
    fn schema_names_drop_the_dotted_prefix() {
        assert_eq!(schema_type_name("types.TaskStatus", None), "TaskStatus");
        assert_eq!(
            schema_type_name("errors.ErrorResponse", Some("ErrorResponse")),
            "ErrorResponse"
        );
        assert_eq!(schema_type_name("dto.Foo", Some("Bar")), "Bar");
        assert_eq!(qualified_type_name("dto.Foo"), "DtoFoo");
    }
}
