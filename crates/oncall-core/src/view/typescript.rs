//! The UI's TypeScript types, generated from the Rust types that cross to it: ids are numbers,
//! timestamps RFC 3339 strings. `ui/src/bindings/` holds the output, checked in; a test fails
//! when it is stale.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use super::{
    AppInfo, Changed, IncidentPage, IncidentQuery, IncidentView, PsaState, ResolvePreview,
    SettingsInput, SettingsView, StatusBar, SyncLogEntry, TenantInput, TenantView, TimeInput,
    UiError, WizardStepView,
};
use crate::domain::{NewIncident, Tenant};

/// Writes every type the UI uses, with the types they depend on, into `dir`, one file each.
pub fn write_all(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    IncidentQuery::export_all(&cfg)?;
    IncidentPage::export_all(&cfg)?;
    IncidentView::export_all(&cfg)?;
    NewIncident::export_all(&cfg)?;
    Tenant::export_all(&cfg)?;
    TenantView::export_all(&cfg)?;
    TenantInput::export_all(&cfg)?;
    SyncLogEntry::export_all(&cfg)?;
    Changed::export_all(&cfg)?;
    PsaState::export_all(&cfg)?;
    StatusBar::export_all(&cfg)?;
    UiError::export_all(&cfg)?;
    AppInfo::export_all(&cfg)?;
    SettingsView::export_all(&cfg)?;
    SettingsInput::export_all(&cfg)?;
    WizardStepView::export_all(&cfg)?;
    TimeInput::export_all(&cfg)?;
    ResolvePreview::export_all(&cfg)?;
    Ok(())
}
