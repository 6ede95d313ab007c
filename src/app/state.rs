//! What the app remembers between runs (eframe storage): language, recent files, panels.
//! Window size and position are kept by eframe itself.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::i18n::Lang;

/// The storage key.
pub const STORAGE_KEY: &str = "towncircle";

/// How many recent files are remembered.
pub const MAX_RECENT: usize = 12;

/// Settings kept between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub lang: Lang,
    /// Most recent first.
    pub recent_files: Vec<PathBuf>,
    pub show_table: bool,
    pub show_log: bool,
    /// The online basemap's settings (off by default).
    pub basemap: super::map::basemap::BasemapSettings,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted {
            lang: Lang::Zh,
            recent_files: Vec::new(),
            show_table: true,
            show_log: true,
            basemap: Default::default(),
        }
    }
}

impl Persisted {
    /// Put `path` first in the recent files.
    pub fn remember(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent_files.retain(|p| *p != path);
        self.recent_files.insert(0, path);
        self.recent_files.truncate(MAX_RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_unique_newest_first_and_bounded() {
        let mut p = Persisted::default();
        for i in 0..20 {
            p.remember(Path::new(&format!("/nonexistent/{i}.shp")));
        }
        p.remember(Path::new("/nonexistent/15.shp"));
        assert_eq!(p.recent_files.len(), MAX_RECENT);
        assert_eq!(p.recent_files[0], Path::new("/nonexistent/15.shp"));
        assert_eq!(
            p.recent_files
                .iter()
                .filter(|f| f.ends_with("15.shp"))
                .count(),
            1
        );
    }

    #[test]
    fn old_or_partial_settings_still_load() {
        let p: Persisted = serde_json::from_str(r#"{"lang":"En"}"#).expect("parse");
        assert_eq!(p.lang, Lang::En);
        assert!(p.show_table);
        assert!(!p.basemap.enabled, "settings from before the basemap: off");
    }

    #[test]
    fn basemap_settings_round_trip() {
        let mut p = Persisted::default();
        p.basemap.enabled = true;
        p.basemap.key = "tk-123".into();
        p.basemap.opacity = 0.5;
        let back: Persisted =
            serde_json::from_str(&serde_json::to_string(&p).expect("json")).expect("parse");
        assert_eq!(back.basemap, p.basemap);
    }
}
