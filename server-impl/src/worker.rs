//! The durable background worker. Work is claimed from the database, so
//! nothing lives only in memory: a task is `PENDING` until a worker claims it,
//! and a `PROCESSING` task nobody holds (a graceful stop released it, or its
//! worker died and its heartbeat went stale) is resumed from its last
//! committed chunk. Imports commit each chunk of records together with the
//! task's counts, so a resumed run neither loses nor repeats a record.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use flexprice_api::{TaskStatus, TaskType};
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::domain::{self, Counts, Task};
use crate::files::export::{ExportEncoder, content_type, extension};
use crate::files::fetch::{self, FetchLimits};
use crate::files::parse::{self, ParseEnd, ParseOptions, ParsedRecord};
use crate::files::storage::FileStore;
use crate::records::Schema;
use crate::ssrf::ImportUrlPolicy;
use crate::store::{Claim, Finish, Progress, RecordCursor, StagedRecord, StoreError, WorkStore};

/// At most this many `Record N: …` lines are kept in a task's error summary.
pub const MAX_ERROR_LINES: usize = 100;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Tasks processed at once; 0 runs no worker.
    pub workers: usize,
    /// How long a claim outlives its last heartbeat before others may take it.
    pub lease: Duration,
    pub fetch: FetchLimits,
    pub import_urls: ImportUrlPolicy,
    /// Where exports are written and imports staged.
    pub files: FileStore,
    pub chunk_size: usize,
}

/// The running workers of this process.
pub struct Workers {
    stop: watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
    heartbeat: JoinHandle<()>,
    /// Lets go of every task this process still holds (run at the very end).
    release: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Workers {
    /// Starts `config.workers` loops that claim and run tasks; `wake` is
    /// notified when new work may be waiting.
    pub fn start<S: WorkStore + Clone>(
        store: S,
        config: WorkerConfig,
        wake: Arc<Notify>,
    ) -> Workers {
        let worker_id = domain::new_id("worker");
        let (stop, stopped) = watch::channel(false);
        let context = Arc::new(Context {
            store: store.clone(),
            config,
            worker_id: worker_id.clone(),
        });
        let loops = (0..context.config.workers)
            .map(|_| {
                tokio::spawn(work_loop(
                    Arc::clone(&context),
                    Arc::clone(&wake),
                    stopped.clone(),
                ))
            })
            .collect();
        let heartbeat = tokio::spawn(heartbeat(
            store.clone(),
            worker_id.clone(),
            context.config.lease,
        ));
        Workers {
            stop,
            loops,
            heartbeat,
            release: Box::pin(async move {
                if let Err(err) = store.release(&worker_id, None).await {
                    tracing::error!(error = %err, "could not release claimed tasks");
                }
            }),
        }
    }

    /// Tells every loop to claim nothing more and to stop its task at the
    /// next safe point; [`Workers::stop`] then waits for them.
    pub fn begin_stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops claiming, lets each running task reach a safe point (its last
    /// chunk committed) within `deadline`, and releases what is unfinished
    /// for the next start. A run still busy at the deadline (a database or a
    /// bucket that does not answer) is abandoned: an uncommitted chunk is
    /// rolled back, and is read again by whoever resumes the task.
    pub async fn stop(self, deadline: Duration) {
        let _ = self.stop.send(true);
        let aborts: Vec<_> = self.loops.iter().map(JoinHandle::abort_handle).collect();
        let finished = tokio::time::timeout(deadline, async {
            for handle in self.loops {
                let _ = handle.await;
            }
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                ?deadline,
                "runs still busy at the end of the grace period are abandoned"
            );
            for abort in aborts {
                abort.abort();
            }
        }
        self.heartbeat.abort();
        if tokio::time::timeout(deadline, self.release).await.is_err() {
            tracing::warn!(
                ?deadline,
                "claimed tasks could not be released in time; another worker takes them over once their lease runs out"
            );
        }
    }
}

struct Context<S> {
    store: S,
    config: WorkerConfig,
    worker_id: String,
}

async fn heartbeat<S: WorkStore>(store: S, worker_id: String, lease: Duration) {
    let mut tick = tokio::time::interval((lease / 3).max(Duration::from_millis(100)));
    loop {
        tick.tick().await;
        if let Err(err) = store.heartbeat(&worker_id, domain::now()).await {
            tracing::warn!(error = %err, "heartbeat failed");
        }
    }
}

/// How long an idle worker waits before looking again (for stale claims).
const IDLE_POLL: Duration = Duration::from_secs(2);

async fn work_loop<S: WorkStore>(
    context: Arc<Context<S>>,
    wake: Arc<Notify>,
    mut stopped: watch::Receiver<bool>,
) {
    while !*stopped.borrow() {
        let now = domain::now();
        let stale_before =
            now - chrono::Duration::from_std(context.config.lease).unwrap_or(chrono::Duration::MAX);
        let pause = match context
            .store
            .claim_next(&context.worker_id, now, stale_before)
            .await
        {
            Ok(Some(claimed)) => {
                metrics::counter!(crate::metrics::CLAIMS).increment(1);
                if let Some(from) = &claimed.taken_from {
                    metrics::counter!(crate::metrics::TAKEOVERS).increment(1);
                    tracing::info!(task_id = %claimed.task.id, from = %from, "lease taken over");
                }
                run(&context, claimed.task, &mut stopped).await;
                continue;
            }
            Ok(None) => IDLE_POLL,
            Err(err) => {
                tracing::error!(error = %err, "claiming work failed");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => {}
        }
    }
}

/// How a run ended.
enum Outcome {
    Finished(Finish),
    /// Asked to stop: the task is released for the next start.
    Stopped,
    /// The task was changed elsewhere (its status set through the API).
    Lost,
}

async fn run<S: WorkStore>(context: &Context<S>, task: Task, stopped: &mut watch::Receiver<bool>) {
    let claim = Claim {
        task_id: task.id.clone(),
        scope: task.scope.clone(),
        worker_id: context.worker_id.clone(),
        run_id: task.run_id.clone(),
    };
    let resumed = task.counts.is_some();
    tracing::info!(task_id = %task.id, task_type = %task.task_type, entity_type = %task.entity_type, resumed, "task started");
    let outcome = match task.task_type {
        TaskType::Import => import(context, &claim, &task, stopped).await,
        TaskType::Export => export(context, &claim, &task, stopped).await,
    };
    let result = match outcome {
        Ok(Outcome::Finished(finish)) => {
            let status = finish.status;
            match context.store.finish(&claim, &finish, domain::now()).await {
                Ok(true) => {
                    tracing::info!(task_id = %task.id, %status, counts = ?finish.counts, "task finished");
                    Ok(())
                }
                Ok(false) => {
                    tracing::warn!(task_id = %task.id, "task was changed elsewhere; its run ends");
                    Ok(())
                }
                Err(err) => Err(err),
            }
        }
        Ok(Outcome::Stopped) => {
            tracing::info!(task_id = %task.id, "stopping: task released, it resumes on the next start");
            context
                .store
                .release(&context.worker_id, Some(&task.id))
                .await
        }
        Ok(Outcome::Lost) => {
            tracing::warn!(task_id = %task.id, "task was changed elsewhere; its run ends");
            Ok(())
        }
        Err(err) => {
            // Storage failed mid-run: record it if storage still answers.
            tracing::error!(task_id = %task.id, error = %err, "task run failed on storage");
            let finish = Finish {
                status: TaskStatus::Failed,
                counts: None,
                error_summary: Some(format!("the task store failed: {err}")),
                file_name: None,
            };
            context
                .store
                .finish(&claim, &finish, domain::now())
                .await
                .map(|_| ())
        }
    };
    if let Err(err) = result {
        tracing::error!(task_id = %task.id, error = %err, "could not record the end of a run");
    }
}

/// The counts and error lines of a running import.
struct Tally {
    progress: Progress,
    /// `Record N: …` lines in the summary.
    lines: usize,
}

impl Tally {
    fn resume(task: &Task) -> Tally {
        let summary = task.error_summary.clone().filter(|s| !s.is_empty());
        let lines = summary.as_deref().map_or(0, |s| {
            s.lines().filter(|l| l.starts_with("Record ")).count()
        });
        Tally {
            progress: Progress {
                counts: task.counts.unwrap_or_default(),
                error_summary: summary,
            },
            lines,
        }
    }

    /// The progress after a chunk: `failures` are (record number, reason) in
    /// file order; `succeeded` is how many of the chunk are stored.
    fn after_chunk(&self, size: usize, succeeded: usize, failures: &[(i64, String)]) -> Tally {
        let mut progress = self.progress.clone();
        let counts = &mut progress.counts;
        counts.total += size as i64;
        counts.processed += size as i64;
        counts.successful += succeeded as i64;
        counts.failed += failures.len() as i64;
        let mut lines = self.lines;
        for (number, reason) in failures {
            if lines >= MAX_ERROR_LINES {
                break;
            }
            let summary = progress.error_summary.get_or_insert_with(String::new);
            if !summary.is_empty() {
                summary.push('\n');
            }
            summary.push_str(&format!("Record {number}: {reason}"));
            lines += 1;
        }
        Tally { progress, lines }
    }

    /// The summary to end with: the shown lines, a note of those not shown,
    /// and the reason the run failed if it did.
    fn final_summary(&self, failure: Option<&str>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(reason) = failure {
            parts.push(reason.to_owned());
        }
        if let Some(summary) = &self.progress.error_summary {
            parts.push(summary.clone());
        }
        let hidden = self.progress.counts.failed - self.lines as i64;
        if hidden > 0 {
            parts.push(format!("… and {hidden} more failed records"));
        }
        (!parts.is_empty()).then(|| parts.join("\n"))
    }
}

/// An import that failed on its file. Records stored before the failure are
/// kept (each chunk was committed with the task's counts, as a bad record
/// fails alone), and the summary says so below the reason: a retry stores the
/// rest without repeating them.
fn failed(tally: &Tally, reason: &str) -> Outcome {
    let stored = tally.progress.counts.successful;
    let reason = if stored > 0 {
        format!(
            "{reason}\n{stored} {} read before the failure {} stored and {} kept; \
             a retry stores the rest without repeating {}",
            if stored == 1 { "record" } else { "records" },
            if stored == 1 { "was" } else { "were" },
            if stored == 1 { "is" } else { "are" },
            if stored == 1 { "it" } else { "them" },
        )
    } else {
        reason.to_owned()
    };
    Outcome::Finished(Finish {
        status: TaskStatus::Failed,
        counts: Some(tally.progress.counts),
        error_summary: tally.final_summary(Some(&reason)),
        file_name: None,
    })
}

/// An import. The file is staged in the file store as it is read (once per
/// run): a run resumed after the whole file had arrived reads the very bytes
/// it began with, even if the file at `file_url` changed or is gone since;
/// otherwise it fetches `file_url` again and skips the records it processed.
/// The staged copy goes when the run ends; a stopped run keeps it.
async fn import<S: WorkStore>(
    context: &Context<S>,
    claim: &Claim,
    task: &Task,
    stopped: &mut watch::Receiver<bool>,
) -> Result<Outcome, StoreError> {
    let files = &context.config.files;
    let key = files.staging_key(&task.id, &task.run_id);
    let outcome = import_run(context, claim, task, &key, stopped).await;
    // A stopped run resumes from its copy; a lost one may have a new holder
    // reading it (a lease takeover keeps the run), which removes it in turn.
    if !matches!(outcome, Ok(Outcome::Stopped | Outcome::Lost))
        && let Err(err) = files.delete(&key).await
    {
        tracing::warn!(task_id = %task.id, error = %err, "could not remove a staged import file");
    }
    outcome
}

/// The staged copy of this run's file if there is a whole one, else a
/// download of `file_url` that stages as it goes.
async fn open_file<S: WorkStore>(
    context: &Context<S>,
    task: &Task,
    key: &object_store::path::Path,
) -> Result<fetch::Download, String> {
    let files = &context.config.files;
    match files.exists(key).await {
        Ok(true) => match files.read(key).await {
            Ok(stream) => {
                tracing::info!(task_id = %task.id, "reading the file staged by this run");
                return Ok(fetch::from_stream(stream));
            }
            Err(err) => {
                tracing::warn!(task_id = %task.id, error = %err, "the staged file cannot be read; fetching the file again");
            }
        },
        Ok(false) => {}
        Err(err) => {
            tracing::warn!(task_id = %task.id, error = %err, "the file store failed; fetching the file again")
        }
    }
    fetch::open(
        &task.file_url,
        &context.config.import_urls,
        context.config.fetch,
        Some(fetch::Stage { files, key }),
    )
    .await
}

async fn import_run<S: WorkStore>(
    context: &Context<S>,
    claim: &Claim,
    task: &Task,
    key: &object_store::path::Path,
    stopped: &mut watch::Receiver<bool>,
) -> Result<Outcome, StoreError> {
    let schema = Schema::of(task.entity_type);
    let mut tally = Tally::resume(task);
    let download = tokio::select! {
        download = open_file(context, task, key) => download,
        _ = stopped.changed() => return Ok(Outcome::Stopped),
    };
    let download = match download {
        Ok(download) => download,
        Err(reason) => return Ok(failed(&tally, &reason)),
    };
    let cancel_download = download.abort_handle();
    let options = ParseOptions {
        file_type: task.file_type,
        schema,
        skip: tally.progress.counts.processed,
        chunk_size: context.config.chunk_size,
        now: domain::now(),
    };
    let (chunks, mut incoming) = mpsc::channel::<Vec<ParsedRecord>>(2);
    let parser = tokio::task::spawn_blocking(move || {
        parse::parse(download.into_reader(), options, |chunk| {
            chunks.blocking_send(chunk).is_ok()
        })
    });
    loop {
        let chunk = tokio::select! {
            chunk = incoming.recv() => chunk,
            _ = stopped.changed() => {
                cancel_download.abort();
                drop(incoming);
                let _ = parser.await;
                return Ok(Outcome::Stopped);
            }
        };
        let Some(chunk) = chunk else { break };
        let size = chunk.len();
        let mut failures: Vec<(i64, String)> = Vec::new();
        let mut staged: Vec<StagedRecord> = Vec::with_capacity(size);
        for record in chunk {
            match record.outcome {
                Ok(cells) => staged.push(StagedRecord {
                    number: record.number,
                    cells,
                }),
                Err(reason) => failures.push((record.number, reason)),
            }
        }
        let mut next = None;
        let mut stored_now = 0;
        let held = context
            .store
            .write_import_chunk(claim, schema, &staged, |write| {
                stored_now = write.stored;
                let mut all = failures.clone();
                all.extend(write.conflicts.iter().map(|&index| {
                    (
                        staged[index].number,
                        schema.conflict_message(&staged[index].cells),
                    )
                }));
                all.sort_by_key(|(number, _)| *number);
                let after = tally.after_chunk(size, write.stored + write.already_stored, &all);
                let progress = after.progress.clone();
                next = Some(after);
                progress
            })
            .await?;
        if !held {
            cancel_download.abort();
            return Ok(Outcome::Lost);
        }
        metrics::counter!(crate::metrics::RECORDS_IMPORTED).increment(stored_now as u64);
        if let Some(after) = next {
            tally = after;
        }
    }
    let parsed = match parser.await {
        Ok(parsed) => parsed,
        Err(join) => Err(format!("reading the file failed unexpectedly: {join}")),
    };
    Ok(match parsed {
        Ok(ParseEnd::Finished) => Outcome::Finished(Finish {
            status: TaskStatus::Completed,
            counts: Some(tally.progress.counts),
            error_summary: tally.final_summary(None),
            file_name: None,
        }),
        Ok(ParseEnd::Stopped) => Outcome::Stopped,
        Err(reason) => failed(&tally, &reason),
    })
}

async fn export<S: WorkStore>(
    context: &Context<S>,
    claim: &Claim,
    task: &Task,
    stopped: &mut watch::Receiver<bool>,
) -> Result<Outcome, StoreError> {
    let schema = Schema::of(task.entity_type);
    let file_name = task.file_name.clone().unwrap_or_else(|| {
        format!(
            "{}-{}.{}",
            task.entity_type.as_str().to_lowercase(),
            task.id,
            extension(task.file_type)
        )
    });
    let failure = |what: &str, err: &dyn std::fmt::Display| {
        failed(
            &Tally::resume(task),
            &format!("{what} the export file failed: {err}"),
        )
    };
    let files = &context.config.files;
    let key = files.export_key(&task.id, task.file_type);
    let mut upload = match files
        .create(&key, content_type(task.file_type), Some(&file_name))
        .await
    {
        Ok(upload) => upload,
        Err(err) => return Ok(failure("storing", &err)),
    };
    let mut encoder = ExportEncoder::new(task.file_type, schema);
    match encoder.start() {
        Ok(bytes) => upload.put(bytes.into()),
        Err(err) => return Ok(failure("writing", &err)),
    }
    let mut after = RecordCursor::default();
    let mut written: i64 = 0;
    // Every way out but the end abandons the upload: nothing half-written appears.
    let abandon = |upload: object_store::WriteMultipart, outcome: Outcome| async move {
        if let Err(err) = upload.abort().await {
            tracing::warn!(error = %err, "could not abort an export upload");
        }
        Ok(outcome)
    };
    loop {
        if *stopped.borrow() {
            return abandon(upload, Outcome::Stopped).await;
        }
        let page = match context
            .store
            .records_page(
                &claim.scope,
                schema,
                &after,
                context.config.chunk_size as i64,
            )
            .await
        {
            Ok(page) => page,
            Err(err) => {
                let _ = upload.abort().await;
                return Err(err);
            }
        };
        if page.records.is_empty() {
            break;
        }
        after = page.last;
        written += page.records.len() as i64;
        match encoder.encode(&page.records) {
            Ok(bytes) => upload.put(bytes.into()),
            Err(err) => return abandon(upload, failure("writing", &err)).await,
        }
        // Parts go up while the next page is read; at most two wait at once.
        if let Err(err) = upload.wait_for_capacity(2).await {
            return abandon(upload, failure("storing", &err)).await;
        }
        let progress = Progress {
            counts: Counts::all_successful(written),
            error_summary: None,
        };
        if !context
            .store
            .write_import_chunk(claim, schema, &[], |_| progress.clone())
            .await?
        {
            return abandon(upload, Outcome::Lost).await;
        }
    }
    upload.put(encoder.end().into());
    if let Err(err) = upload.finish().await {
        return Ok(failure("storing", &err));
    }
    Ok(Outcome::Finished(Finish {
        status: TaskStatus::Completed,
        counts: Some(Counts::all_successful(written)),
        error_summary: None,
        file_name: Some(file_name),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_summaries_are_capped_and_say_what_is_hidden() {
        let mut tally = Tally {
            progress: Progress::default(),
            lines: 0,
        };
        let failures: Vec<(i64, String)> = (1..=150)
            .map(|n| (n, "name is required".to_owned()))
            .collect();
        tally = tally.after_chunk(200, 50, &failures);
        assert_eq!(tally.progress.counts.failed, 150);
        assert_eq!(tally.progress.counts.successful, 50);
        let summary = tally.final_summary(None).unwrap();
        let lines: Vec<&str> = summary.lines().collect();
        assert_eq!(lines.len(), MAX_ERROR_LINES + 1);
        assert_eq!(lines[0], "Record 1: name is required");
        assert_eq!(lines[MAX_ERROR_LINES], "… and 50 more failed records");
        let failed = tally.final_summary(Some("the download stopped")).unwrap();
        assert!(failed.starts_with("the download stopped\nRecord 1:"));
    }
}
