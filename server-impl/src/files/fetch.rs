//! Downloads an import file as a stream: the SSRF guard again at fetch time
//! (connecting only to the addresses it approved), no redirects, a size cap
//! and a timeout. The body arrives through a channel and is read by a
//! blocking parser through [`BodyReader`].

use std::io::Read;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::WriteMultipart;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::storage::FileStore;
use crate::ssrf::ImportUrlPolicy;

/// Limits on one download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    pub max_bytes: u64,
    pub timeout: Duration,
}

enum Piece {
    Data(Bytes),
    End,
    Failed(String),
}

/// A download in progress. Dropping it stops the download.
pub struct Download {
    pieces: mpsc::Receiver<Piece>,
    pump: JoinHandle<()>,
}

impl Drop for Download {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

impl Download {
    /// Stops the download from elsewhere (the reader then fails).
    pub fn abort_handle(&self) -> tokio::task::AbortHandle {
        self.pump.abort_handle()
    }

    /// A blocking reader of the body; use it from a blocking thread only.
    pub fn into_reader(self) -> BodyReader {
        BodyReader {
            download: self,
            current: Bytes::new(),
            ended: false,
        }
    }
}

/// Where a download is staged as it arrives: the file store and the key.
pub struct Stage<'a> {
    pub files: &'a FileStore,
    pub key: &'a object_store::path::Path,
}

/// Starts downloading `raw_url`, or says why it cannot be fetched; with
/// `stage`, the body is also written there as it arrives (once the server
/// answers with it), and the upload completed only if the whole body did.
pub async fn open(
    raw_url: &str,
    policy: &ImportUrlPolicy,
    limits: FetchLimits,
    stage: Option<Stage<'_>>,
) -> Result<Download, String> {
    // Checked again now: the name may resolve elsewhere than at creation.
    let checked = policy.check(raw_url).await?;
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
        .timeout(limits.timeout);
    if let (Some(host), false) = (checked.url.host_str(), checked.pinned.is_empty()) {
        client = client.resolve_to_addrs(host, &checked.pinned);
    }
    let client = client
        .build()
        .map_err(|err| format!("cannot prepare the download: {err}"))?;
    let response = client
        .get(checked.url.clone())
        .send()
        .await
        .map_err(|err| describe(&err, limits))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(format!(
            "file_url answered {status} (a redirect); redirects are not followed"
        ));
    }
    if !status.is_success() {
        return Err(format!("file_url answered {status}"));
    }
    if let Some(length) = response.content_length()
        && length > limits.max_bytes
    {
        return Err(too_large(limits));
    }
    let stage = match stage {
        None => None,
        Some(Stage { files, key }) => {
            match files.create(key, "application/octet-stream", None).await {
                Ok(upload) => Some(upload),
                // The import goes on without a staged copy.
                Err(err) => {
                    tracing::warn!(error = %err, "cannot stage the import file");
                    None
                }
            }
        }
    };
    let (sender, pieces) = mpsc::channel(16);
    let pump = tokio::spawn(pump(response, sender, limits, stage));
    Ok(Download { pieces, pump })
}

/// A download of bytes that are already at hand (a staged copy).
pub fn from_stream<S>(stream: S) -> Download
where
    S: Stream<Item = Result<Bytes, String>> + Send + 'static,
{
    let (sender, pieces) = mpsc::channel(16);
    let pump = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        loop {
            let piece = match stream.next().await {
                Some(Ok(data)) => Piece::Data(data),
                Some(Err(reason)) => Piece::Failed(reason),
                None => Piece::End,
            };
            let last = !matches!(piece, Piece::Data(_));
            if sender.send(piece).await.is_err() || last {
                return;
            }
        }
    });
    Download { pieces, pump }
}

fn too_large(limits: FetchLimits) -> String {
    format!(
        "the file is larger than the import limit of {} bytes",
        limits.max_bytes
    )
}

fn describe(err: &reqwest::Error, limits: FetchLimits) -> String {
    if err.is_timeout() {
        format!(
            "fetching file_url took longer than the import timeout of {} s",
            limits.timeout.as_secs()
        )
    } else if err.is_connect() {
        "cannot connect to file_url's host".to_owned()
    } else {
        format!("fetching file_url failed: {err}")
    }
}

async fn pump(
    mut response: reqwest::Response,
    sender: mpsc::Sender<Piece>,
    limits: FetchLimits,
    mut stage: Option<WriteMultipart>,
) {
    let mut received: u64 = 0;
    loop {
        let piece = match response.chunk().await {
            Ok(Some(data)) => {
                received += data.len() as u64;
                if received > limits.max_bytes {
                    Piece::Failed(too_large(limits))
                } else {
                    Piece::Data(data)
                }
            }
            Ok(None) => Piece::End,
            Err(err) => Piece::Failed(describe(&err, limits)),
        };
        stage = match (&piece, stage) {
            (_, None) => None,
            (Piece::Data(data), Some(mut upload)) => {
                upload.put(data.clone());
                match upload.wait_for_capacity(2).await {
                    Ok(()) => Some(upload),
                    // The import goes on; only its staged copy is lost.
                    Err(err) => {
                        tracing::warn!(error = %err, "staging an import file failed");
                        let _ = upload.abort().await;
                        None
                    }
                }
            }
            (Piece::End, Some(upload)) => {
                if let Err(err) = upload.finish().await {
                    tracing::warn!(error = %err, "staging an import file failed");
                }
                None
            }
            (Piece::Failed(_), Some(upload)) => {
                let _ = upload.abort().await;
                None
            }
        };
        let last = !matches!(piece, Piece::Data(_));
        if sender.send(piece).await.is_err() || last {
            return;
        }
    }
}

/// Reads a download's body, blocking until bytes arrive.
pub struct BodyReader {
    download: Download,
    current: Bytes,
    ended: bool,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            if self.ended {
                return Ok(0);
            }
            match self.download.pieces.blocking_recv() {
                Some(Piece::Data(data)) => self.current = data,
                Some(Piece::End) => self.ended = true,
                Some(Piece::Failed(reason)) => return Err(std::io::Error::other(reason)),
                None => return Err(std::io::Error::other("the download stopped")),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
