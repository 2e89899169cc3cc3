//! The commands the UI invokes: each parses, calls the core, and answers. Actions answer with the
//! incident screen as it now stands; every change also reaches the UI through the change feed.

use std::sync::Arc;

use oncall_core::{
    DeskError,
    domain::{IncidentId, ManualEntry, NewIncident},
    live::settings::{self, settings_view},
    problem::ErrorCode,
    service::{Acted, EntryChanges, TimeChange},
    view::{
        AppInfo, IncidentPage, IncidentQuery, IncidentView, ResolvePreview, SettingsInput,
        SettingsView, StatusBar, SyncLogEntry, TenantInput, TenantView, TimeInput, UiError,
        WizardStepView,
    },
};
use serde::Deserialize;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::{
    fixes,
    state::{App, StartupProblem},
};

type Answer<T> = Result<T, UiError>;

/// Every command, for the invoke handler.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_info,
        status,
        list_incidents,
        incident,
        new_incident,
        acknowledge,
        add_note,
        save_draft,
        resolve_preview,
        resolve,
        link_ticket,
        timer,
        add_time,
        edit_time,
        delete_time,
        confirm_time,
        tenants,
        save_tenant,
        settings,
        save_settings,
        run_wizard,
        sync_now,
        retry_write,
        sync_log,
        psa_ticket,
        ui_painted,
        startup_problem,
        quit,
    ]
}

/// Runs `f` on a blocking thread: the database and the keychain wait on disk and D-Bus.
async fn off_ui<T: Send + 'static>(
    app: &State<'_, Arc<App>>,
    f: impl FnOnce(&App) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| fixes::own(ErrorCode::Internal, e.to_string(), None))?
}

/// Runs an action on an incident, then answers with its screen.
async fn act(
    app: &State<'_, Arc<App>>,
    id: IncidentId,
    f: impl FnOnce(&App, &mut oncall_core::Desk) -> Answer<()> + Send + 'static,
) -> Answer<IncidentView> {
    off_ui(app, move |app| {
        let mut result = Ok(());
        app.live
            .act(Some(id), |desk| {
                result = f(app, desk);
                Ok(())
            })
            .map_err(|e| fixes::desk(&e))?;
        result?;
        app.live
            .read(|d| d.incident_view(id))
            .map_err(|e| fixes::desk(&e))
    })
    .await
}

fn desk_err(e: DeskError) -> UiError {
    fixes::desk(&e)
}

#[tauri::command]
async fn app_info(app: State<'_, Arc<App>>) -> Answer<AppInfo> {
    off_ui(&app, |app| {
        Ok(AppInfo {
            demo: app.demo.is_some(),
            technician: app.technician().ok(),
            default_tenant: app.setting(oncall_core::settings::SettingKey::DefaultTenant),
            db_path: app.live.db_path().display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    })
    .await
}

#[tauri::command]
async fn status(app: State<'_, Arc<App>>) -> Answer<StatusBar> {
    off_ui(&app, |app| app.live.status().map_err(desk_err)).await
}

#[tauri::command]
async fn list_incidents(app: State<'_, Arc<App>>, query: IncidentQuery) -> Answer<IncidentPage> {
    off_ui(&app, move |app| {
        app.live.read(|d| d.incident_page(&query)).map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn incident(app: State<'_, Arc<App>>, id: IncidentId) -> Answer<IncidentView> {
    off_ui(&app, move |app| {
        app.live.read(|d| d.incident_view(id)).map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn new_incident(app: State<'_, Arc<App>>, input: NewIncident) -> Answer<IncidentView> {
    off_ui(&app, move |app| {
        let created = app
            .live
            .act(None, |d| d.new_incident(&input))
            .map_err(desk_err)?;
        app.live
            .read(|d| d.incident_view(created.id))
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn acknowledge(app: State<'_, Arc<App>>, id: IncidentId) -> Answer<IncidentView> {
    act(&app, id, move |app, d| {
        let tech = app.technician()?;
        d.acknowledge(id, &tech).map(|_| ()).map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn add_note(app: State<'_, Arc<App>>, id: IncidentId, body: String) -> Answer<IncidentView> {
    act(&app, id, move |app, d| {
        let tech = app.technician()?;
        d.add_note(id, &tech, &body).map(|_| ()).map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn save_draft(app: State<'_, Arc<App>>, id: IncidentId, body: String) -> Answer<()> {
    off_ui(&app, move |app| {
        app.live
            .act(None, |d| d.save_draft(id, &body))
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn resolve_preview(app: State<'_, Arc<App>>, id: IncidentId) -> Answer<ResolvePreview> {
    off_ui(&app, move |app| {
        let tech = app.technician()?;
        app.live
            .read(|d| d.resolve_preview(id, &tech))
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn resolve(
    app: State<'_, Arc<App>>,
    id: IncidentId,
    summary: Option<String>,
    minutes: Option<i64>,
) -> Answer<IncidentView> {
    act(&app, id, move |app, d| {
        let tech = app.technician()?;
        let summary = summary.filter(|s| !s.trim().is_empty());
        d.resolve_billing(id, &tech, summary.as_deref(), minutes)
            .map(|_| ())
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn link_ticket(
    app: State<'_, Arc<App>>,
    id: IncidentId,
    ticket_id: String,
) -> Answer<IncidentView> {
    act(&app, id, move |_, d| {
        d.link(id, ticket_id.trim()).map(|_| ()).map_err(desk_err)
    })
    .await
}

/// What the timer button does.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TimerAction {
    Start,
    Pause,
    Stop,
}

#[tauri::command]
async fn timer(
    app: State<'_, Arc<App>>,
    id: IncidentId,
    action: TimerAction,
) -> Answer<IncidentView> {
    act(&app, id, move |app, d| {
        let tech = app.technician()?;
        match action {
            TimerAction::Start => d.start_timer(id, &tech).map(|_| ()),
            TimerAction::Pause => d.pause_timer(id, &tech).map(|_| ()),
            TimerAction::Stop => d.stop_timer(id, &tech).map(|_| ()),
        }
        .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn add_time(
    app: State<'_, Arc<App>>,
    id: IncidentId,
    entry: TimeInput,
) -> Answer<IncidentView> {
    act(&app, id, move |app, d| {
        let manual = ManualEntry {
            technician: app.technician()?,
            minutes: entry.minutes,
            work_type: entry.work_type.filter(|w| !w.trim().is_empty()),
            billable: entry.billable,
            note: entry.note.filter(|n| !n.trim().is_empty()),
            ..ManualEntry::default()
        };
        d.add_time(id, &manual).map(|_| ()).map_err(desk_err)
    })
    .await
}

/// Changes a time entry (a change the PSA may already have becomes a correction note), then
/// answers with its incident's screen.
async fn change_time(
    app: &State<'_, Arc<App>>,
    f: impl FnOnce(&mut oncall_core::Desk) -> Result<Acted<TimeChange>, DeskError> + Send + 'static,
) -> Answer<IncidentView> {
    off_ui(app, move |app| {
        let change = app.live.act(None, f).map_err(desk_err)?;
        let id = change.value.entry.entry.incident_id;
        app.live.read(|d| d.incident_view(id)).map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn edit_time(app: State<'_, Arc<App>>, entry_id: i64, minutes: i64) -> Answer<IncidentView> {
    let changes = EntryChanges {
        minutes: Some(minutes),
        ..EntryChanges::default()
    };
    change_time(&app, move |d| d.edit_time(entry_id, &changes)).await
}

#[tauri::command]
async fn delete_time(app: State<'_, Arc<App>>, entry_id: i64) -> Answer<IncidentView> {
    change_time(&app, move |d| d.delete_time(entry_id)).await
}

#[tauri::command]
async fn confirm_time(
    app: State<'_, Arc<App>>,
    entry_id: i64,
    minutes: Option<i64>,
) -> Answer<IncidentView> {
    change_time(&app, move |d| d.confirm_time(entry_id, minutes)).await
}

#[tauri::command]
async fn tenants(app: State<'_, Arc<App>>) -> Answer<Vec<TenantView>> {
    off_ui(&app, |app| {
        let allowed = app.live.psa_tenants();
        let tenants = app.live.read(|d| d.tenants()).map_err(desk_err)?;
        Ok(tenants
            .into_iter()
            .map(|t| TenantView {
                psa_allowed: allowed
                    .as_ref()
                    .map(|a| a.iter().any(|id| id == t.id.as_str())),
                id: t.id.as_str().to_owned(),
                org_id: t.org_id,
                company: t.company,
            })
            .collect())
    })
    .await
}

#[tauri::command]
async fn save_tenant(app: State<'_, Arc<App>>, tenant: TenantInput) -> Answer<TenantView> {
    off_ui(&app, move |app| {
        let t = app
            .live
            .act(None, |d| {
                d.save_tenant(&tenant.id, &tenant.org_id, &tenant.company)
            })
            .map_err(desk_err)?;
        let allowed = app.live.psa_tenants();
        Ok(TenantView {
            psa_allowed: allowed.map(|a| a.iter().any(|id| id == t.id.as_str())),
            id: t.id.as_str().to_owned(),
            org_id: t.org_id,
            company: t.company,
        })
    })
    .await
}

#[tauri::command]
async fn settings(app: State<'_, Arc<App>>) -> Answer<SettingsView> {
    off_ui(&app, |app| Ok(settings_view(&(app.settings)()))).await
}

#[tauri::command]
async fn save_settings(app: State<'_, Arc<App>>, settings: SettingsInput) -> Answer<SettingsView> {
    off_ui(&app, move |app| {
        settings::save_settings(&(app.settings)(), &settings).map_err(fixes::ui)?;
        app.live.reconfigure();
        Ok(settings_view(&(app.settings)()))
    })
    .await
}

#[tauri::command]
async fn run_wizard(
    app: State<'_, Arc<App>>,
    handle: AppHandle,
    ticket: Option<String>,
) -> Answer<Vec<WizardStepView>> {
    let live = Arc::clone(&app.live);
    let ticket = ticket.filter(|t| !t.trim().is_empty());
    let steps = live
        .run_wizard(ticket, fixes::words, |step| {
            let _ = handle.emit("wizard-step", step);
        })
        .await
        .map_err(desk_err)?;
    Ok(steps)
}

#[tauri::command]
async fn sync_now(app: State<'_, Arc<App>>) -> Answer<()> {
    app.live.sync_now();
    Ok(())
}

#[tauri::command]
async fn retry_write(app: State<'_, Arc<App>>, outbox_id: i64) -> Answer<IncidentView> {
    off_ui(&app, move |app| {
        let item = app
            .live
            .act(None, |d| d.retry_write(outbox_id))
            .map_err(desk_err)?;
        app.live.sync_now();
        app.live
            .read(|d| d.incident_view(item.incident_id))
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn sync_log(app: State<'_, Arc<App>>, limit: u32) -> Answer<Vec<SyncLogEntry>> {
    off_ui(&app, move |app| {
        app.live
            .read(|d| d.sync_log(limit.min(500)))
            .map_err(desk_err)
    })
    .await
}

#[tauri::command]
async fn psa_ticket(app: State<'_, Arc<App>>, id: IncidentId) -> Answer<Option<serde_json::Value>> {
    let Some(demo) = &app.demo else {
        return Ok(None);
    };
    let live = Arc::clone(&app.live);
    let ticket = tauri::async_runtime::spawn_blocking(move || {
        live.read(|d| d.incident_view(id))
            .map(|v| v.incident.psa_ticket_id)
    })
    .await
    .map_err(|e| fixes::own(ErrorCode::Internal, e.to_string(), None))?
    .map_err(desk_err)?;
    let Some(ticket) = ticket else {
        return Ok(None);
    };
    demo.ticket(&ticket)
        .await
        .map_err(|e| fixes::own(ErrorCode::Psa, format!("{e:#}"), None))
}

/// The UI painted `mark` (its first list) at `at_ms`, milliseconds since the Unix epoch: one
/// line at info level, from which scripts/measure.d/app reads the cold start.
#[tauri::command]
fn ui_painted(mark: String, at_ms: f64) {
    tracing::info!(target: "oncall_desk::paint", "painted mark={mark} at_ms={at_ms:.3}");
}

/// Why the app could not start, or nothing: the page asks before it shows anything else.
#[tauri::command]
fn startup_problem(app: AppHandle) -> Option<UiError> {
    app.try_state::<StartupProblem>().map(|p| p.0.clone())
}

/// Quits the app (the startup problem's button).
#[tauri::command]
fn quit(app: AppHandle) {
    app.exit(0);
}
