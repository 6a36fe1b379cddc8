//! Server-sent events (`text/event-stream`): a stream of typed events on
//! both sides. The server frames each event with axum's `Sse` and sends a
//! keep-alive comment after a silence; the client parses the stream with
//! `eventsource-stream`, skips comments, and decodes each event's data (JSON
//! of the spec's schema, or text).

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

/// One event: its data and the optional fields of the format.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    pub data: T,
    /// The event's type (`event:`); `None` is the default, `message`.
    pub event: Option<String>,
    /// Its id (`id:`): a client that reconnects sends the last one it saw
    /// as `Last-Event-ID`.
    pub id: Option<String>,
    /// How long a client should wait before reconnecting (`retry:`).
    pub retry: Option<Duration>,
}

impl<T> Event<T> {
    pub fn new(data: T) -> Self {
        Event {
            data,
            event: None,
            id: None,
            retry: None,
        }
    }

    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    pub fn retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }
}

type Events<T> = Pin<Box<dyn Stream<Item = io::Result<Event<T>>> + Send>>;

/// A stream of events (a [`Stream`] of `io::Result<Event<T>>`): what a
/// server handler answers and what the client returns.
pub struct EventStream<T> {
    inner: Events<T>,
    keep_alive: Duration,
    last_event_id: Option<String>,
}

impl<T> EventStream<T> {
    /// A comment is sent after this long without an event, so proxies and
    /// clients keep the connection open.
    pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

    /// The events of `events`, as they come.
    pub fn new<S>(events: S) -> Self
    where
        S: Stream<Item = Event<T>> + Send + 'static,
        T: 'static,
    {
        EventStream::from_results(Infallible {
            events: Box::pin(events),
        })
    }

    /// The events of `events`; an error ends the stream (the server closes
    /// the connection).
    pub fn from_results<S>(events: S) -> Self
    where
        S: Stream<Item = io::Result<Event<T>>> + Send + 'static,
    {
        EventStream {
            inner: Box::pin(events),
            keep_alive: Self::DEFAULT_KEEP_ALIVE,
            last_event_id: None,
        }
    }

    /// Sends a keep-alive comment after `every` without an event.
    pub fn keep_alive(mut self, every: Duration) -> Self {
        self.keep_alive = every;
        self
    }

    /// The id of the last event read that had one: what to send as
    /// `Last-Event-ID` when reconnecting.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }
}

impl<T> Stream for EventStream<T> {
    type Item = io::Result<Event<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(event))) = &next
            && let Some(id) = &event.id
        {
            let id = id.clone();
            self.last_event_id = Some(id);
        }
        next
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("keep_alive", &self.keep_alive)
            .field("last_event_id", &self.last_event_id)
            .finish_non_exhaustive()
    }
}

/// Events that cannot fail, as results.
struct Infallible<T> {
    events: Pin<Box<dyn Stream<Item = Event<T>> + Send>>,
}

impl<T> Stream for Infallible<T> {
    type Item = io::Result<Event<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events
            .as_mut()
            .poll_next(cx)
            .map(|event| event.map(Ok))
    }
}

#[cfg(feature = "server")]
pub use serving::{json_response, text_response};

#[cfg(feature = "server")]
mod serving {
    use std::future::Future;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use axum::http::StatusCode;
    use axum::response::sse::{Event as Frame, Sse};
    use axum::response::{IntoResponse, Response};
    use futures_core::Stream;
    use serde::Serialize;

    use super::{Event, EventStream};

    /// A response of events whose data is JSON.
    pub fn json_response<T: Serialize + 'static>(
        status: StatusCode,
        events: EventStream<T>,
    ) -> Response {
        respond(status, events, |data| {
            serde_json::to_string(data).map_err(io::Error::other)
        })
    }

    /// A response of events whose data is text.
    pub fn text_response(status: StatusCode, events: EventStream<String>) -> Response {
        respond(status, events, |data| Ok(data.clone()))
    }

    fn respond<T: 'static>(
        status: StatusCode,
        events: EventStream<T>,
        data: fn(&T) -> io::Result<String>,
    ) -> Response {
        let every = events.keep_alive;
        let framed = Framed {
            events,
            data,
            timer: Box::pin(tokio::time::sleep(every)),
            every,
        };
        (status, Sse::new(framed)).into_response()
    }

    /// Events as frames, with a comment after each silence of `every`.
    struct Framed<T> {
        events: EventStream<T>,
        data: fn(&T) -> io::Result<String>,
        timer: Pin<Box<tokio::time::Sleep>>,
        every: std::time::Duration,
    }

    impl<T> Stream for Framed<T> {
        type Item = io::Result<Frame>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            match Pin::new(&mut self.events).poll_next(cx) {
                Poll::Ready(Some(Ok(event))) => {
                    let deadline = tokio::time::Instant::now() + self.every;
                    self.timer.as_mut().reset(deadline);
                    Poll::Ready(Some(frame(&event, self.data)))
                }
                Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        let deadline = tokio::time::Instant::now() + self.every;
                        self.timer.as_mut().reset(deadline);
                        Poll::Ready(Some(Ok(Frame::default().comment(""))))
                    }
                    Poll::Pending => Poll::Pending,
                },
            }
        }
    }

    fn frame<T>(event: &Event<T>, data: fn(&T) -> io::Result<String>) -> io::Result<Frame> {
        let mut frame = Frame::default().data(data(&event.data)?);
        if let Some(name) = &event.event {
            frame = frame.event(name);
        }
        if let Some(id) = &event.id {
            frame = frame.id(id);
        }
        if let Some(retry) = event.retry {
            frame = frame.retry(retry);
        }
        Ok(frame)
    }
}

#[cfg(feature = "client")]
pub use reading::{decode_json, decode_text};

#[cfg(feature = "client")]
mod reading {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_core::Stream;
    use serde::de::DeserializeOwned;

    use super::super::stream::ByteStream;
    use super::{Event, EventStream};

    /// The events of a response body whose data is JSON of `T`; an event
    /// whose data is not ends the stream with an `InvalidData` error.
    pub fn decode_json<T: DeserializeOwned + 'static>(body: ByteStream) -> EventStream<T> {
        decode(body, |data| {
            serde_json::from_str(&data).map_err(|err| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("an event's data is not the JSON the spec gives: {err}"),
                )
            })
        })
    }

    /// The events of a response body whose data is text.
    pub fn decode_text(body: ByteStream) -> EventStream<String> {
        decode(body, Ok)
    }

    fn decode<T: 'static>(body: ByteStream, data: fn(String) -> io::Result<T>) -> EventStream<T> {
        EventStream::from_results(Parsed {
            events: eventsource_stream::EventStream::new(body),
            data,
        })
    }

    struct Parsed<T> {
        events: eventsource_stream::EventStream<ByteStream>,
        data: fn(String) -> io::Result<T>,
    }

    impl<T> Stream for Parsed<T> {
        type Item = io::Result<Event<T>>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let data = self.data;
            Pin::new(&mut self.events).poll_next(cx).map(|next| {
                next.map(|parsed| {
                    let parsed = parsed.map_err(|err| match err {
                        eventsource_stream::EventStreamError::Transport(err) => err,
                        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
                    })?;
                    let non_empty = |text: String| (!text.is_empty()).then_some(text);
                    Ok(Event {
                        data: data(parsed.data)?,
                        // `message` is the type of an event that names none.
                        event: non_empty(parsed.event).filter(|name| name != "message"),
                        id: non_empty(parsed.id),
                        retry: parsed.retry,
                    })
                })
            })
        }
    }
}
