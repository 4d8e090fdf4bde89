//! Roundtable notes typed together on several devices (Automerge text, merged at each sync).

use crate::{Device, LinliError, id};

/// A shared notes draft for a roundtable.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NotesDraftItem {
    /// Draft id.
    pub id: String,
    /// The roundtable's topic.
    pub topic: String,
    /// The text as merged so far.
    pub text: String,
}

#[uniffi::export]
impl Device {
    /// Opens a shared notes draft for a roundtable; the other participants' devices see it after
    /// their next sync. Returns the draft id.
    pub fn notes_open(&self, cycle_id: String, topic: String) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let draft = self
            .store()?
            .notes_open(cycle, &topic)
            .map_err(self.err())?;
        self.notify(cycle, "action", 0);
        Ok(draft.to_string())
    }

    /// Edits a draft: deletes `delete` characters at `at` (a Chinese character counts as one)
    /// and inserts `insert` there. Returns the text after the edit. Edits typed at the same time
    /// on other devices merge at the next sync.
    pub fn notes_edit(
        &self,
        cycle_id: String,
        draft_id: String,
        at: u32,
        delete: u32,
        insert: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let text = self
            .store()?
            .notes_edit(
                cycle,
                id(&draft_id, "draft")?,
                at as usize,
                delete as usize,
                &insert,
            )
            .map_err(self.err())?;
        self.notify(cycle, "action", 0);
        Ok(text)
    }

    /// Every notes draft of a cycle, oldest first.
    pub fn notes(&self, cycle_id: String) -> Result<Vec<NotesDraftItem>, LinliError> {
        let drafts = self
            .store()?
            .notes(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(drafts
            .into_iter()
            .map(|d| NotesDraftItem {
                id: d.id.to_string(),
                topic: d.topic,
                text: d.text,
            })
            .collect())
    }
}
