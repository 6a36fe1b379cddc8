//! The client side of `scripts/bench-stream.sh`: streams SIZE bytes to
//! `echoBlob` (`POST /blobs`) with the generated client, reads the echoed
//! stream chunk by chunk as it comes back, checks every byte, and prints one
//! line of JSON: `{"bytes", "seconds", "mib_per_s", "chunks", "largest_chunk",
//! "peak_rss_kib"}` (the last is the process's `VmHWM`, read at the end: a
//! parent's `wait4` would report at least the parent's own peak, which a
//! `vfork`ed child inherits until it execs).
//!
//!     stream-client BASE_URL SIZE
//!
//! The bytes are generated as they are sent (a deterministic pattern, 64 KiB
//! per read) and checked as they arrive: neither side ever holds the body.
//! Exit status 1 when the call fails or a byte differs.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use codegen_snapshot_bodies::client::Client;
use codegen_snapshot_bodies::server::ByteStream;
use futures_core::Stream;
use tokio::io::{AsyncRead, ReadBuf};

/// The pattern repeats every `PERIOD` bytes (a prime, so it never lines up
/// with chunk sizes), shifted by one more on each lap: the byte at offset `i`
/// is `table[i % PERIOD] + i / PERIOD` (wrapping), so a chunk lost,
/// repeated or moved by any amount under 256 periods (16 MiB) is caught.
const PERIOD: usize = 65_521;

#[derive(Clone)]
struct Pattern {
    table: Vec<u8>,
    /// The offset of the next byte.
    offset: u64,
}

impl Pattern {
    fn new() -> Self {
        // xorshift64, fixed seed.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let table = (0..PERIOD)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u8
            })
            .collect();
        Pattern { table, offset: 0 }
    }

    /// Calls `f(offset, table slice, lap)` over the next `len` bytes, one
    /// piece per period crossed.
    fn walk(&mut self, len: usize, mut f: impl FnMut(usize, &[u8], u8)) {
        let mut done = 0;
        while done < len {
            let at = (self.offset % PERIOD as u64) as usize;
            let lap = (self.offset / PERIOD as u64) as u8;
            let n = (PERIOD - at).min(len - done);
            f(done, &self.table[at..at + n], lap);
            done += n;
            self.offset += n as u64;
        }
    }

    /// Writes the next `out.len()` bytes of the pattern.
    fn fill(&mut self, out: &mut [u8]) {
        self.walk(out.len(), |from, table, lap| {
            for (byte, t) in out[from..from + table.len()].iter_mut().zip(table) {
                *byte = t.wrapping_add(lap);
            }
        });
    }

    /// Checks that `chunk` is the next `chunk.len()` bytes of the pattern;
    /// the offset of the first wrong byte otherwise.
    fn check(&mut self, chunk: &[u8]) -> Result<(), u64> {
        let start = self.offset;
        let mut first_wrong = None;
        self.walk(chunk.len(), |from, table, lap| {
            if first_wrong.is_some() {
                return;
            }
            let got = &chunk[from..from + table.len()];
            // No early exit: the loop stays vectorized.
            let diff = got
                .iter()
                .zip(table)
                .fold(0u8, |acc, (g, t)| acc | (g ^ t.wrapping_add(lap)));
            if diff != 0 {
                let at = got
                    .iter()
                    .zip(table)
                    .position(|(g, t)| *g != t.wrapping_add(lap))
                    .unwrap_or(0);
                first_wrong = Some(start + (from + at) as u64);
            }
        });
        first_wrong.map_or(Ok(()), Err)
    }
}

/// `remaining` bytes of the pattern, as a reader.
struct Source {
    pattern: Pattern,
    remaining: u64,
}

impl AsyncRead for Source {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = usize::try_from(this.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.remaining());
        this.pattern.fill(buf.initialize_unfilled_to(n));
        buf.advance(n);
        this.remaining -= n as u64;
        Poll::Ready(Ok(()))
    }
}

/// This process's peak resident memory (`VmHWM`), in KiB; 0 if unknown.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn fail(message: String) -> ! {
    eprintln!("stream-client: {message}");
    std::process::exit(1)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, size] = args.as_slice() else {
        eprintln!("usage: stream-client BASE_URL SIZE");
        std::process::exit(2)
    };
    let size: u64 = size
        .parse()
        .unwrap_or_else(|_| fail(format!("SIZE is a number of bytes, not {size:?}")));

    let client = Client::new(base.as_str());
    let body = ByteStream::from_reader(Source {
        pattern: Pattern::new(),
        remaining: size,
    });
    let started = Instant::now();
    let mut echoed = client
        .echo_blob(body)
        .await
        .unwrap_or_else(|err| fail(format!("echoBlob: {err}")))
        .into_inner();

    let mut expected = Pattern::new();
    let mut received: u64 = 0;
    let mut chunks: u64 = 0;
    let mut largest: usize = 0;
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut echoed).poll_next(cx)).await {
        let chunk = chunk.unwrap_or_else(|err| {
            fail(format!("the echo broke off after {received} bytes: {err}"))
        });
        if received + chunk.len() as u64 > size {
            fail(format!("more than the {size} bytes sent came back"));
        }
        if let Err(at) = expected.check(&chunk) {
            fail(format!("byte {at} differs from the byte sent"));
        }
        received += chunk.len() as u64;
        chunks += 1;
        largest = largest.max(chunk.len());
    }
    let seconds = started.elapsed().as_secs_f64();
    if received != size {
        fail(format!("{received} of the {size} bytes sent came back"));
    }

    let mib_per_s = size as f64 / (1024.0 * 1024.0) / seconds;
    println!(
        "{}",
        serde_json::json!({
            "bytes": size,
            "seconds": seconds,
            "mib_per_s": mib_per_s,
            "chunks": chunks,
            "largest_chunk": largest,
            "peak_rss_kib": peak_rss_kib(),
        })
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_checks_what_it_wrote_and_finds_a_wrong_byte() {
        // Across several periods, in uneven pieces, as chunks arrive.
        let mut data = vec![0u8; 3 * PERIOD + 12_345];
        let mut writer = Pattern::new();
        for piece in data.chunks_mut(40_000) {
            writer.fill(piece);
        }
        let mut reader = Pattern::new();
        for piece in data.chunks(30_001) {
            assert_eq!(reader.check(piece), Ok(()));
        }
        // The same table a lap later differs (the lap is added).
        assert_ne!(data[..PERIOD], data[PERIOD..2 * PERIOD]);

        data[2 * PERIOD + 7] ^= 1;
        let mut reader = Pattern::new();
        let wrong = data
            .chunks(30_001)
            .find_map(|piece| reader.check(piece).err());
        assert_eq!(wrong, Some(2 * PERIOD as u64 + 7));
    }

    #[test]
    fn the_source_stops_at_its_size() {
        let mut source = Source {
            pattern: Pattern::new(),
            remaining: 100_000,
        };
        let mut storage = vec![0u8; 64 * 1024];
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut total = 0;
        loop {
            let mut buf = ReadBuf::new(&mut storage);
            let ready = Pin::new(&mut source).poll_read(&mut cx, &mut buf);
            assert!(matches!(ready, Poll::Ready(Ok(()))));
            if buf.filled().is_empty() {
                break;
            }
            total += buf.filled().len();
        }
        assert_eq!(total, 100_000);
    }
}
