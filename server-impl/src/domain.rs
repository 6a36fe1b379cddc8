//! The service's own data: a task and the tenant scope it lives in. The
//! vocabulary (task types, statuses, …) is the generated API's enums.

use chrono::{DateTime, SecondsFormat, Utc};
use flexprice_api::{EntityType, FileType, Status, TaskStatus, TaskType};

/// A tenant and environment: every task belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub tenant_id: String,
    pub environment_id: String,
}

/// Record counts of an import or export run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: i64,
    pub processed: i64,
    pub successful: i64,
    pub failed: i64,
}

impl Counts {
    /// `n` records, all handled successfully (an export).
    pub fn all_successful(n: i64) -> Counts {
        Counts {
            total: n,
            processed: n,
            successful: n,
            failed: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub scope: Scope,
    pub task_type: TaskType,
    pub entity_type: EntityType,
    pub file_url: String,
    pub file_name: Option<String>,
    pub file_type: FileType,
    pub task_status: TaskStatus,
    pub status: Status,
    pub workflow_id: String,
    pub run_id: String,
    pub scheduled_task_id: Option<String>,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// `None` until a run has counted anything.
    pub counts: Option<Counts>,
    pub error_summary: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_by: String,
}

/// The moves between task states the real service allows.
pub fn transition_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    matches!(
        (from, to),
        (Pending, Processing)
            | (Pending, Failed)
            | (Processing, Completed)
            | (Processing, Failed)
            | (Failed, Processing)
    )
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text, so that text order is time order.
pub fn timestamp_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A new prefixed, sortable id: `prefix` + `_` + ULID.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::generate())
}

/// Now, at the precision timestamps are stored with.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        use TaskStatus::*;
        let allowed: Vec<(TaskStatus, TaskStatus)> = TaskStatus::ALL
            .iter()
            .flat_map(|from| TaskStatus::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| transition_allowed(*from, *to))
            .collect();
        assert_eq!(
            allowed,
            [
                (Pending, Processing),
                (Pending, Failed),
                (Processing, Completed),
                (Processing, Failed),
                (Failed, Processing)
            ]
        );
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = DateTime::parse_from_rfc3339("2025-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2025-01-02T03:04:05.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp_text(a), "2025-01-02T03:04:05.000000Z");
        assert!(timestamp_text(a) < timestamp_text(b));
    }

    #[test]
    fn ids_are_prefixed_ulids() {
        let id = new_id("task");
        assert!(id.starts_with("task_"));
        assert_eq!(id.len(), "task_".len() + 26);
    }
}
