//! Opening a store: the database, the device key, the numbered migrations, and the rebuild of
//! views an upgrade or an interrupted session calls for.

use super::*;
use crate::identity::{FileKeyStore, KeyStore};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use uuid::Uuid;

impl Store {
    /// Opens (creating if needed) the database at `path`, with the secret key in `<path>.key`.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        Store::open_with_keys(path, &FileKeyStore::beside(path))
    }

    /// Opens the database at `path` with a shell-supplied key store.
    pub fn open_with_keys(path: impl AsRef<Path>, keys: &dyn KeyStore) -> Result<Store> {
        let conn = Connection::open(path.as_ref())?;
        Store::from_connection(conn, keys)
    }

    /// Opens a private in-memory store (for tests and simulations).
    pub fn open_in_memory(keys: &dyn KeyStore) -> Result<Store> {
        Store::from_connection(Connection::open_in_memory()?, keys)
    }

    fn from_connection(mut conn: Connection, keys: &dyn KeyStore) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let checkpoints = checkpoint::Checkpoints::install(&mut conn)?;
        let secret = DeviceSecret::from_seed(&keys.load_or_create_seed()?);
        let key = secret.public();
        let tx = WriteTx::begin(&conn)?;
        let found: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > schema::VERSION {
            return Err(StoreError::SchemaTooNew {
                found,
                supported: schema::VERSION,
            });
        }
        let rebuild = schema::upgrade(&tx, found, schema::VERSION)? && found > 0;
        let stored: Option<String> = tx
            .query_row("SELECT public_key FROM device WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        match stored {
            None => {
                tx.execute(
                    "INSERT INTO device (id, public_key, next_seq) VALUES (1, ?1, 1)",
                    [key.to_hex()],
                )?;
            }
            Some(s) if s != key.to_hex() => {
                return Err(StoreError::WrongDevice {
                    stored: s,
                    given: key.to_hex(),
                });
            }
            Some(_) => {}
        }
        let actor = docs::actor(&tx)?;
        let mut inner = Inner {
            conn: Connection::open_in_memory()?,
            secret,
            caches: HashMap::new(),
            fault: None,
            docs: docs::DocCache::default(),
            actor,
        };
        // After an upgrade every cycle's views are rebuilt; after a session that was cut while
        // its fold was deferred, that cycle's.
        let stale: Vec<Uuid> = {
            let mut stmt = tx.prepare("SELECT cycle_id FROM cycles WHERE stale = 1")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.filter_map(|r| r.ok().and_then(|s| Uuid::parse_str(&s).ok()))
                .collect()
        };
        for (cycle, genesis) in cycle_roots(&tx)? {
            if !rebuild && !stale.contains(&cycle) {
                continue;
            }
            let mut cache = load_cache(&tx, cycle, genesis)?;
            if rebuild {
                for c in &cache.records {
                    if let Ok(r) = &c.record {
                        index_blob_refs(&tx, cycle, r)?;
                    }
                }
            }
            cache.state.dirty.all = true;
            write_views(&tx, &mut cache)?;
        }
        tx.commit()?;
        inner.conn = conn;
        Ok(Store {
            inner: Mutex::new(inner),
            key,
            checkpoints,
        })
    }
}

pub(super) fn cycle_roots(conn: &Connection) -> Result<Vec<(Uuid, Uuid)>> {
    let mut stmt = conn.prepare("SELECT cycle_id, genesis_id FROM cycles ORDER BY cycle_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (c, g) = row?;
        if let (Ok(c), Ok(g)) = (Uuid::parse_str(&c), Uuid::parse_str(&g)) {
            out.push((c, g));
        }
    }
    Ok(out)
}
