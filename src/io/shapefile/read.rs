//! Reading a shapefile into one layer: the CRS from the .prj, the records in parallel, truncation and encoding notes as issues.

use super::cells::CellDecoder;
use super::dbf::{Dbf, trim_bytes};
use super::shp_read::{
    RecordRef, Shape, Siblings, index_records, open_bytes, parse_shape, read_header,
};
use super::text_encoding::decide_encoding;
use super::*;

/// The CRS: the user's, else the .prj's, else unknown (the loader then guesses).
pub(super) fn read_crs(
    options: &ReadOptions,
    prj: Option<&Path>,
    notes: &mut Vec<String>,
) -> CrsInfo {
    if let Some(c) = &options.crs {
        return CrsInfo::user(c.clone());
    }
    let Some(prj) = prj else {
        return CrsInfo::unknown();
    };
    let text = std::fs::read(prj)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    match crate::crs::wkt::parse_wkt(&text) {
        Ok(c) => CrsInfo::declared(c, ".prj"),
        Err(e) => {
            notes.push(format!(
                "the .prj is not understood ({e}); the coordinate system will be guessed from the coordinates"
            ));
            CrsInfo::unknown()
        }
    }
}

/// One record as read: its geometry (or why it was skipped), attributes and notes.
pub(super) struct RecordOut {
    pub(super) shape: Shape,
    pub(super) attrs: Vec<AttrValue>,
    pub(super) notes: Vec<String>,
}

/// Read a shapefile into one layer in its own CRS. `path` may name the .shp, .shx or .dbf;
/// the other parts are found beside it whatever the case of their extensions.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    use rayon::prelude::*;

    let files = Siblings::find(path);
    let Some(shp_path) = files.shp.clone() else {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(IoError::Missing {
            path: path.to_path_buf(),
            what: format!(
                "the .shp file (the geometry) is missing: put {stem}.shp beside this file, or open the shapefile's .shp"
            ),
        }
        .into());
    };
    let mut issues: Vec<crate::model::Issue> = Vec::new();
    let warn = |issues: &mut Vec<crate::model::Issue>, m: String| {
        issues.push(crate::model::Issue::warning(None, m));
    };
    // The file set is incomplete: `n` features lost or left without attributes.
    let incomplete = |issues: &mut Vec<crate::model::Issue>, m: String, n: usize| {
        issues.push(
            crate::model::Issue::warning(None, m)
                .of_kind(crate::model::IssueKind::Truncated)
                .for_features(n),
        );
    };

    // Geometry file and its index.
    let shp = open_bytes(&shp_path)?;
    let (declared_len, _shape_type) =
        read_header(&shp, ".shp").map_err(|m| IoError::invalid(&shp_path, Location::File, m))?;
    let mut index_notes = Vec::new();
    let records = index_records(&shp, &shp_path, files.shx.as_deref(), &mut index_notes);
    for n in index_notes {
        warn(&mut issues, n);
    }
    // Truncation: records that end past the end of the file.
    let complete = records.iter().filter(|r| r.end() <= shp.len()).count();
    let expected_len = records
        .iter()
        .map(RecordRef::end)
        .max()
        .unwrap_or(SHP_HEADER_BYTES)
        .max(declared_len);
    if expected_len > shp.len() {
        // The lost records are counted by the skipped issues below (when the .shx lists them).
        incomplete(
            &mut issues,
            format!(
                "the .shp file is truncated at byte {} (expected {expected_len}); {complete} complete record(s) kept",
                shp.len()
            ),
            0,
        );
    }

    // Attribute table.
    let mut dbf_notes = Vec::new();
    let dbf = match &files.dbf {
        Some(p) => match Dbf::open(p, &mut dbf_notes) {
            Ok(d) => Some(d),
            Err(e) => {
                incomplete(
                    &mut issues,
                    format!(
                        "the .dbf cannot be read ({e}); features have no attributes: {}",
                        p.display()
                    ),
                    records.len(),
                );
                None
            }
        },
        None => {
            let dbf_name = shp_path
                .with_extension("dbf")
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            incomplete(
                &mut issues,
                format!(
                    "the .dbf (attribute table) is missing, so features have no attributes: put {dbf_name} beside the .shp"
                ),
                records.len(),
            );
            None
        }
    };
    let mut encoding_desc = None;
    let mut fields = Vec::new();
    let mut decoder = CellDecoder {
        encoding: UTF_8,
        bad: Vec::new(),
    };
    if let Some(dbf) = &dbf {
        let (enc, desc) = decide_encoding(options, files.cpg.as_deref(), dbf, &mut dbf_notes);
        decoder.encoding = enc;
        decoder.bad = dbf.fields.iter().map(|_| Default::default()).collect();
        encoding_desc = Some(desc);
        for (i, f) in dbf.fields.iter().enumerate() {
            let name = decoder.text(trim_bytes(&f.name_bytes));
            let name = if name.is_empty() {
                format!("FIELD{}", i + 1)
            } else {
                name
            };
            if let Some(kind) = f.field_kind() {
                fields.push(crate::model::Field::new(name, kind));
            }
        }
        if dbf.available < dbf.declared {
            incomplete(
                &mut issues,
                format!(
                    "the .dbf is truncated: it holds {} of its {} records; features after {} have no attributes",
                    dbf.available, dbf.declared, dbf.available
                ),
                dbf.declared - dbf.available,
            );
        }
        if dbf.declared != records.len() {
            warn(
                &mut issues,
                format!(
                    "the .shp has {} records but the .dbf {}; attributes were matched by position",
                    records.len(),
                    dbf.declared
                ),
            );
        }
    }
    for n in dbf_notes {
        warn(&mut issues, n);
    }

    // Records, in parallel; order is kept.
    let shp_bytes: &[u8] = &shp;
    let n_fields = fields.len();
    let outs: Vec<RecordOut> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut notes = Vec::new();
            let row = dbf.as_ref().and_then(|d| d.row(i).map(|row| (d, row)));
            if let Some((_, row)) = row
                && row.first() == Some(&b'*')
            {
                return RecordOut {
                    shape: Shape::Skip("the record is marked deleted in the .dbf".into()),
                    attrs: Vec::new(),
                    notes,
                };
            }
            let shape = if r.end() > shp_bytes.len() {
                if r.offset < shp_bytes.len() {
                    Shape::Skip(format!(
                        "{CUT_OFF} (it needs bytes {}..{}, the file has {})",
                        r.offset,
                        r.end(),
                        shp_bytes.len()
                    ))
                } else {
                    Shape::Skip(String::new()) // beyond the end: counted once below
                }
            } else {
                parse_shape(&shp_bytes[r.offset + 8..r.end()], &mut notes)
            };
            let attrs = match (&shape, row) {
                (Shape::Skip(_), _) => Vec::new(),
                (_, Some((d, row))) => d
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(fi, f)| decoder.value(fi, f, d.cell(row, f)))
                    .collect(),
                (_, None) => vec![AttrValue::Null; n_fields],
            };
            RecordOut {
                shape,
                attrs,
                notes,
            }
        })
        .collect();

    let mut features = Vec::with_capacity(outs.len());
    let mut beyond_end = 0usize;
    for (i, out) in outs.into_iter().enumerate() {
        let id = crate::model::layer::SourceId::Feature(i as u64 + 1);
        for n in out.notes {
            issues.push(crate::model::Issue::warning(Some(id), n));
        }
        match out.shape {
            Shape::Geometry(geometry) => features.push(crate::model::Feature {
                geometry,
                attrs: out.attrs,
                source_id: id,
                category: None,
            }),
            Shape::Skip(why) if why.is_empty() => beyond_end += 1,
            Shape::Skip(why) if why.starts_with(CUT_OFF) => issues.push(
                crate::model::Issue::skipped(Some(id), why)
                    .of_kind(crate::model::IssueKind::Truncated),
            ),
            Shape::Skip(why) => issues.push(crate::model::Issue::skipped(Some(id), why)),
        }
    }
    if beyond_end > 0 {
        issues.push(
            crate::model::Issue::skipped(
                None,
                format!("{beyond_end} more record(s) listed in the .shx lie past the end of the truncated .shp"),
            )
            .of_kind(crate::model::IssueKind::Truncated)
            .for_features(beyond_end),
        );
    }
    if let Some(dbf) = &dbf {
        for (f, bad) in dbf.fields.iter().zip(&decoder.bad) {
            let n = bad.load(std::sync::atomic::Ordering::Relaxed);
            if n > 0 {
                issues.push(crate::model::Issue::warning(
                    None,
                    format!(
                        "field \"{}\": {n} value(s) that are not valid for its type (dBase '{}') were read as empty",
                        decoder.text(trim_bytes(&f.name_bytes)),
                        f.kind as char
                    ),
                ));
            }
        }
    }

    // Coordinate system.
    let mut crs_notes = Vec::new();
    let crs = read_crs(options, files.prj.as_deref(), &mut crs_notes);
    for n in crs_notes {
        warn(&mut issues, n);
    }

    let name = shp_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shapefile".into());
    let mut layer = Layer::new(
        name,
        crate::model::SourceInfo {
            path: path.to_path_buf(),
            format: crate::model::Format::Shapefile,
            table: None,
            encoding: encoding_desc,
        },
        crs,
    );
    layer.fields = fields;
    layer.features = features;
    layer.issues = issues;
    Ok(layer)
}
