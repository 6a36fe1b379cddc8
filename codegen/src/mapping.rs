//! Rust types the user picks instead of generated ones: per `format`
//! (`--type-map format:decimal=rust_decimal::Decimal`), per component schema
//! (`--type-map schema:Money=money::Money`), or by the spec's `x-rust-type`
//! extension (`{crate, version, path}`, as typify reads it). A type from a
//! crate other than `std` and the generated crate's own dependencies needs
//! that crate given (`--crate rust_decimal@1`, features by
//! `--crate-feature rust_decimal/serde-with-str`): it becomes a dependency of
//! the generated crate.

use std::collections::BTreeMap;

/// Crates every path may use without `--crate`: the standard library, and
/// dependencies a generated crate has (chrono and uuid are added when used).
const KNOWN_CRATES: [&str; 6] = ["std", "core", "alloc", "serde_json", "chrono", "uuid"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeMappings {
    /// `format` → Rust type path.
    pub formats: BTreeMap<String, String>,
    /// Component schema key → Rust type path.
    pub schemas: BTreeMap<String, String>,
    /// Crates mapped types may come from, by crate name.
    pub crates: BTreeMap<String, Crate>,
}

/// A crate the generated crate depends on for mapped types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Crate {
    pub version: String,
    pub features: Vec<String>,
}

impl TypeMappings {
    /// Reads `format:NAME=PATH` or `schema:NAME=PATH`.
    pub fn add_type_map(&mut self, arg: &str) -> Result<(), String> {
        let shape = "expected `format:NAME=PATH` or `schema:NAME=PATH`";
        let (key, path) = arg
            .split_once('=')
            .ok_or_else(|| format!("--type-map `{arg}`: {shape}"))?;
        let path = path.trim();
        check_path(path).map_err(|err| format!("--type-map `{arg}`: {err}"))?;
        let table = match key.split_once(':') {
            Some(("format", name)) if !name.is_empty() => (&mut self.formats, name),
            Some(("schema", name)) if !name.is_empty() => (&mut self.schemas, name),
            _ => return Err(format!("--type-map `{arg}`: {shape}")),
        };
        table.0.insert(table.1.to_owned(), path.to_owned());
        Ok(())
    }

    /// Reads `NAME@VERSION`.
    pub fn add_crate(&mut self, arg: &str) -> Result<(), String> {
        let (name, version) = arg
            .split_once('@')
            .filter(|(name, version)| is_crate_name(name) && !version.trim().is_empty())
            .ok_or_else(|| format!("--crate `{arg}`: expected `NAME@VERSION`"))?;
        if version.contains(['"', '\\', '\n']) {
            return Err(format!(
                "--crate `{arg}`: the version is not a version requirement"
            ));
        }
        self.crates.entry(name.to_owned()).or_default().version = version.trim().to_owned();
        Ok(())
    }

    /// Reads `NAME/FEATURE`, for a crate given by `--crate`.
    pub fn add_crate_feature(&mut self, arg: &str) -> Result<(), String> {
        let (name, feature) = arg
            .split_once('/')
            .filter(|(name, feature)| is_crate_name(name) && is_feature_name(feature))
            .ok_or_else(|| format!("--crate-feature `{arg}`: expected `CRATE/FEATURE`"))?;
        let Some(entry) = self.crates.get_mut(name) else {
            return Err(format!(
                "--crate-feature `{arg}`: `{name}` is not given by --crate"
            ));
        };
        if !entry.features.iter().any(|known| known == feature) {
            entry.features.push(feature.to_owned());
        }
        Ok(())
    }

    /// Every type map names a crate that is known or given.
    pub fn check(&self) -> Result<(), String> {
        let maps = self
            .formats
            .iter()
            .map(|(name, path)| ("format", name, path));
        let maps = maps.chain(
            self.schemas
                .iter()
                .map(|(name, path)| ("schema", name, path)),
        );
        for (kind, name, path) in maps {
            if self.crate_of(path).is_none() {
                let ident = first_segment(path);
                return Err(format!(
                    "--type-map {kind}:{name}={path}: crate `{ident}` is not given; \
                     add --crate {ident}@VERSION so the generated crate depends on it"
                ));
            }
        }
        Ok(())
    }

    /// The crate a path comes from: `Some(None)` for a known one, `Some(name)`
    /// for one given by `--crate`, `None` when it is neither.
    pub fn crate_of(&self, path: &str) -> Option<Option<&str>> {
        let ident = first_segment(path);
        if KNOWN_CRATES.contains(&ident) {
            return Some(None);
        }
        self.crates
            .keys()
            .find(|name| name.replace('-', "_") == ident)
            .map(|name| Some(name.as_str()))
    }

    /// The flags that give these mappings, in a fixed order.
    pub fn args(&self) -> String {
        let mut args = String::new();
        for (name, path) in &self.formats {
            args.push_str(&format!(" --type-map format:{name}={path}"));
        }
        for (name, path) in &self.schemas {
            args.push_str(&format!(" --type-map schema:{name}={path}"));
        }
        for (name, entry) in &self.crates {
            args.push_str(&format!(" --crate {name}@{}", entry.version));
            for feature in &entry.features {
                args.push_str(&format!(" --crate-feature {name}/{feature}"));
            }
        }
        args
    }
}

/// A path of identifiers (`rust_decimal::Decimal`), at least two segments:
/// a crate and an item.
pub fn check_path(path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split("::").collect();
    if segments.len() < 2 {
        return Err(format!(
            "`{path}` is not a path to a type (`crate::Type`, `std::string::String`)"
        ));
    }
    for segment in segments {
        if syn::parse_str::<syn::Ident>(segment).is_err() {
            return Err(format!("`{path}`: `{segment}` is not a Rust identifier"));
        }
    }
    Ok(())
}

fn first_segment(path: &str) -> &str {
    path.split("::").next().unwrap_or_default()
}

fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_feature_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-+.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_maps_and_crates() {
        let mut maps = TypeMappings::default();
        maps.add_type_map("format:decimal=rust_decimal::Decimal")
            .unwrap();
        maps.add_type_map("schema:Money=my_money::Money").unwrap();
        assert!(maps.check().is_err(), "no crate given yet");
        maps.add_crate("rust_decimal@1.36").unwrap();
        maps.add_crate("my-money@0.3").unwrap();
        maps.add_crate_feature("rust_decimal/serde-with-str")
            .unwrap();
        assert_eq!(maps.check(), Ok(()));
        assert_eq!(maps.crate_of("my_money::Money"), Some(Some("my-money")));
        assert_eq!(maps.crate_of("std::string::String"), Some(None));
        assert_eq!(
            maps.args(),
            " --type-map format:decimal=rust_decimal::Decimal --type-map schema:Money=my_money::Money \
             --crate my-money@0.3 --crate rust_decimal@1.36 --crate-feature rust_decimal/serde-with-str"
        );
    }

    #[test]
    fn refuses_what_is_not_a_map() {
        let mut maps = TypeMappings::default();
        for bad in [
            "decimal=rust_decimal::Decimal",
            "format:=a::B",
            "format:decimal=Decimal",
            "format:decimal=rust_decimal::type",
            "format:decimal=Vec<u8>",
            "table:x=a::B",
        ] {
            assert!(maps.add_type_map(bad).is_err(), "{bad}");
        }
        assert!(maps.add_crate("rust_decimal").is_err());
        assert!(maps.add_crate("rust_decimal@\"1\"").is_err());
        assert!(maps.add_crate_feature("rust_decimal/serde").is_err());
    }
}
