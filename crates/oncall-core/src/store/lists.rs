//! The incident list as a front end pages through it: filters, full-text search (FTS5), a stable
//! newest-first order, and each row's sync state in the same query.

use rusqlite::{ToSql, params_from_iter};

use super::{StoreError, Tx, enum_name, parse_col};
use crate::{
    domain::IncidentId,
    view::{IncidentPage, IncidentQuery, IncidentRow},
};

/// The most rows one page may hold.
pub const PAGE_MAX: u32 = 1000;

impl Tx<'_> {
    /// One page of the incidents matching `query`, newest first, with how many match in all.
    pub fn incident_page(&self, query: &IncidentQuery) -> Result<IncidentPage, StoreError> {
        let (filter, args) = filter_sql(query);
        let total: i64 = self.0.query_row(
            &format!("SELECT count(*) FROM incidents i WHERE {filter}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT i.id, i.title, i.severity, i.status, i.tenant_id, t.company, i.created_at,
                    i.psa_ticket_id,
                    CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.state = 'refused'
                                      AND o.incident_id = i.id) THEN 'refused'
                         WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.state = 'pending'
                                      AND o.incident_id = i.id) THEN 'waiting'
                         WHEN i.syncs_to_psa THEN 'synced'
                         ELSE 'local' END
             FROM incidents i JOIN tenants t ON t.id = i.tenant_id
             WHERE {filter}
             ORDER BY i.id DESC LIMIT {} OFFSET {}",
            query.limit.min(PAGE_MAX),
            query.offset
        ))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(IncidentRow {
                id: IncidentId(r.get(0)?),
                title: r.get(1)?,
                severity: parse_col(r, 2, str::parse)?,
                status: parse_col(r, 3, str::parse)?,
                tenant_id: r.get(4)?,
                company: r.get(5)?,
                created_at: r.get(6)?,
                psa_ticket_id: r.get(7)?,
                sync: parse_col(r, 8, enum_name)?,
            })
        })?;
        Ok(IncidentPage {
            total: u32::try_from(total).unwrap_or(u32::MAX),
            rows: rows.collect::<Result<_, _>>()?,
        })
    }
}

/// The WHERE clause of a query over `incidents i`, with its arguments in order.
fn filter_sql(query: &IncidentQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let mut clauses = vec!["1".to_owned()];
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut arg = |clause: &str, value: Box<dyn ToSql>, clauses: &mut Vec<String>| {
        args.push(value);
        clauses.push(clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(status) = query.status {
        arg("i.status = ?", Box::new(status.as_str()), &mut clauses);
    }
    if let Some(severity) = query.severity {
        arg("i.severity = ?", Box::new(severity.as_str()), &mut clauses);
    }
    if let Some(tenant) = &query.tenant_id {
        arg("i.tenant_id = ?", Box::new(tenant.clone()), &mut clauses);
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // One set of matching ids, so that SQLite walks the matches instead of testing every
        // incident against each alternative (the count and the page both profit).
        let mut sources = Vec::new();
        if let Some(fts) = fts_query(search) {
            args.push(Box::new(fts));
            let n = args.len();
            sources.push(format!(
                "SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?{n}
                 UNION SELECT n.incident_id FROM notes n WHERE n.id IN
                     (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?{n})"
            ));
        }
        args.push(Box::new(search.to_owned()));
        let n = args.len();
        sources.push(format!(
            "SELECT id FROM incidents WHERE psa_ticket_id = ?{n}"
        ));
        if let Ok(id) = search.trim_start_matches('#').parse::<i64>() {
            sources.push(format!("SELECT {id}"));
        }
        clauses.push(format!("i.id IN ({})", sources.join(" UNION ")));
    }
    (clauses.join(" AND "), args)
}

/// What a person typed as an FTS5 query: every word must appear, each as a prefix; FTS5's own
/// syntax is not exposed (a quote or a star in the text is just text).
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.replace('"', ""))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::fts_query;

    #[test]
    fn words_become_prefixes_that_must_all_match() {
        assert_eq!(
            fts_query("cpu  client-serv").as_deref(),
            Some("\"cpu\"* \"client-serv\"*")
        );
        assert_eq!(fts_query(" \" * - "), None);
    }

    proptest! {
        #[test]
        fn any_text_makes_a_query_without_stray_quotes(text in ".{0,80}") {
            if let Some(q) = fts_query(&text) {
                prop_assert_eq!(q.matches('"').count() % 2, 0);
            }
        }
    }
}
