//! The Tasks service. For now it only reports what the generated crate
//! provides; the HTTP server comes with the generated router (see the issues).

use flexprice_api::{EntityType, TaskStatus, TaskType};

fn main() {
    println!("Flexprice Tasks service (models only so far)");
    println!(
        "task types: {}",
        TaskType::ALL.map(TaskType::as_str).join(", ")
    );
    println!(
        "entity types: {}",
        EntityType::ALL.map(EntityType::as_str).join(", ")
    );
    println!(
        "task states: {}",
        TaskStatus::ALL.map(TaskStatus::as_str).join(", ")
    );
}
