//! Writing the report's four files (report.html, results.xlsx, results.gpkg, summary.json)
//! all together or not at all.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoError, Result};

use super::town::{Lang, OUTPUT_FILES, ReportData};

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| IoError::open(path, e).into())
}

/// Write report.html, results.xlsx, results.gpkg and summary.json into `out_dir` (created when
/// missing). They are written into a temporary folder beside it first and moved in only when
/// all four succeeded, so a failure leaves no half-written set; other files in `out_dir` are
/// left alone. Returns the paths written.
pub fn write_all(data: &ReportData<'_>, lang: Lang, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| IoError::open(&parent, e))?;
    let tmp = parent.join(format!(".{name}.towncircle-{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| IoError::open(&tmp, e))?;
    let result = write_into(data, lang, &tmp).and_then(|()| {
        std::fs::create_dir_all(out_dir).map_err(|e| IoError::open(out_dir, e))?;
        let mut written = Vec::new();
        for f in OUTPUT_FILES {
            let to = out_dir.join(f);
            std::fs::rename(tmp.join(f), &to).map_err(|e| IoError::open(&to, e))?;
            written.push(to);
        }
        Ok(written)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn write_into(data: &ReportData<'_>, lang: Lang, dir: &Path) -> Result<()> {
    let maps = super::maps::report_maps(data, lang)?;
    let html = super::html::report_html(data, &maps, lang);
    write_file(&dir.join(OUTPUT_FILES[0]), html.as_bytes())?;
    let xlsx_path = dir.join(OUTPUT_FILES[1]);
    super::xlsx::write_xlsx(data, &xlsx_path)?;
    super::geopackage::write_gpkg(data, &dir.join(OUTPUT_FILES[2]))?;
    let summary = super::summary::summary(data, lang);
    let json = serde_json::to_vec_pretty(&summary).map_err(|e| {
        Error::Config(format!(
            "summary.json could not be encoded ({e}); please report this"
        ))
    })?;
    write_file(&dir.join(OUTPUT_FILES[3]), &json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessInput, AccessOptions, Analysis};
    use crate::crs::Crs;
    use crate::model::Taxonomy;
    use crate::report::Run;
    use crate::report::town::tests::town;

    #[test]
    fn write_all_writes_four_files_or_nothing() {
        let (layers, profile) = town();
        let input = AccessInput::from_layers(&layers);
        let a = Analysis::new(
            &input,
            &profile,
            &Taxonomy::default(),
            &AccessOptions::default(),
        )
        .unwrap();
        let r = a.run();
        let run = Run {
            analysis: &a,
            result: &r,
        };
        let data = ReportData::new(
            "测试镇",
            &layers,
            Crs::Epsg(4549),
            vec![run],
            &r.report,
            None,
            &profile,
        )
        .unwrap();
        assert!(
            data.flags.iter().any(|f| f.contains("EUCLIDEAN")),
            "{:?}",
            data.flags
        );
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let written = write_all(&data, Lang::Zh, &out).unwrap();
        assert_eq!(written.len(), 4);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        // The fallback flag is in the flags box, the layer name escaped.
        let flags_box = html.find("class=\"flags\"").unwrap();
        assert!(html[flags_box..].contains("EUCLIDEAN"));
        assert!(html.contains("&lt;b&gt;homes&lt;/b&gt;") && !html.contains("<b>homes"));
        assert!(html.contains("本次运行未进行“十个一”评价"));

        // An output path that is a file: an error naming it, and no temporary folder left.
        let blocker = tmp.path().join("blocked");
        std::fs::write(&blocker, "x").unwrap();
        let err = write_all(&data, Lang::Zh, &blocker)
            .unwrap_err()
            .to_string();
        assert!(err.contains("blocked"), "{err}");
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["blocked", "out"]);
        assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    }
}
