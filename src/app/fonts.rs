//! Fonts: egui's defaults, then a system CJK font when one is installed (full coverage), then the
//! bundled Noto Sans SC subset (assets/fonts, SIL OFL) so Chinese always renders.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Noto Sans SC, subset to the common Chinese characters (SIL Open Font License, assets/fonts/OFL.txt).
pub const BUNDLED_CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");

/// A system font file with Chinese glyphs, and the face to use in a collection (.ttc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemFont {
    pub path: PathBuf,
    pub index: u32,
}

/// Font file names to look for, best first, with the Simplified Chinese face in collections.
const CANDIDATES: &[(&str, u32)] = &[
    // Noto CJK collections order their faces JP, KR, SC, TC, HK.
    ("NotoSansCJK-Regular.ttc", 2),
    ("NotoSansCJKsc-Regular.otf", 0),
    ("NotoSansSC-Regular.otf", 0),
    ("NotoSansSC-Regular.ttf", 0),
    ("SourceHanSansSC-Regular.otf", 0),
    ("SourceHanSans-Regular.ttc", 2),
    ("wqy-microhei.ttc", 0),
    ("wqy-zenhei.ttc", 0),
    ("msyh.ttc", 0),
    ("msyh.ttf", 0),
    ("simhei.ttf", 0),
    ("PingFang.ttc", 0),
    ("Hiragino Sans GB.ttc", 0),
    ("DroidSansFallbackFull.ttf", 0),
];

/// Folders that hold fonts on Linux, Windows and macOS.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = vec![
        "/usr/share/fonts".into(),
        "/usr/local/share/fonts".into(),
        "/System/Library/Fonts".into(),
        "/Library/Fonts".into(),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share/fonts"));
        dirs.push(Path::new(&home).join(".fonts"));
    }
    if let Some(windir) = std::env::var_os("WINDIR") {
        dirs.push(Path::new(&windir).join("Fonts"));
    } else if cfg!(windows) {
        dirs.push(r"C:\Windows\Fonts".into());
    }
    dirs
}

/// The best installed CJK font, searching `dirs` up to four levels deep.
pub fn find_system_cjk_in(dirs: &[PathBuf]) -> Option<SystemFont> {
    let mut found: Vec<(usize, PathBuf, u32)> = Vec::new();
    fn walk(dir: &Path, depth: usize, found: &mut Vec<(usize, PathBuf, u32)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if depth < 4 {
                    walk(&path, depth + 1, found);
                }
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if let Some(rank) = CANDIDATES
                .iter()
                .position(|(c, _)| c.eq_ignore_ascii_case(name))
            {
                found.push((rank, path.clone(), CANDIDATES[rank].1));
            }
        }
    }
    for d in dirs {
        walk(d, 0, &mut found);
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    found
        .into_iter()
        .next()
        .map(|(_, path, index)| SystemFont { path, index })
}

/// The best installed CJK font on this machine, if any.
pub fn find_system_cjk() -> Option<SystemFont> {
    find_system_cjk_in(&font_dirs())
}

/// egui's default fonts followed by the CJK fallbacks.
pub fn definitions(system: Option<&SystemFont>) -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    let mut fallbacks = Vec::new();
    if let Some(sys) = system
        && let Ok(bytes) = std::fs::read(&sys.path)
    {
        let mut data = FontData::from_owned(bytes);
        data.index = sys.index;
        fonts.font_data.insert("system-cjk".into(), Arc::new(data));
        fallbacks.push("system-cjk".to_string());
    }
    fonts.font_data.insert(
        "noto-sans-sc-subset".into(),
        Arc::new(FontData::from_static(BUNDLED_CJK)),
    );
    fallbacks.push("noto-sans-sc-subset".to_string());
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .extend(fallbacks.iter().cloned());
    }
    fonts
}

/// Install the fonts into `ctx`, with the system CJK font when one is found.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions(find_system_cjk().as_ref()));
}

/// Install only the bundled fonts (tests, benchmarks: the same glyphs on every machine).
pub fn install_bundled(ctx: &egui::Context) {
    ctx.set_fonts(definitions(None));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_is_an_opentype_file_and_comes_after_the_defaults() {
        assert_eq!(&BUNDLED_CJK[..4], b"OTTO");
        let defs = definitions(None);
        let prop = &defs.families[&FontFamily::Proportional];
        assert_eq!(prop.last().map(String::as_str), Some("noto-sans-sc-subset"));
        assert!(prop.len() > 1, "egui's default fonts stay first: {prop:?}");
    }

    #[test]
    fn finds_the_best_cjk_font_in_nested_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let deep = dir.path().join("opentype/noto");
        std::fs::create_dir_all(&deep).expect("mkdir");
        std::fs::write(deep.join("NotoSansCJK-Regular.ttc"), b"x").expect("write");
        std::fs::create_dir_all(dir.path().join("wqy")).expect("mkdir");
        std::fs::write(dir.path().join("wqy/wqy-zenhei.ttc"), b"x").expect("write");
        let found = find_system_cjk_in(&[dir.path().to_path_buf()]).expect("found");
        assert!(found.path.ends_with("NotoSansCJK-Regular.ttc"));
        assert_eq!(found.index, 2);
        assert_eq!(find_system_cjk_in(&[dir.path().join("none")]), None);
    }
}
