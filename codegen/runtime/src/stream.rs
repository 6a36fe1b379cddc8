//! A body that is streamed rather than held whole: what a generated server
//! handler receives and answers for a binary body, and what the generated
//! client sends and returns for one. A stream made from bytes already in
//! memory stays whole (the client can then retry it and the server sends its
//! length); any other is read once, chunk by chunk.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use tokio::io::AsyncRead;

/// Any error a source of chunks may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type Chunks = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A stream of the bytes of a body (a [`Stream`] of `io::Result<Bytes>`).
pub struct ByteStream {
    inner: Inner,
}

enum Inner {
    /// Bytes in memory; `None` once yielded.
    Whole(Option<Bytes>),
    Chunks(Chunks),
}

impl ByteStream {
    /// A stream of the chunks `stream` yields; its errors become `io::Error`s.
    pub fn new<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes>,
        E: Into<BoxError>,
    {
        ByteStream {
            inner: Inner::Chunks(Box::pin(MapChunks {
                stream: Box::pin(stream),
            })),
        }
    }

    /// The bytes `reader` gives until its end, read 64 KiB at a time.
    pub fn from_reader<R: AsyncRead + Send + 'static>(reader: R) -> Self {
        ByteStream::new(tokio_util::io::ReaderStream::with_capacity(
            reader,
            64 * 1024,
        ))
    }

    /// The contents of the file at `path`, read as they are sent.
    pub async fn from_path(path: impl AsRef<std::path::Path>) -> io::Result<Self> {
        Ok(ByteStream::from_reader(tokio::fs::File::open(path).await?))
    }

    /// No bytes.
    pub fn empty() -> Self {
        ByteStream::from(Bytes::new())
    }

    /// The bytes, when they are all in memory (not read from a stream).
    pub fn as_whole(&self) -> Option<&Bytes> {
        match &self.inner {
            Inner::Whole(Some(bytes)) => Some(bytes),
            Inner::Whole(None) => None,
            Inner::Chunks(_) => None,
        }
    }

    /// The stream as an [`AsyncRead`], to copy it to a file or a socket.
    pub fn into_reader(self) -> impl AsyncRead + Send {
        tokio_util::io::StreamReader::new(self)
    }

    /// Every byte, read into memory: for bodies known to be small. A body
    /// larger than `limit` bytes is an error (`InvalidData`) once it passes it.
    pub async fn collect(mut self, limit: usize) -> io::Result<Bytes> {
        if let Inner::Whole(bytes) = &mut self.inner {
            let bytes = bytes.take().unwrap_or_default();
            return if bytes.len() > limit {
                Err(too_large(limit))
            } else {
                Ok(bytes)
            };
        }
        let mut all = BytesMut::new();
        while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let chunk = chunk?;
            if all.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }
}

fn too_large(limit: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the body is larger than {limit} bytes"),
    )
}

impl Stream for ByteStream {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.inner {
            Inner::Whole(bytes) => Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(Ok)),
            Inner::Chunks(chunks) => chunks.as_mut().poll_next(cx),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Inner::Whole(Some(bytes)) if !bytes.is_empty() => (1, Some(1)),
            Inner::Whole(_) => (0, Some(0)),
            Inner::Chunks(chunks) => chunks.size_hint(),
        }
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Whole(Some(bytes)) => write!(f, "ByteStream({} bytes)", bytes.len()),
            Inner::Whole(None) => f.write_str("ByteStream(read)"),
            Inner::Chunks(_) => f.write_str("ByteStream(streamed)"),
        }
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        ByteStream::empty()
    }
}

impl From<Bytes> for ByteStream {
    fn from(bytes: Bytes) -> Self {
        ByteStream {
            inner: Inner::Whole(Some(bytes)),
        }
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        ByteStream::from(Bytes::from(bytes))
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(bytes: &'static [u8]) -> Self {
        ByteStream::from(Bytes::from_static(bytes))
    }
}

impl From<String> for ByteStream {
    fn from(text: String) -> Self {
        ByteStream::from(Bytes::from(text))
    }
}

impl From<&'static str> for ByteStream {
    fn from(text: &'static str) -> Self {
        ByteStream::from(Bytes::from_static(text.as_bytes()))
    }
}

/// A stream whose chunks become `Bytes` and whose errors `io::Error`s.
struct MapChunks<S> {
    stream: Pin<Box<S>>,
}

impl<S, B, E> Stream for MapChunks<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Into<Bytes>,
    E: Into<BoxError>,
{
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx).map(|item| {
            item.map(|chunk| {
                chunk.map(Into::into).map_err(|err| {
                    let err: BoxError = err.into();
                    match err.downcast::<io::Error>() {
                        Ok(err) => *err,
                        Err(err) => io::Error::other(err),
                    }
                })
            })
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}
