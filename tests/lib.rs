//! Helpers shared by the workspace tests.

use std::path::PathBuf;

/// The workspace root (the directory holding `openapi/` and `generated/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the workspace")
        .to_path_buf()
}
