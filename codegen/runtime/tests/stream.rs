//! `ByteStream`: bytes in memory stay whole, readers and streams are read
//! chunk by chunk, errors of any source become `io::Error`s.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use codegen_runtime::stream::{BoxError, ByteStream};
use futures_core::Stream;

#[tokio::test]
async fn whole_bytes_stay_whole_and_are_yielded_once() {
    let mut stream = ByteStream::from("abc");
    assert_eq!(stream.as_whole().map(|b| &b[..]), Some(&b"abc"[..]));
    let first = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
    assert_eq!(first.unwrap().unwrap(), "abc");
    let next = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
    assert!(next.is_none());
}

#[tokio::test]
async fn a_reader_is_read_in_chunks_and_collected() {
    let data = vec![7u8; 200 * 1024];
    let stream = ByteStream::from_reader(std::io::Cursor::new(data.clone()));
    assert!(stream.as_whole().is_none());
    assert_eq!(stream.collect(usize::MAX).await.unwrap(), data);
}

#[tokio::test]
async fn collect_stops_past_its_limit() {
    let stream = ByteStream::from_reader(std::io::Cursor::new(vec![0u8; 1000]));
    let err = stream.collect(999).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(ByteStream::from(vec![0u8; 10]).collect(9).await.is_err());
}

#[tokio::test]
async fn source_errors_become_io_errors() {
    let chunks: Vec<Result<Bytes, BoxError>> = vec![Ok(Bytes::from("a")), Err("broken".into())];
    let stream = ByteStream::new(Iter(chunks.into_iter()));
    let err = stream.collect(usize::MAX).await.unwrap_err();
    assert_eq!(err.to_string(), "broken");
}

#[tokio::test]
async fn into_reader_reads_every_byte() {
    use tokio::io::AsyncReadExt;
    let mut reader = Box::pin(ByteStream::from(vec![1u8, 2, 3]).into_reader());
    let mut out = Vec::new();
    reader.read_to_end(&mut out).await.unwrap();
    assert_eq!(out, [1, 2, 3]);
}

/// A stream over an iterator (no `futures-util` here).
struct Iter<I>(I);

impl<I: Iterator + Unpin> Stream for Iter<I> {
    type Item = I::Item;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.0.next())
    }
}
