//! Roundtable notes typed together. While a roundtable sits, the recorder and the participants
//! type into one shared draft from their own phones and tablets, offline, and sync whenever they
//! meet; concurrent edits merge character by character (Automerge text) instead of one version
//! winning. Drafts live in the cycle's `notes` document ([`DocId::NOTES`]), which syncs in the
//! same sessions as the records. A draft is working text, not a record: it is not signed and
//! counts for nothing. When the roundtable ends, the recorder signs a roundtable record whose
//! `notes` field is the draft's final text, and that record is what every device verifies.

use super::WriteTx;
use super::docs::{self, DocId};
use super::{Result, Store, StoreError};
use crate::exclusion::Exclusion;
use crate::text;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use serde::Serialize;
use uuid::Uuid;

/// A shared notes draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotesDraft {
    /// Draft id.
    pub id: Uuid,
    /// The roundtable's topic.
    pub topic: String,
    /// The text as merged so far.
    pub text: String,
}

fn doc_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Document {
        doc: DocId::NOTES.name(),
        detail: e.to_string(),
    }
}

fn unknown_draft(draft: Uuid) -> StoreError {
    StoreError::Rejected(Exclusion::Malformed {
        detail: format!("no notes draft {draft} in this cycle"),
    })
}

/// The draft's map and text objects, when the document holds a well-formed draft under `id`
/// (anything else a peer wrote there is ignored).
fn objects(doc: &AutoCommit, id: Uuid) -> Option<(ObjId, ObjId)> {
    let (Value::Object(ObjType::Map), draft) = doc.get(ROOT, id.to_string()).ok()?? else {
        return None;
    };
    match doc.get(&draft, "text").ok()?? {
        (Value::Object(ObjType::Text), text) => Some((draft, text)),
        _ => None,
    }
}

fn read(doc: &AutoCommit, id: Uuid) -> Option<NotesDraft> {
    let (draft, text) = objects(doc, id)?;
    let topic = match doc.get(&draft, "topic").ok()?? {
        (Value::Scalar(s), _) => s.as_str().unwrap_or_default().to_string(),
        _ => String::new(),
    };
    Some(NotesDraft {
        id,
        topic,
        text: doc.text(&text).ok()?,
    })
}

impl Store {
    /// Opens a shared notes draft for a roundtable on `topic`. Returns the draft id, which the
    /// other participants' devices see after their next sync.
    pub fn notes_open(&self, cycle: Uuid, topic: &str) -> Result<Uuid> {
        text::check("topic", topic, 1, text::SHORT)?;
        let id = Uuid::now_v7();
        self.notes_change(cycle, |doc| {
            let draft = doc
                .put_object(ROOT, id.to_string(), ObjType::Map)
                .map_err(doc_err)?;
            doc.put(&draft, "topic", topic.trim()).map_err(doc_err)?;
            doc.put_object(&draft, "text", ObjType::Text)
                .map_err(doc_err)?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Edits a draft: deletes `delete` characters at `at` (counted in characters, so a Chinese
    /// character is one) and inserts `insert` there. Returns the draft's text after the edit.
    /// Concurrent edits from other devices merge at the next sync.
    pub fn notes_edit(
        &self,
        cycle: Uuid,
        draft: Uuid,
        at: usize,
        delete: usize,
        insert: &str,
    ) -> Result<String> {
        text::check("notes", insert, 0, text::NOTES)?;
        let mut out = String::new();
        self.notes_change(cycle, |doc| {
            let current = read(doc, draft).ok_or_else(|| unknown_draft(draft))?;
            let len = current.text.chars().count();
            if at > len || delete > len - at {
                return Err(StoreError::Rejected(Exclusion::Malformed {
                    detail: format!(
                        "edit at {at} deleting {delete} is outside the {len} characters of the notes"
                    ),
                }));
            }
            if len - delete + insert.chars().count() > text::NOTES {
                return Err(StoreError::Rejected(Exclusion::TextTooLong {
                    field: "notes".into(),
                    max: text::NOTES,
                    len: len - delete + insert.chars().count(),
                }));
            }
            let (_, text_obj) = objects(doc, draft).ok_or_else(|| unknown_draft(draft))?;
            doc.splice_text(&text_obj, at, delete as isize, insert)
                .map_err(doc_err)?;
            out = doc.text(&text_obj).map_err(doc_err)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Every notes draft of a cycle, oldest first.
    pub fn notes(&self, cycle: Uuid) -> Result<Vec<NotesDraft>> {
        let mut g = self.lock();
        let inner = &mut *g;
        super::genesis_of(&inner.conn, cycle)?;
        let doc = inner
            .docs
            .get(&inner.conn, &inner.actor, cycle, DocId::NOTES)?;
        let mut out: Vec<NotesDraft> = doc
            .keys(ROOT)
            .filter_map(|k| Uuid::parse_str(&k).ok())
            .filter_map(|id| read(doc, id))
            .collect();
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Applies one local change to the notes document and stores it, in one transaction. A
    /// failed change is rolled back in memory too (the document is dropped from the cache).
    fn notes_change(
        &self,
        cycle: Uuid,
        change: impl FnOnce(&mut AutoCommit) -> Result<()>,
    ) -> Result<()> {
        // Only members type into a cycle's notes.
        {
            let mut g = self.lock();
            let inner = &mut *g;
            let cache = super::take_cache(inner, cycle)?;
            let on_roll = cache.state.member_of(&self.key).is_some();
            inner.caches.insert(cycle, cache);
            if !on_roll {
                return Err(StoreError::NotOnRoll(cycle));
            }
        }
        let mut g = self.lock();
        let inner = &mut *g;
        let tx = WriteTx::begin(&inner.conn)?;
        let doc = inner.docs.get(&tx, &inner.actor, cycle, DocId::NOTES)?;
        let before = doc.get_heads();
        let result = change(doc).and_then(|()| {
            doc.commit();
            docs::persist(&tx, cycle, DocId::NOTES, doc, &before, 0, None)
        });
        match result {
            Ok(weight) => {
                if let Some(w) = weight {
                    inner.docs.set_weight(cycle, DocId::NOTES, w);
                }
                tx.commit()?;
                Ok(())
            }
            Err(e) => {
                drop(tx);
                inner.docs.forget(cycle, DocId::NOTES);
                Err(e)
            }
        }
    }
}
