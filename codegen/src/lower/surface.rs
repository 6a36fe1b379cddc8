//! The names and shapes of what the server and client expose: one trait per
//! tag, a reply enum and parameter structs per operation, handlers, the checks
//! of security requirements, server constants and the spec's error format.
//! Decided after every model type is named, in the same crate-wide scope of
//! type names, so no exported name appears twice in a generated crate.

use std::collections::BTreeMap;

use heck::ToShoutySnakeCase;

use super::Lowerer;
use crate::error::escape_segment;
use crate::ir::{
    self, ApiTrait, EnumValue, ErrorFill, ErrorFormat, FieldFill, FillValue, Operation,
    ParamLocation, Requirement, SchemeUse, SecurityKind, SecurityScheme, StatusCode, TypeKind,
    TypeRef,
};
use crate::names::{self, NameSet};

/// What [`Lowerer::name_surface`] decides beside the operations' own names.
pub(super) struct Surface {
    pub traits: Vec<ApiTrait>,
    pub requirements: Vec<Requirement>,
    pub error: ErrorFormat,
}

/// The servers, with the client constant of each (`US Region` → `SERVER_US_REGION`).
pub(super) fn servers(servers: &[openapiv3::Server]) -> Vec<ir::Server> {
    let mut used = NameSet::with_reserved(&["SERVERS"]);
    servers
        .iter()
        .enumerate()
        .map(|(i, server)| {
            let stem: String = server
                .description
                .as_deref()
                .unwrap_or_default()
                .to_shouty_snake_case()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let wish = if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
                format!("SERVER_{}", i + 1)
            } else {
                format!("SERVER_{stem}")
            };
            ir::Server {
                url: server.url.clone(),
                description: server.description.clone(),
                const_name: used.claim_snake(&wish),
            }
        })
        .collect()
}

/// The path of the first server URL (`https://host/v1` → `/v1`), if any.
pub(super) fn base_path(servers: &[ir::Server]) -> String {
    let Some(server) = servers.first() else {
        return String::new();
    };
    let url = server.url.as_str();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => url,
    };
    path.trim_end_matches('/').to_owned()
}

impl Lowerer<'_> {
    /// Claims a type name for generated code; a rename is reported at `pointer`.
    fn claim_type(&mut self, wish: &str, pointer: &str) -> String {
        let name = self.type_names.claim(wish);
        if name != wish {
            self.warn(
                pointer,
                format!("generated type named `{name}`: `{wish}` is taken by a schema"),
            );
        }
        name
    }

    pub(super) fn name_surface(
        &mut self,
        operations: &mut [Operation],
        schemes: &[SecurityScheme],
    ) -> Surface {
        let mut server_items = NameSet::with_reserved(names::SERVER_ITEMS);

        // Traits: one per tag (tags that convert to one name share it), named in tag order.
        let mut by_wish: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
        for (index, op) in operations.iter().enumerate() {
            let tag = op.tags.first().map(String::as_str).unwrap_or("Default");
            let wish = format!("{}Api", names::upper_camel_stem(tag, "T"));
            by_wish
                .entry(wish)
                .or_insert_with(|| (tag.to_owned(), Vec::new()))
                .1
                .push(index);
        }
        let mut traits = Vec::new();
        for (wish, (tag, members)) in by_wish {
            let name = self.claim_type(&wish, "#/tags");
            for &index in &members {
                operations[index].trait_name = name.clone();
            }
            traits.push(ApiTrait {
                name,
                tag,
                operations: members,
            });
        }
        traits.sort_by(|a, b| a.name.cmp(&b.name));

        let mut requirements: Vec<Requirement> = Vec::new();
        let mut requirement_of: Vec<(ir::SecurityAsWritten, usize)> = Vec::new();
        for op in operations.iter_mut() {
            let pointer = format!(
                "#/paths/{}/{}",
                crate::error::escape_segment(&op.path),
                op.method.as_str().to_ascii_lowercase()
            );
            let stem = op.type_name.clone();
            op.reply = self.claim_type(&format!("{stem}Reply"), &pointer);
            let has = |location| op.params.iter().any(|p| p.location == location);
            let (has_path, has_query, has_headers, has_cookies) = (
                has(ParamLocation::Path),
                has(ParamLocation::Query),
                has(ParamLocation::Header),
                has(ParamLocation::Cookie),
            );
            op.path_struct = has_path.then(|| self.claim_type(&format!("{stem}Path"), &pointer));
            op.query_struct = has_query.then(|| self.claim_type(&format!("{stem}Query"), &pointer));
            op.header_struct =
                has_headers.then(|| self.claim_type(&format!("{stem}Headers"), &pointer));
            op.cookie_struct =
                has_cookies.then(|| self.claim_type(&format!("{stem}Cookies"), &pointer));
            if let Some(body) = &mut op.body {
                if let ir::BodyKind::Choice { enum_name, .. } = &mut body.kind {
                    *enum_name = self.claim_type(&format!("{stem}Content"), &pointer);
                }
                for kind in body.kind.each_mut() {
                    match kind {
                        ir::BodyKind::Form { struct_name, .. } => {
                            *struct_name = self.claim_type(&format!("{stem}Form"), &pointer);
                        }
                        ir::BodyKind::Multipart {
                            struct_name,
                            fields_struct,
                            fields,
                            ..
                        } => {
                            *struct_name = self.claim_type(&format!("{stem}Multipart"), &pointer);
                            if !fields.is_empty() {
                                *fields_struct =
                                    self.claim_type(&format!("{stem}MultipartFields"), &pointer);
                            }
                        }
                        _ => {}
                    }
                }
            }
            for response in &mut op.responses {
                if let ir::ResponseContent::Choice { enum_name, .. } = &mut response.content {
                    *enum_name =
                        self.claim_type(&format!("{stem}{}Content", response.variant), &pointer);
                }
            }
            if let Some(negotiation) = &mut op.negotiation {
                negotiation.enum_name = self.claim_type(&format!("{stem}Media"), &pointer);
            }
            op.handler = server_items.claim_snake(&format!("handle_{}", op.fn_name));
            for response in op.responses.iter_mut().filter(|r| !r.headers.is_empty()) {
                let wish = format!("{stem}{}Headers", response.variant);
                response.headers_struct = Some(self.claim_type(&wish, &pointer));
            }
            op.success_headers = self.success_headers(op, &pointer);

            // OpenAPI 3.0 gives scopes to OAuth 2 and OpenID Connect only.
            for (i, alternative) in op.security.iter_mut().enumerate() {
                for (name, scopes) in alternative.iter_mut() {
                    let takes_scopes = schemes.iter().any(|scheme| {
                        &scheme.name == name
                            && matches!(
                                scheme.kind,
                                SecurityKind::OAuth2 | SecurityKind::OpenIdConnect
                            )
                    });
                    if !scopes.is_empty() && !takes_scopes {
                        let at = format!("{pointer}/security/{i}/{}", escape_segment(name));
                        self.warn(
                            &at,
                            format!(
                                "scopes of `{name}` are not checked: only OAuth 2 and OpenID \
                                 Connect schemes take scopes, and its hook gets none"
                            ),
                        );
                        scopes.clear();
                    }
                }
            }
            if op.security.is_empty() {
                continue;
            }
            if let Some((_, index)) = requirement_of.iter().find(|(s, _)| *s == op.security) {
                op.requirement = Some(*index);
                continue;
            }
            let alternatives: Vec<Vec<SchemeUse>> = op
                .security
                .iter()
                .filter(|alternative| !alternative.is_empty())
                .map(|alternative| {
                    alternative
                        .iter()
                        .filter_map(|(name, scopes)| {
                            Some(SchemeUse {
                                scheme: schemes.iter().position(|s| &s.name == name)?,
                                scopes: scopes.clone(),
                            })
                        })
                        .collect()
                })
                .collect();
            let described: Vec<String> = op
                .security
                .iter()
                .map(|alternative| {
                    if alternative.is_empty() {
                        return "none".to_owned();
                    }
                    alternative
                        .iter()
                        .map(|(scheme, _)| {
                            names::snake_ident(scheme).trim_end_matches('_').to_owned()
                        })
                        .collect::<Vec<_>>()
                        .join("_and_")
                })
                .collect();
            let index = requirements.len();
            requirements.push(Requirement {
                fn_name: server_items.claim_snake(&format!("require_{}", described.join("_or_"))),
                optional: op.security.iter().any(Vec::is_empty),
                alternatives,
            });
            requirement_of.push((op.security.clone(), index));
            op.requirement = Some(index);
        }
        let error = self.error_format(operations);
        Surface {
            traits,
            requirements,
            error,
        }
    }

    /// The headers struct a client reads from every success: one set of
    /// headers for all success responses. Different sets are said, as the
    /// client then keeps only the raw headers.
    fn success_headers(&mut self, op: &Operation, pointer: &str) -> Option<String> {
        let successes: Vec<&ir::Response> = op
            .responses
            .iter()
            .filter(|r| r.status.is_success())
            .collect();
        let first = successes.first()?;
        if successes.iter().all(|r| r.headers.is_empty()) {
            return None;
        }
        if successes.iter().all(|r| r.headers == first.headers) {
            return first.headers_struct.clone();
        }
        self.warn(
            &crate::error::child(pointer, "responses"),
            "the success responses document different headers: the client reads them untyped \
             (`ResponseValue::headers`), the server sets each response's own",
        );
        None
    }

    /// The error body: the type most client-error responses name, and how a
    /// refused request fills it (`message`, a status, a code enum), when every
    /// required field can be filled.
    fn error_format(&mut self, operations: &[Operation]) -> ErrorFormat {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for response in operations.iter().flat_map(|op| &op.responses) {
            let client_error = matches!(
                response.status,
                StatusCode::Code(400..=499) | StatusCode::Range(4)
            );
            if let (
                true,
                ir::ResponseContent::Json {
                    ty: Some(TypeRef::Named(name)),
                    ..
                },
            ) = (client_error, &response.content)
            {
                *counts.entry(name).or_default() += 1;
            }
        }
        let best = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(name, _)| (*name).to_owned());
        let Some(best) = best else {
            return ErrorFormat {
                body: None,
                fill: ErrorFill::Generic,
            };
        };
        let fill = match self.struct_fill(&best) {
            Ok(fill) => fill,
            Err(why) => {
                // A named schema's origin is its name; an inline one's, its pointer.
                let pointer = match self.types.get(&best).map(|def| def.origin.as_str()) {
                    Some(origin) if origin.starts_with('#') => origin.to_owned(),
                    Some(origin) => {
                        format!(
                            "#/components/schemas/{}",
                            crate::error::escape_segment(origin)
                        )
                    }
                    None => "#/components/schemas".to_owned(),
                };
                self.warn(
                    &pointer,
                    format!(
                        "the server's own refusals (a bad parameter or body, missing credentials, \
                         a panic) are not in the spec's error format `{best}`: {why}; they are \
                         sent as `{{\"message\": …, \"status\": …}}` (override `ApiHooks::request_error` \
                         to write them otherwise)"
                    ),
                );
                ErrorFill::Generic
            }
        };
        ErrorFormat {
            body: Some(TypeRef::Named(best)),
            fill,
        }
    }

    /// How to fill `type_name` for a refused request, or why it cannot be.
    fn struct_fill(&self, type_name: &str) -> Result<ErrorFill, String> {
        let Some(TypeKind::Struct(s)) = self.types.get(type_name).map(|def| &def.kind) else {
            return Err("it is not an object with properties".to_owned());
        };
        let mut fields = Vec::new();
        for field in &s.fields {
            let wrap = if field.is_three_state() {
                2
            } else {
                usize::from(field.is_optional())
            };
            let value = match self.field_fill(&field.wire_name, &field.ty) {
                Some(value) => value,
                None if field.is_optional() => FillValue::Nothing,
                None => {
                    return Err(format!(
                        "its required property `{}` is none of a message (`message`, `error`, \
                         `detail`), a status (`status`, `code`, … as an integer) or a code \
                         (`code`, `error_code`, `kind` as a string or an enum with a value \
                         like `invalid_request`)",
                        field.wire_name
                    ));
                }
            };
            let wrap = if value == FillValue::Nothing { 0 } else { wrap };
            fields.push(FieldFill {
                field: field.name.clone(),
                value,
                wrap,
            });
        }
        if let Some(extra) = &s.additional {
            fields.push(FieldFill {
                field: extra.name.clone(),
                value: FillValue::Default,
                wrap: 0,
            });
        }
        Ok(ErrorFill::Struct {
            type_name: type_name.to_owned(),
            fields,
        })
    }

    /// What goes into one field of the error body, when it is one we know how to fill.
    fn field_fill(&self, wire_name: &str, ty: &TypeRef) -> Option<FillValue> {
        match (wire_name, ty) {
            ("message" | "error" | "detail", TypeRef::String) => Some(FillValue::Message),
            (
                "http_status_code" | "status_code" | "status" | "code",
                TypeRef::I64 | TypeRef::I32,
            ) => Some(FillValue::Status(ty.clone())),
            ("code" | "error_code" | "kind", TypeRef::String) => Some(FillValue::CodeText),
            ("code" | "error_code" | "kind", TypeRef::Named(name)) => {
                let TypeKind::Enum(e) = &self.types.get(name)?.kind else {
                    return None;
                };
                let pick = |wanted: &[&str]| {
                    wanted.iter().find_map(|w| {
                        e.variants
                            .iter()
                            .find(|v| matches!(&v.value, EnumValue::Str(value) if value.eq_ignore_ascii_case(w)))
                            .map(|v| v.name.clone())
                    })
                };
                let invalid = pick(&[
                    "validation_error",
                    "bad_request",
                    "invalid_request",
                    "invalid_argument",
                    "invalid",
                ])?;
                let unauthorized = pick(&[
                    "unauthorized",
                    "unauthenticated",
                    "permission_denied",
                    "forbidden",
                ])
                .unwrap_or_else(|| invalid.clone());
                let not_found =
                    pick(&["not_found", "unknown_route"]).unwrap_or_else(|| invalid.clone());
                let not_allowed = pick(&["method_not_allowed", "invalid_operation"])
                    .unwrap_or_else(|| invalid.clone());
                let internal =
                    pick(&["internal_error", "internal", "server_error", "system_error"])
                        .unwrap_or_else(|| invalid.clone());
                Some(FillValue::Code {
                    enum_name: name.clone(),
                    invalid,
                    unauthorized,
                    not_found,
                    not_allowed,
                    internal,
                })
            }
            _ => None,
        }
    }
}
