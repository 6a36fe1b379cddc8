//! `multipart/form-data` bodies. The server reads one with `multer`: text
//! parts become `(name, value)` pairs for the generated fields struct (read
//! and checked as form fields are), file parts are kept aside as
//! [`FilePart`]s, spooled to an anonymous temporary file past a small size
//! so a large upload never sits in memory. The client writes one with
//! reqwest's multipart encoder, streaming file parts as they are read.

use super::request_error::RequestError;
use super::stream::ByteStream;

/// One file of a multipart body: the file name and content type it came
/// with, and its bytes, read as a stream.
#[derive(Debug, Default)]
pub struct FilePart {
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub body: ByteStream,
}

impl FilePart {
    /// A file part of these bytes (any [`ByteStream`]: bytes in memory, a
    /// reader, a stream).
    pub fn new(body: impl Into<ByteStream>) -> Self {
        FilePart {
            file_name: None,
            content_type: None,
            body: body.into(),
        }
    }

    /// The file name sent with the part.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The media type sent with the part (else `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The part's media type, `application/octet-stream` when it names none
    /// (multipart's default for a file).
    fn media_type(&self) -> &str {
        self.content_type
            .as_deref()
            .unwrap_or("application/octet-stream")
    }
}

/// The parts of a multipart body to send: text parts as `(name, value)`
/// pairs, file parts by name.
pub type PartsToSend = (Vec<(&'static str, String)>, Vec<(&'static str, FilePart)>);

/// The parts of a multipart body as read: text parts as pairs, in order,
/// and file parts by name.
#[derive(Debug, Default)]
pub struct Parts {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<(String, FilePart)>,
}

impl Parts {
    /// Takes every file part named `name`, each of a media type in
    /// `accepted` (a comma-separated list of types or ranges) when the
    /// spec's `encoding` names some.
    fn take(
        &mut self,
        name: &str,
        accepted: Option<&'static str>,
    ) -> Result<Vec<FilePart>, RequestError> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|(part, _)| part == name);
        self.files = kept;
        let taken: Vec<FilePart> = taken.into_iter().map(|(_, file)| file).collect();
        if let Some(accepted) = accepted {
            for file in &taken {
                let media = file.media_type();
                if !accepted
                    .split(',')
                    .any(|range| super::media::in_range(media, range))
                {
                    return Err(RequestError::invalid_parameter(
                        name,
                        "form",
                        format!("a file of type `{media}` is not accepted; send `{accepted}`"),
                    ));
                }
            }
        }
        Ok(taken)
    }

    /// The file part `name`, which must be sent once.
    pub fn one(
        &mut self,
        name: &str,
        accepted: Option<&'static str>,
    ) -> Result<FilePart, RequestError> {
        match self.optional(name, accepted)? {
            Some(file) => Ok(file),
            None => Err(RequestError::missing_parameter(name, "form")),
        }
    }

    /// The file part `name`, if sent (at most once).
    pub fn optional(
        &mut self,
        name: &str,
        accepted: Option<&'static str>,
    ) -> Result<Option<FilePart>, RequestError> {
        let mut files = self.take(name, accepted)?;
        if files.len() > 1 {
            return Err(RequestError::invalid_parameter(
                name,
                "form",
                format!("{} files were sent; the spec takes one", files.len()),
            ));
        }
        Ok(files.pop())
    }

    /// Every file part `name` (an array of files: repeated parts).
    pub fn many(
        &mut self,
        name: &str,
        accepted: Option<&'static str>,
    ) -> Result<Vec<FilePart>, RequestError> {
        self.take(name, accepted)
    }
}

#[cfg(feature = "server")]
pub use reading::read;

#[cfg(feature = "server")]
mod reading {
    use axum::http::header;
    use bytes::{Bytes, BytesMut};
    use tokio::io::{AsyncSeekExt, AsyncWriteExt};

    use super::super::request_error::RequestError;
    use super::super::server::{self, BodyLimits};
    use super::super::stream::ByteStream;
    use super::{FilePart, Parts};

    /// A file part up to this size stays in memory; a larger one goes to
    /// an anonymous temporary file (deleted when dropped).
    const IN_MEMORY: usize = 256 * 1024;

    /// The multipart body of `request`, `None` when none was sent; `files`:
    /// the names of the file parts (every other part is text, at most
    /// `body_limit` bytes each). Refused: another content type (415), no
    /// boundary, a truncated or malformed body, a part without a name, a
    /// text part that is not UTF-8 (400), a text part over the limit (413).
    pub async fn read(
        request: axum::extract::Request,
        files: &[&str],
    ) -> Result<Option<Parts>, RequestError> {
        let text_limit = request
            .extensions()
            .get::<BodyLimits>()
            .map_or(BodyLimits::default().body, |limits| limits.body);
        let (head, body) = request.into_parts();
        if !server::has_stream(&head.headers, &body) {
            return Ok(None);
        }
        server::check_content_type(&head.headers, "multipart/form-data")?;
        let boundary = head
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|content_type| multer::parse_boundary(content_type).ok())
            .ok_or_else(|| RequestError::InvalidBody {
                field: None,
                message: "the `multipart/form-data` content type names no boundary".to_owned(),
            })?;
        let mut sizes = multer::SizeLimit::new().per_field(text_limit as u64);
        for name in files {
            sizes = sizes.for_field(*name, u64::MAX);
        }
        let mut multipart = multer::Multipart::with_constraints(
            body.into_data_stream(),
            boundary,
            multer::Constraints::new().size_limit(sizes),
        );
        let mut parts = Parts::default();
        while let Some(mut field) = multipart.next_field().await.map_err(refusal)? {
            let Some(name) = field.name().map(str::to_owned) else {
                return Err(RequestError::InvalidBody {
                    field: None,
                    message: "a part of the multipart body has no name".to_owned(),
                });
            };
            if files.contains(&name.as_str()) {
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(|media| media.to_string());
                let body = spool(&mut field).await?;
                parts.files.push((
                    name,
                    FilePart {
                        file_name,
                        content_type,
                        body,
                    },
                ));
            } else {
                let bytes = field.bytes().await.map_err(refusal)?;
                let text = String::from_utf8(bytes.into()).map_err(|_| {
                    RequestError::invalid_parameter(&name, "form", "the part is not UTF-8 text")
                })?;
                parts.pairs.push((name, text));
            }
        }
        Ok(Some(parts))
    }

    /// A file part's bytes: in memory while small, else in a temporary file
    /// read back as a stream.
    async fn spool(field: &mut multer::Field<'_>) -> Result<ByteStream, RequestError> {
        let mut memory = BytesMut::new();
        let mut file: Option<tokio::fs::File> = None;
        while let Some(chunk) = field.chunk().await.map_err(refusal)? {
            match &mut file {
                Some(file) => file.write_all(&chunk).await.map_err(not_stored)?,
                None if memory.len() + chunk.len() <= IN_MEMORY => memory.extend_from_slice(&chunk),
                None => {
                    let mut spooled =
                        tokio::fs::File::from_std(tempfile::tempfile().map_err(not_stored)?);
                    spooled.write_all(&memory).await.map_err(not_stored)?;
                    spooled.write_all(&chunk).await.map_err(not_stored)?;
                    memory = BytesMut::new();
                    file = Some(spooled);
                }
            }
        }
        match file {
            None => Ok(ByteStream::from(Bytes::from(memory))),
            Some(mut file) => {
                file.flush().await.map_err(not_stored)?;
                file.rewind().await.map_err(not_stored)?;
                Ok(ByteStream::from_reader(file))
            }
        }
    }

    fn not_stored(err: std::io::Error) -> RequestError {
        RequestError::BodyNotStored {
            message: err.to_string(),
        }
    }

    /// Why `multer` could not read the body, as a refusal.
    fn refusal(err: multer::Error) -> RequestError {
        let too_large = match &err {
            multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
                true
            }
            // The router's limit on the body, somewhere in the chain of causes.
            multer::Error::StreamReadFailed(source) => std::iter::successors(
                Some(source.as_ref() as &(dyn std::error::Error + 'static)),
                |error| error.source(),
            )
            .any(|error| error.is::<http_body_util::LengthLimitError>()),
            _ => false,
        };
        if too_large {
            return RequestError::PayloadTooLarge;
        }
        let message = match &err {
            multer::Error::IncompleteStream
            | multer::Error::IncompleteFieldData { .. }
            | multer::Error::IncompleteHeaders => {
                "the multipart body ends before its closing boundary".to_owned()
            }
            other => format!("the multipart body cannot be read: {other}"),
        };
        RequestError::InvalidBody {
            field: None,
            message,
        }
    }
}

/// The multipart body of `pairs` (text parts; those in `json` are sent as
/// `application/json`) and `files`, and its content type with the boundary.
#[cfg(feature = "client")]
pub fn encode(
    pairs: Vec<(&'static str, String)>,
    json: &[&str],
    files: Vec<(&'static str, FilePart)>,
) -> Result<(String, ByteStream), String> {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in pairs {
        let part = reqwest::multipart::Part::text(value);
        let part = if json.contains(&name) {
            part.mime_str("application/json")
                .map_err(|err| err.to_string())?
        } else {
            part
        };
        form = form.part(name, part);
    }
    for (name, file) in files {
        let media = file.media_type().to_owned();
        let body = match file.body.as_whole() {
            Some(bytes) => reqwest::Body::from(bytes.clone()),
            None => reqwest::Body::wrap_stream(file.body),
        };
        let mut part = reqwest::multipart::Part::stream(body)
            .mime_str(&media)
            .map_err(|_| format!("the file part `{name}` has an invalid content type `{media}`"))?;
        if let Some(file_name) = file.file_name {
            part = part.file_name(file_name);
        }
        form = form.part(name, part);
    }
    let content_type = format!("multipart/form-data; boundary={}", form.boundary());
    Ok((content_type, ByteStream::new(form.into_stream())))
}

#[cfg(feature = "client")]
impl super::client::OutgoingRequest {
    /// A multipart body of `parts` (as the generated struct's `into_parts`
    /// gives them; text parts named in `json` are sent as `application/json`).
    /// Its file parts are streamed: the call is not retried.
    pub fn multipart_body<E>(
        self,
        parts: PartsToSend,
        json: &[&str],
    ) -> Result<Self, super::client::ClientError<E>> {
        let (pairs, files) = parts;
        let (content_type, body) =
            encode(pairs, json, files).map_err(super::client::ClientError::InvalidRequest)?;
        Ok(self.body_as(content_type, body))
    }

    /// A multipart body, when there is one.
    pub fn optional_multipart_body<E>(
        self,
        parts: Option<PartsToSend>,
        json: &[&str],
    ) -> Result<Self, super::client::ClientError<E>> {
        match parts {
            Some(parts) => self.multipart_body(parts, json),
            None => Ok(self),
        }
    }
}
