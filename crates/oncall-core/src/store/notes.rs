use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx};
use crate::domain::{Incident, IncidentId, Note, NoteId};

const COLUMNS: &str = "id, incident_id, author, body, created_at, after_ack, psa_note_id";

impl Tx<'_> {
    /// Stores a checked note on `incident`, written at `now`.
    pub fn insert_note(
        &self,
        incident: &Incident,
        author: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<Note, StoreError> {
        self.0.execute(
            "INSERT INTO notes (incident_id, author, body, created_at, after_ack)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![incident.id.0, author, body, now, incident.is_acknowledged()],
        )?;
        self.note(NoteId(self.0.last_insert_rowid()))
    }

    /// The note with this id.
    pub fn note(&self, id: NoteId) -> Result<Note, StoreError> {
        self.0
            .query_row(
                &format!("SELECT {COLUMNS} FROM notes WHERE id = ?1"),
                [id.0],
                note_row,
            )
            .optional()?
            .ok_or(StoreError::UnknownNote(id))
    }

    /// The notes of an incident, oldest first.
    pub fn notes(&self, incident: IncidentId) -> Result<Vec<Note>, StoreError> {
        let mut stmt = self.0.prepare(&format!(
            "SELECT {COLUMNS} FROM notes WHERE incident_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([incident.0], note_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: NoteId(r.get(0)?),
        incident_id: IncidentId(r.get(1)?),
        author: r.get(2)?,
        body: r.get(3)?,
        created_at: r.get(4)?,
        after_ack: r.get(5)?,
        psa_note_id: r.get(6)?,
    })
}
