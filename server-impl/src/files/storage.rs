//! Where export files and imports' staged copies live: an object store
//! (`object_store`), the data directory by default, an S3-compatible bucket
//! by configuration. Exports are uploaded in parts as they are written and
//! appear whole or not at all; a bucket presigns download links, the local
//! store's files are served by this server behind its own signed links.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use flexprice_api::FileType;
use futures_util::{Stream, StreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMultipartOptions, WriteMultipart,
};

use super::export::extension;

#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Keys are under this prefix (a bucket's `s3://bucket/prefix`).
    prefix: Option<Path>,
    /// Set for a bucket: download links are its presigned URLs.
    signer: Option<Arc<AmazonS3>>,
    /// Set for the local store: the directory its keys are files under.
    root: Option<PathBuf>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.store)
    }
}

impl FileStore {
    /// The store `url` names (`s3://bucket[/prefix]`), configured by
    /// `options` (object_store's S3 keys: `endpoint`, `region`,
    /// `access_key_id`, `secret_access_key`, `allow_http`, …) and the usual
    /// `AWS_*` variables; without a URL, files under `data_dir`.
    pub fn open(
        url: Option<&str>,
        options: &[(String, String)],
        data_dir: &FsPath,
    ) -> Result<FileStore, String> {
        let Some(url) = url else {
            std::fs::create_dir_all(data_dir)
                .map_err(|err| format!("cannot create {}: {err}", data_dir.display()))?;
            // Deleting a staged copy also removes the directories it leaves empty.
            let local = LocalFileSystem::new_with_prefix(data_dir)
                .map_err(|err| format!("cannot use {} for files: {err}", data_dir.display()))?
                .with_automatic_cleanup(true);
            return Ok(FileStore {
                store: Arc::new(local),
                prefix: None,
                signer: None,
                root: Some(data_dir.to_path_buf()),
            });
        };
        let parsed =
            url::Url::parse(url).map_err(|err| format!("the file store URL `{url}`: {err}"))?;
        if parsed.scheme() != "s3" {
            return Err(format!(
                "the file store URL must be s3://BUCKET[/PREFIX], not `{url}`"
            ));
        }
        let bucket = parsed
            .host_str()
            .filter(|bucket| !bucket.is_empty())
            .ok_or_else(|| format!("the file store URL `{url}` names no bucket"))?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in options {
            let key: AmazonS3ConfigKey = key
                .parse()
                .map_err(|_| format!("`{key}` is not an S3 option of object_store"))?;
            builder = builder.with_config(key, value);
        }
        let s3 = Arc::new(builder.build().map_err(|err| err.to_string())?);
        let prefix = parsed.path().trim_matches('/');
        Ok(FileStore {
            store: Arc::clone(&s3) as Arc<dyn ObjectStore>,
            prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
            signer: Some(s3),
            root: None,
        })
    }

    fn key(&self, relative: &str) -> Path {
        match &self.prefix {
            Some(prefix) => Path::from(format!("{prefix}/{relative}")),
            None => Path::from(relative),
        }
    }

    /// Where the export of `task_id` is kept.
    pub fn export_key(&self, task_id: &str, file_type: FileType) -> Path {
        self.key(&format!("exports/{task_id}.{}", extension(file_type)))
    }

    /// Where a run of an import keeps its copy of the file.
    pub fn staging_key(&self, task_id: &str, run_id: &str) -> Path {
        self.key(&format!("imports/{task_id}/{run_id}"))
    }

    /// Starts an upload to `key`; it appears when finished. A bucket is told
    /// the type and the file name downloads should carry.
    pub async fn create(
        &self,
        key: &Path,
        content_type: &str,
        file_name: Option<&str>,
    ) -> object_store::Result<WriteMultipart> {
        let mut attributes = Attributes::new();
        // The local store takes no attributes; this server sets the headers.
        if self.root.is_none() {
            attributes.insert(Attribute::ContentType, content_type.to_owned().into());
            if let Some(name) = file_name {
                attributes.insert(
                    Attribute::ContentDisposition,
                    content_disposition(name).into(),
                );
            }
        }
        let options = PutMultipartOptions {
            attributes,
            ..PutMultipartOptions::default()
        };
        let upload = self.store.put_multipart_opts(key, options).await?;
        Ok(WriteMultipart::new(upload))
    }

    pub async fn exists(&self, key: &Path) -> object_store::Result<bool> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// A presigned download URL, for a store that makes them (a bucket).
    pub async fn presigned_url(
        &self,
        key: &Path,
        valid_for: Duration,
    ) -> Option<object_store::Result<url::Url>> {
        let signer = self.signer.as_ref()?;
        Some(
            signer
                .signed_url(axum::http::Method::GET, key, valid_for)
                .await,
        )
    }

    /// The file behind `key`, for the local store.
    pub fn local_path(&self, key: &Path) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        Some(
            key.parts()
                .fold(root.clone(), |path, part| path.join(part.as_ref())),
        )
    }

    /// The object's bytes as a stream.
    pub async fn read(
        &self,
        key: &Path,
    ) -> object_store::Result<impl Stream<Item = Result<Bytes, String>> + Send + 'static> {
        let stream = self.store.get(key).await?.into_stream();
        Ok(stream
            .map(|piece| piece.map_err(|err| format!("reading the staged file failed: {err}"))))
    }

    /// Removes `key`; a missing one is no error.
    pub async fn delete(&self, key: &Path) -> object_store::Result<()> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// `attachment; filename="…"` with the name's quotes and controls replaced.
pub fn content_disposition(file_name: &str) -> String {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("attachment; filename=\"{safe}\"")
}
