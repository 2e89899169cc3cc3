//! Where oncall-desk keeps its files by default: the platform's per-user data directory.

use std::path::PathBuf;

use directories::ProjectDirs;

/// The per-user data directory (e.g. `~/.local/share/oncall-desk` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    ProjectDirs::from("", "", "oncall-desk").map(|d| d.data_dir().to_owned())
}

/// The default database file, inside [`data_dir`].
pub fn default_db_path() -> Option<PathBuf> {
    data_dir().map(|d| d.join("oncall.sqlite3"))
}
