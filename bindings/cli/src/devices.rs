//! Simulated devices for the demo and the system tests: each device is its own SQLite file and key,
//! and devices exchange records by exporting and importing them (what a bundle carries).

use linli_core::record::Body;
use linli_core::record::roll::{Role, RollEntry};
use linli_core::store::{Store, StoreError};
use linli_core::sync::{self, Progress, SessionOptions, SyncError};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// One simulated device: a store and the member it belongs to.
pub struct Device {
    /// Who holds it (for printing).
    pub name: String,
    /// Its store.
    pub store: Arc<Store>,
    /// Its member id on the roll.
    pub member: Uuid,
}

impl Device {
    /// Opens a new device database `<dir>/<file>.db`.
    pub fn open(dir: &Path, file: &str, name: &str) -> Result<Device, StoreError> {
        Ok(Device {
            name: name.to_string(),
            store: Arc::new(Store::open(dir.join(format!("{file}.db")))?),
            member: Uuid::now_v7(),
        })
    }

    /// Performs an action on this device.
    pub fn act(&self, cycle: Uuid, body: Body) -> Result<Uuid, StoreError> {
        self.store.submit(cycle, body)
    }
}

/// Exchanges all records of `cycle` between two devices, both ways. Returns records moved.
pub fn exchange(a: &Device, b: &Device, cycle: Uuid) -> Result<usize, StoreError> {
    let to_b = b.store.import(cycle, &a.store.export(cycle)?)?;
    let to_a = a.store.import(cycle, &b.store.export(cycle)?)?;
    Ok(to_a.new + to_b.new)
}

/// A sync session between two devices in this process: `a` initiates (a phone), `b` answers (a
/// tablet). `a` resumes from the state it saved for `b` last time. Returns `a`'s progress.
pub fn meet(a: &Device, b: &Device) -> Result<Progress, SyncError> {
    let opts = SessionOptions {
        peer_hint: Some(b.store.device_key()),
        ..SessionOptions::default()
    };
    Ok(sync::sync_pair(&a.store, &b.store, opts)?.0)
}

/// The cadre on `cadre` registers `who` on the roll with `roles`.
pub fn register(
    cadre: &Device,
    who: &Device,
    cycle: Uuid,
    roles: &[Role],
) -> Result<Uuid, StoreError> {
    cadre.act(
        cycle,
        Body::RollEntry(RollEntry {
            member: who.member,
            display_name: who.name.clone(),
            device_key: Some(who.store.device_key()),
            age_band: None,
            roles: roles.iter().copied().collect(),
            age_15_plus: true,
            attestation: "当面核验身份 / identity checked in person".into(),
        }),
    )
}
