//! Comparing operations: matched by method and path (parameter names
//! aside), else by `operationId`; then their parameters, body, responses
//! and security.

use std::collections::{BTreeMap, HashMap};

use crate::error::escape_segment;
use crate::ir::{
    BodyKind, Operation, Param, ParamLocation, ParamShape, PathPart, RequestBody, Response,
    ResponseContent, SecurityKind, TypeRef,
};

use super::change::{Subject, Verdict};
use super::flow::{Delta, Flow};
use super::schemas::{appeared, default_finding, disappeared};
use super::{Differ, Found, found};

/// `/tasks/{id}` and `/tasks/{task_id}` are one path on the wire.
fn template_key(path: &str) -> String {
    let mut key = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                key.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => key.push(c),
        }
    }
    key
}

fn op_pointer(op: &Operation) -> String {
    format!(
        "#/paths/{}/{}",
        escape_segment(&op.path),
        op.method.as_str().to_lowercase()
    )
}

fn subject_of(op: &Operation) -> Subject {
    Subject::Operation {
        path: op.path.clone(),
        method: op.method.as_str().to_owned(),
        id: op.id.clone(),
    }
}

fn trait_method(op: &Operation) -> String {
    format!("server::{}::{}", op.trait_name, op.fn_name)
}

fn client_method(op: &Operation) -> String {
    format!("client::Client::{}", op.fn_name)
}

fn struct_of(op: &Operation, location: ParamLocation) -> Option<&String> {
    match location {
        ParamLocation::Path => op.path_struct.as_ref(),
        ParamLocation::Query => op.query_struct.as_ref(),
        ParamLocation::Header => op.header_struct.as_ref(),
        ParamLocation::Cookie => op.cookie_struct.as_ref(),
        ParamLocation::Form => match op.body.as_ref().map(|body| &body.kind) {
            Some(BodyKind::Form { struct_name, .. }) => Some(struct_name),
            Some(BodyKind::Multipart { fields_struct, .. }) => Some(fields_struct),
            _ => None,
        },
    }
}

/// How a parameter is found in both versions: path parameters by their
/// place in the template (a renamed one is the same segment), headers by
/// their name in any case, others by name.
fn param_key(op: &Operation, index: usize) -> (ParamLocation, String) {
    let param = &op.params[index];
    let name = match param.location {
        ParamLocation::Path => {
            let place = op
                .template
                .iter()
                .filter_map(|part| match part {
                    PathPart::Param(i) => Some(*i),
                    PathPart::Literal(_) => None,
                })
                .position(|i| i == index)
                .unwrap_or(index);
            format!("#{place}")
        }
        ParamLocation::Header => param.wire_name.to_ascii_lowercase(),
        _ => param.wire_name.clone(),
    };
    (param.location, name)
}

/// How a parameter's values are laid out, whatever their text form: the
/// shape and its delimiter.
fn layout(shape: ParamShape) -> (std::mem::Discriminant<ParamShape>, Option<char>) {
    let delimiter = match shape {
        ParamShape::Delimited(_, c) | ParamShape::ObjectJoined(c) => Some(c),
        _ => None,
    };
    (std::mem::discriminant(&shape), delimiter)
}

/// The generated items that carry a parameter.
fn param_items(op: &Operation, param: &Param) -> Vec<String> {
    let mut items = Vec::new();
    if !matches!(param.location, ParamLocation::Query | ParamLocation::Form) {
        items.push(client_method(op));
    }
    if let Some(name) = struct_of(op, param.location) {
        items.push(format!("params::{name}::{}", param.field));
    }
    items
}

impl Differ<'_> {
    pub(super) fn compare_operations(&mut self) {
        let (old_ops, new_ops) = (&self.old.operations, &self.new.operations);
        let by_key: BTreeMap<(crate::ir::Method, String), usize> = new_ops
            .iter()
            .enumerate()
            .map(|(i, op)| ((op.method, template_key(&op.path)), i))
            .collect();
        let mut partner: Vec<Option<usize>> = vec![None; old_ops.len()];
        let mut taken = vec![false; new_ops.len()];
        for (i, op) in old_ops.iter().enumerate() {
            if let Some(&j) = by_key.get(&(op.method, template_key(&op.path))) {
                partner[i] = Some(j);
                taken[j] = true;
            }
        }
        // An operation that moved keeps its id.
        let by_id: HashMap<&str, usize> = new_ops
            .iter()
            .enumerate()
            .filter(|(j, _)| !taken[*j])
            .map(|(j, op)| (op.id.as_str(), j))
            .collect();
        for (i, op) in old_ops.iter().enumerate() {
            if partner[i].is_none()
                && let Some(&j) = by_id.get(op.id.as_str())
                && !taken[j]
            {
                partner[i] = Some(j);
                taken[j] = true;
            }
        }
        for (i, old) in old_ops.iter().enumerate() {
            match partner[i] {
                Some(j) => self.compare_operation(old, &new_ops[j]),
                None => self.operation_removed(old),
            }
        }
        for (j, new) in new_ops.iter().enumerate() {
            if !taken[j] {
                self.operation_added(new);
            }
        }
    }

    fn operation_removed(&mut self, op: &Operation) {
        let change = found(
            "operation-removed",
            format!("{} {} removed", op.method.as_str(), op.path),
        )
        .at(Some(&op_pointer(op)), None)
        .items([
            client_method(op),
            trait_method(op),
            format!("server::{}", op.reply),
        ])
        .sides((
            Verdict::breaking("old clients call it; the new server does not serve it"),
            Verdict::compatible("new clients do not call it"),
        ))
        .rust(Verdict::breaking(format!(
            "`{}` and `{}` are gone",
            client_method(op),
            trait_method(op)
        )));
        self.add(&subject_of(op), change);
    }

    fn operation_added(&mut self, op: &Operation) {
        let new_trait = !self.old.traits.iter().any(|t| t.name == op.trait_name);
        let rust = if new_trait {
            Verdict::breaking(format!(
                "a new trait `server::{}` that `router` requires of implementors (the client \
                 gains `{}`)",
                op.trait_name,
                client_method(op)
            ))
        } else if self.defaults {
            Verdict::compatible(format!(
                "`server::{}::{}` answers 501 Not Implemented until implemented; the client \
                 gains `{}`",
                op.trait_name,
                op.fn_name,
                client_method(op)
            ))
        } else {
            Verdict::breaking(format!(
                "implementors of `server::{}` must add `{}` (the client gains `{}`)",
                op.trait_name,
                op.fn_name,
                client_method(op)
            ))
        };
        let change = found(
            "operation-added",
            format!("{} {} added", op.method.as_str(), op.path),
        )
        .at(None, Some(&op_pointer(op)))
        .items([
            client_method(op),
            trait_method(op),
            format!("server::{}", op.reply),
        ])
        .sides((
            Verdict::compatible("old clients do not call it"),
            Verdict::breaking("new clients may call it; old servers do not serve it"),
        ))
        .rust(rust);
        self.add(&subject_of(op), change);
    }

    fn compare_operation(&mut self, old: &Operation, new: &Operation) {
        let subject = subject_of(new);
        let (old_ptr, new_ptr) = (op_pointer(old), op_pointer(new));
        let at = |f: Found| f.at(Some(&old_ptr), Some(&new_ptr));
        if old.method != new.method || template_key(&old.path) != template_key(&new.path) {
            let both = || Verdict::breaking("requests go to a different method or path");
            let change = at(found(
                "operation-moved",
                format!(
                    "moved from {} {} to {} {}",
                    old.method.as_str(),
                    old.path,
                    new.method.as_str(),
                    new.path
                ),
            ))
            .wire(Flow::REQUEST, Delta::Incompatible)
            .sides((both(), both()));
            self.add(&subject, change);
        }
        if old.fn_name != new.fn_name || old.trait_name != new.trait_name {
            let change = at(found(
                "operation-renamed",
                format!(
                    "generated as `{}` (was `{}`)",
                    trait_method(new),
                    trait_method(old)
                ),
            ))
            .items([client_method(new), trait_method(new)])
            .rust(Verdict::breaking(format!(
                "`{}` and `{}` are now `{}` and `{}`",
                client_method(old),
                trait_method(old),
                client_method(new),
                trait_method(new)
            )));
            self.add(&subject, change);
        }
        if old.reply != new.reply {
            let change = at(found(
                "reply-renamed",
                format!("reply enum `{}` → `{}`", old.reply, new.reply),
            ))
            .items([format!("server::{}", new.reply)])
            .rust(Verdict::breaking(format!(
                "`server::{}` is now `server::{}`",
                old.reply, new.reply
            )));
            self.add(&subject, change);
        }
        if old.docs != new.docs {
            let change = at(found(
                "description-changed",
                "summary or description changed",
            ))
            .items([client_method(new), trait_method(new)]);
            self.add(&subject, change);
        }
        if old.deprecated != new.deprecated {
            let message = if new.deprecated {
                "now deprecated"
            } else {
                "no longer deprecated"
            };
            let still = || Verdict::compatible("it is still served and called as before");
            let change = at(found("deprecated-changed", message)).sides((still(), still()));
            self.add(&subject, change);
        }
        self.compare_params(old, new, &subject);
        self.compare_body(old, new, &subject);
        // A form's fields are judged as parameters are: the same wire rules
        // (they are written alike) and a struct of `params` in Rust.
        if !old.form_fields().is_empty() && !new.form_fields().is_empty() {
            let fields_of = |op: &Operation| Operation {
                params: op.form_fields().to_vec(),
                template: Vec::new(),
                ..op.clone()
            };
            self.compare_params(&fields_of(old), &fields_of(new), &subject);
        }
        self.compare_responses(old, new, &subject);
        self.compare_security(old, new, &subject);
    }

    fn compare_params(&mut self, old: &Operation, new: &Operation, subject: &Subject) {
        let old_keys: Vec<_> = (0..old.params.len()).map(|i| param_key(old, i)).collect();
        let new_keys: Vec<_> = (0..new.params.len()).map(|i| param_key(new, i)).collect();
        for (i, param) in old.params.iter().enumerate() {
            if new_keys.contains(&old_keys[i]) {
                continue;
            }
            let change = found(
                "parameter-removed",
                format!(
                    "{} parameter `{}` removed",
                    param.location.as_str(),
                    param.wire_name
                ),
            )
            .at(Some(&param.pointer), None)
            .items(param_items(old, param))
            .wire(Flow::REQUEST, Delta::Loosened)
            .sides(disappeared(Flow::REQUEST, param.required))
            .rust(Verdict::breaking(format!(
                "`{}` is gone",
                param_items(old, param).join("`, `")
            )));
            self.add(subject, change);
        }
        for (j, param) in new.params.iter().enumerate() {
            let Some(i) = old_keys.iter().position(|key| *key == new_keys[j]) else {
                self.parameter_added(old, new, param, subject);
                continue;
            };
            self.compare_param(old, new, &old.params[i], param, subject);
        }
    }

    fn parameter_added(
        &mut self,
        old: &Operation,
        new: &Operation,
        param: &Param,
        subject: &Subject,
    ) {
        let location = param.location;
        let all_optional = |op: &Operation| op.params_in(location).all(|p| !p.required);
        let rust = match (location, struct_of(old, location)) {
            (ParamLocation::Query, None) => Verdict::breaking(format!(
                "`{}` and `{}` gain a `query` argument",
                client_method(new),
                trait_method(new)
            )),
            (ParamLocation::Query | ParamLocation::Form, Some(name))
                if all_optional(old) && all_optional(new) =>
            {
                Verdict::compatible(format!(
                    "a new optional field of `params::{name}`, which derives `Default`"
                ))
            }
            (ParamLocation::Query | ParamLocation::Form, Some(name)) => Verdict::breaking(format!(
                "struct literals of `params::{name}` must set the new field `{}`",
                param.field
            )),
            _ => Verdict::breaking(format!(
                "`{}` gains the argument `{}`",
                client_method(new),
                param.arg
            )),
        };
        let what = if param.required {
            "required"
        } else {
            "optional"
        };
        let change = found(
            "parameter-added",
            format!(
                "new {what} {} parameter `{}`",
                location.as_str(),
                param.wire_name
            ),
        )
        .at(None, Some(&param.pointer))
        .items(param_items(new, param))
        .wire(
            Flow::REQUEST,
            if param.required {
                Delta::Tightened
            } else {
                Delta::Neutral
            },
        )
        .sides(appeared(Flow::REQUEST, param.required))
        .rust(rust);
        self.add(subject, change);
    }

    fn compare_param(
        &mut self,
        old_op: &Operation,
        new_op: &Operation,
        old: &Param,
        new: &Param,
        subject: &Subject,
    ) {
        let items = param_items(new_op, new);
        let at = |f: Found| {
            f.at(Some(&old.pointer), Some(&new.pointer))
                .items(items.clone())
        };
        let what = format!("{} parameter `{}`", new.location.as_str(), new.wire_name);
        if old.wire_name != new.wire_name {
            let change = at(found(
                "parameter-renamed",
                format!(
                    "path parameter `{}` renamed to `{}`",
                    old.wire_name, new.wire_name
                ),
            ));
            self.add(subject, change);
        }
        if old.field != new.field || old.arg != new.arg {
            let change = at(found(
                "parameter-field-renamed",
                format!("{what}: generated as `{}` (was `{}`)", new.field, old.field),
            ))
            .rust(Verdict::breaking(format!(
                "`{}` is now named `{}`",
                param_items(old_op, old).join("`, `"),
                new.field
            )));
            self.add(subject, change);
        }
        if old.required != new.required {
            let (code, message, delta) = if new.required {
                (
                    "parameter-became-required",
                    "is now required",
                    Delta::Tightened,
                )
            } else {
                (
                    "parameter-became-optional",
                    "is no longer required",
                    Delta::Loosened,
                )
            };
            let rust = if new.location == ParamLocation::Path {
                Verdict::none("path parameters are always given")
            } else {
                Verdict::breaking(format!(
                    "`{}` is {} `Option`",
                    items.join("`, `"),
                    if new.required {
                        "no longer an"
                    } else {
                        "now an"
                    }
                ))
            };
            let change = at(found(code, format!("{what} {message}")))
                .wire(Flow::REQUEST, delta)
                .rust(rust);
            self.add(subject, change);
        }
        let type_change = self.type_change(&old.ty, &new.ty);
        if let Some(change) = &type_change {
            let rust = if change.rust_changed {
                Verdict::breaking(format!(
                    "`{}` takes `{}`, was `{}`",
                    items.join("`, `"),
                    change.new_text,
                    change.old_text
                ))
            } else {
                Verdict::none("the Rust type is the same")
            };
            let message = format!(
                "{what}: type changed from `{}` to `{}`",
                change.old_text, change.new_text
            );
            let found = at(found("type-changed", message))
                .wire(Flow::REQUEST, change.delta)
                .rust(rust);
            self.add(subject, found);
        }
        // A new type brings its own way of writing values (`Text` → `Json`,
        // one value → repeated): only the layout the style and explode
        // choose is compared when the type changed, and only for arrays.
        let both_arrays = matches!((&old.ty, &new.ty), (TypeRef::Vec(_), TypeRef::Vec(_)));
        let style_changed = old.path_style != new.path_style
            || (type_change.is_none()
                && (old.shape != new.shape || old.properties != new.properties))
            || (both_arrays && layout(old.shape) != layout(new.shape));
        if style_changed {
            let change = at(found(
                "parameter-style-changed",
                format!("{what} is written differently (style or explode changed)"),
            ))
            .wire(Flow::REQUEST, Delta::Incompatible);
            self.add(subject, change);
        }
        let prefix = format!("{what}: ");
        for rule in self.rule_findings(&old.checks, &new.checks, &prefix, Flow::REQUEST) {
            self.add(subject, at(rule));
        }
        let owner =
            struct_of(new_op, new.location).map_or(String::new(), |s| format!("params::{s}"));
        if let Some(change) =
            default_finding(old.default.as_ref(), new.default.as_ref(), &prefix, &owner)
        {
            self.add(subject, at(change));
        }
        if old.docs != new.docs {
            let change = at(found(
                "description-changed",
                format!("{what}: description changed"),
            ));
            self.add(subject, change);
        }
    }

    fn compare_body(&mut self, old_op: &Operation, new_op: &Operation, subject: &Subject) {
        let old_ptr = format!("{}/requestBody", op_pointer(old_op));
        let new_ptr = format!("{}/requestBody", op_pointer(new_op));
        let methods = || [client_method(new_op), trait_method(new_op)];
        match (&old_op.body, &new_op.body) {
            (None, None) => {}
            (None, Some(body)) => {
                let what = if body.required {
                    "required"
                } else {
                    "optional"
                };
                let change = found("request-body-added", format!("new {what} request body"))
                    .at(None, Some(&new_ptr))
                    .items(methods())
                    .wire(
                        Flow::REQUEST,
                        if body.required {
                            Delta::Tightened
                        } else {
                            Delta::Neutral
                        },
                    )
                    .sides(appeared(Flow::REQUEST, body.required))
                    .rust(Verdict::breaking(format!(
                        "`{}` and `{}` gain a `body` argument",
                        client_method(new_op),
                        trait_method(new_op)
                    )));
                self.add(subject, change);
            }
            (Some(body), None) => {
                let change = found("request-body-removed", "request body removed")
                    .at(Some(&old_ptr), None)
                    .items(methods())
                    .wire(Flow::REQUEST, Delta::Loosened)
                    .sides(disappeared(Flow::REQUEST, body.required))
                    .rust(Verdict::breaking(format!(
                        "`{}` and `{}` lose their `body` argument",
                        client_method(new_op),
                        trait_method(new_op)
                    )));
                self.add(subject, change);
            }
            (Some(old), Some(new)) => {
                let at = |f: Found| f.at(Some(&old_ptr), Some(&new_ptr)).items(methods());
                self.compare_body_content(old, new, subject, &at);
            }
        }
    }

    /// The file parts of a multipart body, by name: each is a field of the
    /// body's struct, so any change of one changes Rust code.
    fn compare_file_parts(
        &mut self,
        old: &[crate::ir::FileField],
        new: &[crate::ir::FileField],
        struct_name: &str,
        subject: &Subject,
        at: &dyn Fn(Found) -> Found,
    ) {
        let item = format!("params::{struct_name}");
        for file in old {
            match new.iter().find(|f| f.wire_name == file.wire_name) {
                None => {
                    // An old client's part is ignored, not refused; an old
                    // server may still require it.
                    let delta = if file.required {
                        Delta::Loosened
                    } else {
                        Delta::Neutral
                    };
                    let change = at(found(
                        "request-file-part-removed",
                        format!("file part `{}` removed", file.wire_name),
                    ))
                    .items([item.clone()])
                    .wire(Flow::REQUEST, delta)
                    .rust(Verdict::breaking(format!(
                        "the field `{}` is gone",
                        file.field
                    )));
                    self.add(subject, change);
                }
                Some(now) => {
                    if now.repeated != file.repeated {
                        let change = at(found(
                            "request-file-part-changed",
                            format!(
                                "file part `{}` is now {}",
                                file.wire_name,
                                if now.repeated {
                                    "an array of files"
                                } else {
                                    "one file"
                                }
                            ),
                        ))
                        .items([item.clone()])
                        .wire(Flow::REQUEST, Delta::Incompatible)
                        .rust(Verdict::breaking("the field has another type"));
                        self.add(subject, change);
                    } else if now.required != file.required {
                        let (message, delta) = if now.required {
                            ("is now required", Delta::Tightened)
                        } else {
                            ("is no longer required", Delta::Loosened)
                        };
                        let change = at(found(
                            "request-file-part-changed",
                            format!("file part `{}` {message}", file.wire_name),
                        ))
                        .items([item.clone()])
                        .wire(Flow::REQUEST, delta)
                        .rust(Verdict::breaking(
                            "the field changes between `FilePart` and `Option<FilePart>`",
                        ));
                        self.add(subject, change);
                    }
                    if now.accepted != file.accepted {
                        let change = at(found(
                            "request-file-part-changed",
                            format!(
                                "media types of file part `{}`: {} → {}",
                                file.wire_name,
                                file.accepted.as_deref().unwrap_or("any"),
                                now.accepted.as_deref().unwrap_or("any")
                            ),
                        ))
                        .items([item.clone()])
                        .wire(Flow::REQUEST, Delta::Incompatible)
                        .rust(Verdict::none("the field keeps its type"));
                        self.add(subject, change);
                    }
                }
            }
        }
        for file in new {
            if old.iter().any(|f| f.wire_name == file.wire_name) {
                continue;
            }
            let delta = if file.required {
                Delta::Tightened
            } else {
                Delta::Loosened
            };
            let change = at(found(
                "request-file-part-added",
                format!(
                    "{} file part `{}` added",
                    if file.required {
                        "required"
                    } else {
                        "optional"
                    },
                    file.wire_name
                ),
            ))
            .items([item.clone()])
            .wire(Flow::REQUEST, delta)
            .rust(Verdict::breaking(format!(
                "the body struct has a new field `{}`",
                file.field
            )));
            self.add(subject, change);
        }
    }

    fn compare_body_content(
        &mut self,
        old: &RequestBody,
        new: &RequestBody,
        subject: &Subject,
        at: &dyn Fn(Found) -> Found,
    ) {
        if old.content_type != new.content_type {
            let change = at(found(
                "request-media-type-changed",
                format!(
                    "request body media type `{}` → `{}`",
                    old.content_type, new.content_type
                ),
            ))
            .wire(Flow::REQUEST, Delta::Incompatible)
            .rust(
                if matches!(
                    (&old.kind, &new.kind),
                    (BodyKind::Choice { .. }, BodyKind::Choice { .. })
                ) {
                    Verdict::breaking("the variants of the body's enum change")
                } else if std::mem::discriminant(&old.kind) == std::mem::discriminant(&new.kind) {
                    Verdict::none("the body argument keeps its type")
                } else {
                    Verdict::breaking("the `body` argument has another type")
                },
            );
            self.add(subject, change);
        }
        if old.required != new.required {
            let (code, message, delta) = if new.required {
                (
                    "request-body-became-required",
                    "request body is now required",
                    Delta::Tightened,
                )
            } else {
                (
                    "request-body-became-optional",
                    "request body is no longer required",
                    Delta::Loosened,
                )
            };
            let change =
                at(found(code, message))
                    .wire(Flow::REQUEST, delta)
                    .rust(Verdict::breaking(
                        "the `body` argument changes between `T` and `Option<T>`",
                    ));
            self.add(subject, change);
        }
        let kind_name = |kind: &BodyKind| match kind {
            BodyKind::Json(_) => "JSON",
            BodyKind::Text => "text",
            BodyKind::Form { .. } => "form",
            BodyKind::Bytes => "bytes",
            BodyKind::Multipart { .. } => "multipart",
            BodyKind::Choice { .. } => "one of several media types",
        };
        if let (
            BodyKind::Multipart {
                struct_name,
                files: a,
                ..
            },
            BodyKind::Multipart { files: b, .. },
        ) = (&old.kind, &new.kind)
        {
            self.compare_file_parts(a, b, struct_name, subject, at);
        }
        if old.content_type == new.content_type
            && std::mem::discriminant(&old.kind) != std::mem::discriminant(&new.kind)
        {
            // The same media type read another way (`format: binary` added,
            // a form schema no longer an object).
            let change = at(found(
                "type-changed",
                format!(
                    "request body type changed from {} to {}",
                    kind_name(&old.kind),
                    kind_name(&new.kind)
                ),
            ))
            .wire(Flow::REQUEST, Delta::Incompatible)
            .rust(Verdict::breaking("the `body` argument has another type"));
            self.add(subject, change);
        }
        // The rules of each media type both versions take.
        if let (BodyKind::Choice { variants: a, .. }, BodyKind::Choice { variants: b, .. }) =
            (&old.kind, &new.kind)
        {
            for old_variant in a {
                let Some(new_variant) = b
                    .iter()
                    .find(|v| v.content_type == old_variant.content_type)
                else {
                    continue;
                };
                let prefix = format!("request body (`{}`): ", old_variant.content_type);
                // The JSON type of a variant, judged as a single body's.
                if let (BodyKind::Json(Some(a)), BodyKind::Json(Some(b))) =
                    (&old_variant.kind, &new_variant.kind)
                    && let Some(change) = self.type_change(a, b)
                {
                    let rust = if change.rust_changed {
                        Verdict::breaking(format!(
                            "the `{}` variant now holds `{}`, was `{}`",
                            new_variant.name, change.new_text, change.old_text
                        ))
                    } else {
                        Verdict::none("the Rust type is the same")
                    };
                    let message = format!(
                        "{prefix}type changed from `{}` to `{}`",
                        change.old_text, change.new_text
                    );
                    let found = at(found("type-changed", message))
                        .wire(Flow::REQUEST, change.delta)
                        .rust(rust);
                    self.add(subject, found);
                }
                for rule in self.rule_findings(
                    &old_variant.checks,
                    &new_variant.checks,
                    &prefix,
                    Flow::REQUEST,
                ) {
                    self.add(subject, at(rule));
                }
            }
        }
        if let (BodyKind::Text, BodyKind::Text) = (&old.kind, &new.kind) {
            for rule in
                self.rule_findings(&old.checks, &new.checks, "request body: ", Flow::REQUEST)
            {
                self.add(subject, at(rule));
            }
        }
        if let (BodyKind::Json(a), BodyKind::Json(b)) = (&old.kind, &new.kind) {
            let any = crate::ir::TypeRef::Json;
            let (a, b) = (a.as_ref().unwrap_or(&any), b.as_ref().unwrap_or(&any));
            if let Some(change) = self.type_change(a, b) {
                let rust = if change.rust_changed {
                    Verdict::breaking(format!(
                        "the `body` argument is now `{}`, was `{}`",
                        change.new_text, change.old_text
                    ))
                } else {
                    Verdict::none("the Rust type is the same")
                };
                let message = format!(
                    "request body type changed from `{}` to `{}`",
                    change.old_text, change.new_text
                );
                let found = at(found("type-changed", message))
                    .wire(Flow::REQUEST, change.delta)
                    .rust(rust);
                self.add(subject, found);
            }
            for rule in
                self.rule_findings(&old.checks, &new.checks, "request body: ", Flow::REQUEST)
            {
                self.add(subject, at(rule));
            }
        }
        if old.docs != new.docs {
            let change = at(found(
                "description-changed",
                "request body description changed",
            ));
            self.add(subject, change);
        }
    }

    fn compare_responses(&mut self, old_op: &Operation, new_op: &Operation, subject: &Subject) {
        let reply = |op: &Operation, r: &Response| format!("server::{}::{}", op.reply, r.variant);
        let pointer =
            |op: &Operation, r: &Response| format!("{}/responses/{}", op_pointer(op), r.status);
        let old_successes: Vec<_> = old_op
            .responses
            .iter()
            .filter(|r| r.status.is_success())
            .collect();
        for response in &old_op.responses {
            if new_op.responses.iter().any(|r| r.status == response.status) {
                continue;
            }
            let servers = if response.status.is_success() {
                Verdict::breaking(format!(
                    "old servers may answer {}, which new clients treat as undocumented",
                    response.status
                ))
            } else {
                Verdict::compatible("new clients report it as an undocumented error")
            };
            let change = found(
                "response-removed",
                format!("response {} removed", response.status),
            )
            .at(Some(&pointer(old_op, response)), None)
            .items([reply(old_op, response)])
            .sides((
                Verdict::compatible("the new server no longer sends it"),
                servers,
            ))
            .rust(Verdict::breaking(format!(
                "the variant `{}` is gone",
                reply(old_op, response)
            )));
            self.add(subject, change);
        }
        for response in &new_op.responses {
            let Some(before) = old_op
                .responses
                .iter()
                .find(|r| r.status == response.status)
            else {
                let clients = if response.status.is_success() && !old_successes.is_empty() {
                    Verdict::breaking(format!(
                        "old clients do not expect {} and report it as an undocumented response",
                        response.status
                    ))
                } else if response.status.is_success() {
                    Verdict::breaking(format!("old clients do not expect {}", response.status))
                } else {
                    Verdict::compatible("old clients report it as an undocumented error")
                };
                let change = found(
                    "response-added",
                    format!("response {} added", response.status),
                )
                .at(None, Some(&pointer(new_op, response)))
                .items([reply(new_op, response)])
                .sides((clients, Verdict::compatible("old servers do not send it")))
                .rust(Verdict::breaking(format!(
                    "a new variant `{}`: exhaustive `match`es must handle it",
                    reply(new_op, response)
                )));
                self.add(subject, change);
                continue;
            };
            self.compare_response(old_op, new_op, before, response, subject);
        }
    }

    fn compare_response(
        &mut self,
        old_op: &Operation,
        new_op: &Operation,
        old: &Response,
        new: &Response,
        subject: &Subject,
    ) {
        let old_ptr = format!("{}/responses/{}", op_pointer(old_op), old.status);
        let new_ptr = format!("{}/responses/{}", op_pointer(new_op), new.status);
        let mut items = vec![format!("server::{}::{}", new_op.reply, new.variant)];
        if new.status.is_success() {
            items.push(client_method(new_op));
        }
        let at = |f: Found| f.at(Some(&old_ptr), Some(&new_ptr)).items(items.clone());
        let status = new.status;
        match (&old.content, &new.content) {
            (a, b) if a == b => {}
            (
                ResponseContent::Json {
                    ty: a,
                    media_type: ma,
                },
                ResponseContent::Json {
                    ty: b,
                    media_type: mb,
                },
            ) => {
                if ma != mb {
                    let change = at(found(
                        "response-media-type-changed",
                        format!("response {status}: media type `{ma}` → `{mb}`"),
                    ))
                    .sides((
                        Verdict::compatible("both are JSON; old clients read the body as before"),
                        Verdict::compatible("both are JSON"),
                    ));
                    self.add(subject, change);
                }
                let any = crate::ir::TypeRef::Json;
                let (a, b) = (a.as_ref().unwrap_or(&any), b.as_ref().unwrap_or(&any));
                if let Some(change) = self.type_change(a, b) {
                    let rust = if change.rust_changed {
                        Verdict::breaking(format!(
                            "the response body is now `{}`, was `{}`",
                            change.new_text, change.old_text
                        ))
                    } else {
                        Verdict::none("the Rust type is the same")
                    };
                    let message = format!(
                        "response {status}: body type changed from `{}` to `{}`",
                        change.old_text, change.new_text
                    );
                    let found = at(found("type-changed", message))
                        .wire(Flow::RESPONSE, change.delta)
                        .rust(rust);
                    self.add(subject, found);
                }
            }
            (a, b) => {
                let show = |c: &ResponseContent| {
                    let media = c.media_types();
                    if media.is_empty() {
                        "no body".to_owned()
                    } else {
                        format!("`{}`", media.join("`, `"))
                    }
                };
                let (clients, servers) = match (a, b) {
                    (ResponseContent::None, _) => (
                        Verdict::compatible("old clients ignore the body"),
                        Verdict::breaking("new clients expect a body old servers do not send"),
                    ),
                    (_, ResponseContent::None) => (
                        Verdict::breaking(
                            "old clients expect a body the new server no longer sends",
                        ),
                        Verdict::compatible("new clients ignore the body"),
                    ),
                    _ => (
                        Verdict::breaking("old clients cannot read the new body"),
                        Verdict::breaking("new clients cannot read the old body"),
                    ),
                };
                let change = at(found(
                    "response-media-type-changed",
                    format!("response {status}: {} → {}", show(a), show(b)),
                ))
                .wire(Flow::RESPONSE, Delta::Incompatible)
                .sides((clients, servers))
                .rust(if std::mem::discriminant(a) == std::mem::discriminant(b) {
                    Verdict::none("the response body keeps its Rust type")
                } else {
                    Verdict::breaking("the response body has another type")
                });
                self.add(subject, change);
            }
        }
        self.compare_response_headers(old, new, subject, new_op);
        if old.description != new.description {
            let change = at(found(
                "description-changed",
                format!("response {status}: description changed"),
            ));
            self.add(subject, change);
        }
    }

    fn compare_response_headers(
        &mut self,
        old: &Response,
        new: &Response,
        subject: &Subject,
        new_op: &Operation,
    ) {
        let status = new.status;
        let key = |h: &Param| h.wire_name.to_ascii_lowercase();
        let item = |r: &Response, h: &Param| match &r.headers_struct {
            Some(name) => format!("params::{name}::{}", h.field),
            None => format!("server::{}::{}", new_op.reply, r.variant),
        };
        let all_optional = |r: &Response| r.headers.iter().all(|h| !h.required);
        for header in &old.headers {
            if new.headers.iter().any(|h| key(h) == key(header)) {
                continue;
            }
            let change = found(
                "response-header-removed",
                format!("response {status}: header `{}` removed", header.wire_name),
            )
            .at(Some(&header.pointer), None)
            .items([item(old, header)])
            .wire(Flow::RESPONSE, Delta::Loosened)
            .sides(if header.required {
                disappeared(Flow::RESPONSE, true)
            } else {
                (
                    Verdict::compatible("old clients read it as absent"),
                    Verdict::compatible("new clients do without it"),
                )
            })
            .rust(Verdict::breaking(format!(
                "`{}` is gone",
                item(old, header)
            )));
            self.add(subject, change);
        }
        for header in &new.headers {
            let Some(before) = old.headers.iter().find(|h| key(h) == key(header)) else {
                let rust = if old.headers_struct.is_none() {
                    Verdict::breaking(format!(
                        "`server::{}::{}` gains a headers field",
                        new_op.reply, new.variant
                    ))
                } else if !header.required && all_optional(old) && all_optional(new) {
                    Verdict::compatible("a new optional field of a struct that derives `Default`")
                } else {
                    Verdict::breaking(format!(
                        "struct literals of the headers must set `{}`",
                        header.field
                    ))
                };
                let what = if header.required {
                    "required"
                } else {
                    "optional"
                };
                let change = found(
                    "response-header-added",
                    format!(
                        "response {status}: new {what} header `{}`",
                        header.wire_name
                    ),
                )
                .at(None, Some(&header.pointer))
                .items([item(new, header)])
                .wire(
                    Flow::RESPONSE,
                    if header.required {
                        Delta::Tightened
                    } else {
                        Delta::Neutral
                    },
                )
                .sides(appeared(Flow::RESPONSE, header.required))
                .rust(rust);
                self.add(subject, change);
                continue;
            };
            let at = |f: Found| {
                f.at(Some(&before.pointer), Some(&header.pointer))
                    .items([item(new, header)])
            };
            let what = format!("response {status}: header `{}`", header.wire_name);
            if before.required != header.required {
                let (message, delta) = if header.required {
                    ("is now required", Delta::Tightened)
                } else {
                    ("is no longer required", Delta::Loosened)
                };
                let change = at(found(
                    "response-header-required-changed",
                    format!("{what} {message}"),
                ))
                .wire(Flow::RESPONSE, delta)
                .rust(Verdict::breaking(format!(
                    "`{}` changes between `T` and `Option<T>`",
                    item(new, header)
                )));
                self.add(subject, change);
            }
            if let Some(change) = self.type_change(&before.ty, &header.ty) {
                let rust = if change.rust_changed {
                    Verdict::breaking(format!(
                        "`{}` is now `{}`",
                        item(new, header),
                        change.new_text
                    ))
                } else {
                    Verdict::none("the Rust type is the same")
                };
                let message = format!(
                    "{what}: type changed from `{}` to `{}`",
                    change.old_text, change.new_text
                );
                let found = at(found("type-changed", message))
                    .wire(Flow::RESPONSE, change.delta)
                    .rust(rust);
                self.add(subject, found);
            }
            let prefix = format!("{what}: ");
            for rule in self.rule_findings(&before.checks, &header.checks, &prefix, Flow::RESPONSE)
            {
                self.add(subject, at(rule));
            }
        }
    }

    fn compare_security(&mut self, old: &Operation, new: &Operation, subject: &Subject) {
        // Alternatives, schemes and scopes are sets: their order means nothing.
        let normal = |security: &crate::ir::SecurityAsWritten| {
            security
                .iter()
                .map(|alternative| {
                    let mut schemes: Vec<(String, Vec<String>)> = alternative
                        .iter()
                        .map(|(name, scopes)| {
                            let mut scopes = scopes.clone();
                            scopes.sort();
                            scopes.dedup();
                            (name.clone(), scopes)
                        })
                        .collect();
                    schemes.sort();
                    schemes
                })
                .collect::<std::collections::BTreeSet<_>>()
        };
        let (old_set, new_set) = (normal(&old.security), normal(&new.security));
        if old_set == new_set {
            return;
        }
        // The operation's own `security`, or the document's it inherits.
        let (old_ptr, new_ptr) = (op_pointer(old), op_pointer(new));
        let show = |security: &crate::ir::SecurityAsWritten| {
            if security.is_empty() {
                return "none".to_owned();
            }
            security
                .iter()
                .map(|alternative| {
                    if alternative.is_empty() {
                        return "{}".to_owned();
                    }
                    alternative
                        .iter()
                        .map(|(name, scopes)| {
                            if scopes.is_empty() {
                                name.clone()
                            } else {
                                format!("{name} [{}]", scopes.join(", "))
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        // Every way to be let in, old and new: an empty alternative (`{}`)
        // or no security at all lets everyone in.
        let open = |security: &crate::ir::SecurityAsWritten| {
            security.is_empty() || security.iter().any(Vec::is_empty)
        };
        let lost = old_set.iter().any(|alt| !new_set.contains(alt));
        let gained = new_set.iter().any(|alt| !old_set.contains(alt));
        let tighter =
            (open(&old.security) && !open(&new.security)) || (!open(&new.security) && lost);
        let looser =
            (!open(&old.security) && open(&new.security)) || (!open(&old.security) && gained);
        let clients = if open(&old.security) && !open(&new.security) {
            Verdict::breaking("the new server requires credentials old clients do not send")
        } else if tighter {
            Verdict::breaking("the new server refuses credentials that old clients may use")
        } else {
            Verdict::compatible("what old clients send is still accepted")
        };
        let servers = if !open(&old.security) && open(&new.security) {
            Verdict::breaking("old servers require credentials new clients do not send")
        } else if looser {
            Verdict::breaking("old servers refuse credentials that new clients may use")
        } else {
            Verdict::compatible("what new clients send is accepted by old servers")
        };
        // The trait method's principal: none, `Principal` or `Option<Principal>`.
        let principal = |api: &crate::ir::Api, op: &Operation| {
            op.requirement
                .and_then(|i| api.requirements.get(i))
                .map(|r| r.optional)
        };
        let rust = match (principal(self.old, old), principal(self.new, new)) {
            (a, b) if a == b => Verdict::none("the `principal` argument keeps its type"),
            (None, Some(_)) => Verdict::breaking(format!(
                "`{}` gains a `principal` argument",
                trait_method(new)
            )),
            (Some(_), None) => Verdict::breaking(format!(
                "`{}` loses its `principal` argument",
                trait_method(new)
            )),
            _ => Verdict::breaking(format!(
                "the `principal` argument of `{}` changes between `Principal` and `Option<Principal>`",
                trait_method(new)
            )),
        };
        let delta = match (tighter, looser) {
            (true, true) => Delta::Incompatible,
            (true, false) => Delta::Tightened,
            (false, true) => Delta::Loosened,
            (false, false) => Delta::Neutral,
        };
        let change = found(
            "security-changed",
            format!("security {} → {}", show(&old.security), show(&new.security)),
        )
        .at(Some(&old_ptr), Some(&new_ptr))
        .items([trait_method(new), client_method(new)])
        .wire(Flow::REQUEST, delta)
        .sides((clients, servers))
        .rust(rust);
        self.add(subject, change);
    }

    /// Security schemes: each is a hook implementors write and a
    /// credential the client holds.
    pub(super) fn compare_security_schemes(&mut self) {
        let subject = Subject::Api;
        let pointer = |name: &str| format!("#/components/securitySchemes/{}", escape_segment(name));
        let (old, new) = (self.old, self.new);
        for scheme in &old.security_schemes {
            match new.security_schemes.iter().find(|s| s.name == scheme.name) {
                None => {
                    let change = found(
                        "security-scheme-removed",
                        format!("security scheme `{}` removed", scheme.name),
                    )
                    .at(Some(&pointer(&scheme.name)), None)
                    .items([
                        format!("server::ApiHooks::{}", scheme.hook),
                        format!("client::Client::{}", scheme.client_setter),
                    ])
                    .rust(Verdict::breaking(format!(
                        "`server::ApiHooks::{}` and `client::Client::{}` are gone",
                        scheme.hook, scheme.client_setter
                    )));
                    self.add(&subject, change);
                }
                Some(now) if now.kind != scheme.kind => {
                    let describe = |kind: &SecurityKind| match kind {
                        SecurityKind::ApiKey {
                            location,
                            param_name,
                        } => {
                            format!("API key in {} `{param_name}`", location.as_str())
                        }
                        SecurityKind::Basic => "HTTP basic".to_owned(),
                        SecurityKind::Http { scheme } => format!("HTTP `{scheme}`"),
                        SecurityKind::OAuth2 => "OAuth 2".to_owned(),
                        SecurityKind::OpenIdConnect => "OpenID Connect".to_owned(),
                    };
                    let both = || Verdict::breaking("credentials are sent or read differently");
                    let same_hook =
                        std::mem::discriminant(&scheme.kind) == std::mem::discriminant(&now.kind);
                    let change = found(
                        "security-scheme-changed",
                        format!(
                            "security scheme `{}`: {} → {}",
                            scheme.name,
                            describe(&scheme.kind),
                            describe(&now.kind)
                        ),
                    )
                    .at(Some(&pointer(&scheme.name)), Some(&pointer(&now.name)))
                    .items([format!("server::ApiHooks::{}", now.hook)])
                    .wire(Flow::REQUEST, Delta::Incompatible)
                    .sides((both(), both()))
                    .rust(if same_hook {
                        Verdict::none("the hook keeps its signature")
                    } else {
                        Verdict::breaking(format!(
                            "`server::ApiHooks::{}` takes other credentials",
                            now.hook
                        ))
                    });
                    self.add(&subject, change);
                }
                Some(_) => {}
            }
        }
        for scheme in &new.security_schemes {
            if old.security_schemes.iter().any(|s| s.name == scheme.name) {
                continue;
            }
            let change = found(
                "security-scheme-added",
                format!("security scheme `{}` added", scheme.name),
            )
            .at(None, Some(&pointer(&scheme.name)))
            .items([
                format!("server::ApiHooks::{}", scheme.hook),
                format!("client::Client::{}", scheme.client_setter),
            ])
            .rust(Verdict::breaking(format!(
                "implementors of `server::ApiHooks` must add `{}`",
                scheme.hook
            )));
            self.add(&subject, change);
        }
    }
}
