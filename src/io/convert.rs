//! Write layers to a GeoPackage, GeoJSON or shapefile output, atomically: the library side of
//! `towncircle convert` (坐标纠偏 / format conversion).
//!
//! Reading and reprojecting is [`crate::io::load`] with the output CRS as its working CRS (any
//! CRS [`crate::crs::Transformer`] knows, GCJ-02 and BD-09 included); this module decides where
//! each layer goes and writes them all through [`super::atomic::Staging`], so that either every
//! output file is replaced or none is.
//!
//! Several layers: a GeoPackage holds them all (one table each). A shapefile or a GeoJSON file
//! holds one, so each layer goes to its own file beside `OUT`, named `OUT-stem_LAYER.ext`
//! ([`output_paths`]); a single layer goes to `OUT` itself.

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;

use crate::crs::Crs;
use crate::error::{IoError, Result};
use crate::model::Layer;

use super::atomic::{Staging, retarget, retarget_text};

pub use super::shapefile::SHAPEFILE_PARTS;

/// An output format, by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    GeoPackage,
    GeoJson,
    Shapefile,
}

impl OutputFormat {
    /// `.gpkg`, `.geojson`/`.json` or `.shp` (any case); None for anything else.
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "gpkg" => Some(OutputFormat::GeoPackage),
            "geojson" | "json" => Some(OutputFormat::GeoJson),
            "shp" => Some(OutputFormat::Shapefile),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OutputFormat::GeoPackage => "GeoPackage",
            OutputFormat::GeoJson => "GeoJSON",
            OutputFormat::Shapefile => "Shapefile",
        }
    }

    /// True when one file holds several layers.
    pub fn holds_many_layers(self) -> bool {
        self == OutputFormat::GeoPackage
    }
}

/// One output file (a shapefile: its .shp) and what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub path: PathBuf,
    /// The layer's name (a GeoPackage file lists each of its layers once).
    pub layer: String,
    pub features: usize,
    /// What the writer had to change or could not write (field names shortened, text cut, no
    /// .prj for the CRS, GeoJSON not in WGS84).
    pub warnings: Vec<String>,
}

/// The result of [`write`]: the files written and the layers left out (with why).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub written: Vec<Written>,
    pub skipped: Vec<String>,
}

/// A layer name made safe as part of a file name (path separators and characters Windows
/// forbids become `_`); empty names become `layerN`.
fn file_name_part(name: &str, n: usize) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || r#"/\:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_matches('.').trim();
    if s.is_empty() {
        format!("layer{n}")
    } else {
        s.to_string()
    }
}

/// The file each layer is written to: `out` for a GeoPackage or a single layer; else
/// `<out's stem>_<layer name>.<out's extension>` beside `out`, made unique (`_2`, `_3`, ...) when
/// two layers share a name.
pub fn output_paths(out: &Path, format: OutputFormat, layers: &[&Layer]) -> Vec<PathBuf> {
    if format.holds_many_layers() || layers.len() <= 1 {
        return vec![out.to_path_buf(); layers.len()];
    }
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = out
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut taken: Vec<String> = Vec::new();
    layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let base = format!("{stem}_{}", file_name_part(&l.name, i + 1));
            let mut name = base.clone();
            let mut k = 2;
            while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                name = format!("{base}_{k}");
                k += 1;
            }
            taken.push(name.clone());
            out.with_file_name(format!("{name}.{ext}"))
        })
        .collect()
}

fn geojson_crs_warning(layer: &Layer) -> Option<String> {
    match &layer.crs.crs {
        Some(Crs::Epsg(4326)) | None => None,
        Some(c) => Some(format!(
            "GeoJSON (RFC 7946) is WGS84 lon/lat; this file is in {} and says so in the legacy \"crs\" member, which GDAL/QGIS read but web maps ignore",
            c.label()
        )),
    }
}

/// Write `layers` (coordinates as held, in each layer's `crs`) to `out` in `format`; shapefile
/// attributes are encoded with `dbf_encoding` (GBK, GB18030 or UTF-8; a .cpg names it).
/// Every file is written to a temporary name first and all are renamed into place only when all
/// succeeded. A shapefile needs features to know its geometry type: empty layers are left out
/// (listed in [`Outcome::skipped`]; the others keep the names [`output_paths`] gives them), and
/// when all are empty nothing is written (an error).
pub fn write(
    out: &Path,
    format: OutputFormat,
    layers: &[&Layer],
    dbf_encoding: &'static Encoding,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    // Names come from all the layers given, so that leaving an empty one out renames nothing.
    let all_paths = output_paths(out, format, layers);
    let (layers, paths): (Vec<&Layer>, Vec<PathBuf>) = layers
        .iter()
        .copied()
        .zip(all_paths)
        .filter(|(l, _)| {
            let keep = format != OutputFormat::Shapefile || !l.features.is_empty();
            if !keep {
                outcome.skipped.push(format!(
                    "layer \"{}\" ({}) has no features; a shapefile needs at least one to know its geometry type, so it was not written",
                    l.name,
                    l.source.path.display()
                ));
            }
            keep
        })
        .unzip();
    if layers.is_empty() {
        return Err(IoError::EmptyLayer {
            path: out.to_path_buf(),
            detail: "no input layer has features to write; nothing was written".into(),
        }
        .into());
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| IoError::open(dir, e))?;
    }
    let mut staging = Staging::new();
    match format {
        OutputFormat::GeoPackage => {
            let temp = staging.file(out);
            super::gpkg::write(&temp, &layers).map_err(|e| retarget(e, &temp, out))?;
            for l in &layers {
                outcome.written.push(Written {
                    path: out.to_path_buf(),
                    layer: l.name.clone(),
                    features: l.features.len(),
                    warnings: Vec::new(),
                });
            }
        }
        OutputFormat::GeoJson => {
            for (l, path) in layers.iter().zip(&paths) {
                let temp = staging.file(path);
                super::geojson::write_unstaged(&temp, l).map_err(|e| retarget(e, &temp, path))?;
                outcome.written.push(Written {
                    path: path.clone(),
                    layer: l.name.clone(),
                    features: l.features.len(),
                    warnings: geojson_crs_warning(l).into_iter().collect(),
                });
            }
        }
        OutputFormat::Shapefile => {
            for (l, path) in layers.iter().zip(&paths) {
                let temp = staging.siblings(path, SHAPEFILE_PARTS);
                let warnings = super::shapefile::write_parts(&temp, l, dbf_encoding)
                    .map_err(|e| retarget(e, &temp, path))?;
                outcome.written.push(Written {
                    path: path.clone(),
                    layer: l.name.clone(),
                    features: l.features.len(),
                    warnings: warnings
                        .into_iter()
                        .map(|w| retarget_text(&w, &temp, path))
                        .collect(),
                });
            }
        }
    }
    staging.commit()?;
    Ok(outcome)
}

/// Messages name the file the user asked for, not its temporary name (a shapefile's siblings
/// share the temporary stem).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::CrsInfo;
    use crate::model::{AttrValue, Feature, Field, FieldKind, Format, SourceInfo};
    use geo_types::{Geometry, Point};

    fn layer(name: &str, n: usize, crs: Crs) -> Layer {
        let mut l = Layer::new(
            name,
            SourceInfo {
                path: PathBuf::from(format!("{name}.csv")),
                format: Format::Csv,
                table: None,
                encoding: None,
            },
            CrsInfo::user(crs),
        );
        l.fields = vec![Field::new("名称", FieldKind::Text)];
        l.features = (0..n)
            .map(|i| Feature {
                geometry: Geometry::Point(Point::new(120.0 + i as f64 * 0.01, 30.0)),
                attrs: vec![AttrValue::Text(format!("卫生院{i}"))],
                source_id: crate::model::layer::SourceId::Line(i as u64 + 2),
                category: None,
            })
            .collect();
        l
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            OutputFormat::from_path(Path::new("a/b.GPKG")),
            Some(OutputFormat::GeoPackage)
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("b.json")),
            Some(OutputFormat::GeoJson)
        );
        assert_eq!(
            OutputFormat::from_path(Path::new("b.shp")),
            Some(OutputFormat::Shapefile)
        );
        assert_eq!(OutputFormat::from_path(Path::new("b.dwg")), None);
        assert_eq!(OutputFormat::from_path(Path::new("b")), None);
    }

    #[test]
    fn one_file_per_layer_with_unique_safe_names() {
        let a = layer("道路", 1, Crs::WGS84);
        let b = layer("a/b:c", 1, Crs::WGS84);
        let c = layer("道路", 1, Crs::WGS84);
        let d = layer("", 1, Crs::WGS84);
        let out = Path::new("out/镇.shp");
        let paths = output_paths(out, OutputFormat::Shapefile, &[&a, &b, &c, &d]);
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            names,
            [
                "out/镇_道路.shp",
                "out/镇_a_b_c.shp",
                "out/镇_道路_2.shp",
                "out/镇_layer4.shp"
            ]
        );
        assert_eq!(
            output_paths(out, OutputFormat::Shapefile, &[&a]),
            [out.to_path_buf()]
        );
        assert_eq!(
            output_paths(Path::new("x.gpkg"), OutputFormat::GeoPackage, &[&a, &b]),
            [PathBuf::from("x.gpkg"), PathBuf::from("x.gpkg")]
        );
    }

    #[test]
    fn shapefile_skips_empty_layers_and_fails_when_all_are_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("sub/out.shp");
        let full = layer("poi", 3, Crs::Epsg(4490));
        let empty = layer("none", 0, Crs::Epsg(4490));
        let o = write(
            &out,
            OutputFormat::Shapefile,
            &[&full, &empty],
            encoding_rs::GBK,
        )
        .expect("write");
        assert_eq!(o.skipped.len(), 1);
        assert_eq!(o.written.len(), 1);
        // Named as with both layers written: leaving one out renames nothing.
        let poi = dir.path().join("sub/out_poi.shp");
        assert_eq!(o.written[0].path, poi);
        for ext in SHAPEFILE_PARTS {
            assert!(poi.with_extension(ext).exists(), "{ext}");
        }
        assert!(!out.exists() && !dir.path().join("sub/out_none.shp").exists());
        let err = write(
            &dir.path().join("e.shp"),
            OutputFormat::Shapefile,
            &[&empty],
            encoding_rs::GBK,
        )
        .expect_err("empty");
        assert!(err.to_string().contains("e.shp"), "{err}");
        assert!(!dir.path().join("e.shp").exists());
    }

    #[test]
    fn a_failing_layer_writes_nothing_and_names_the_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("t.shp");
        let good = layer("good", 2, Crs::WGS84);
        let mut mixed = layer("mixed", 1, Crs::WGS84);
        mixed.features[0].geometry = Geometry::GeometryCollection(Default::default());
        let err = write(
            &out,
            OutputFormat::Shapefile,
            &[&good, &mixed],
            encoding_rs::GBK,
        )
        .expect_err("a shapefile cannot hold a collection");
        let msg = err.to_string();
        assert!(
            msg.contains("t_mixed.shp") && !msg.contains(".t_mixed."),
            "{msg}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn geojson_outside_wgs84_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("g.geojson");
        let l = layer("poi", 1, Crs::Gcj02);
        let o = write(&out, OutputFormat::GeoJson, &[&l], encoding_rs::GBK).expect("write");
        assert!(o.written[0].warnings[0].contains("GCJ-02"));
        let back = crate::io::geojson::read(&out, &Default::default()).expect("read");
        assert_eq!(back.features.len(), 1);
    }
}
