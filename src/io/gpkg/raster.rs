//! Reading the raster tables of a GeoPackage: the OGC 2D Gridded Coverage Extension (17-066r1,
//! what GDAL writes for non-Byte rasters) as population rasters, like a GeoTIFF.
//!
//! Read: `2d-gridded-coverage` tables of data_type `integer` (16-bit greyscale PNG tiles) or
//! `float` (32-bit float TIFF tiles); the highest-resolution zoom level that has tiles; the cells
//! over the table's extent (gpkg_contents bounds inside the tile matrix set, else the set's
//! bounds); each cell `(coded × tile scale + tile offset) × scale + offset`, `data_null` (compared
//! with the coded value) as nodata; the CRS from the matrix set's srs_id. Not read: `tiles`
//! tables (imagery, a basemap: a warning says they are not a population), lower zoom levels.
//! A tile that cannot be decoded leaves its cells empty with a warning naming its zoom, row and
//! column; a table that cannot be read at all is an error naming it.

use std::collections::HashMap;

use crate::io::geotiff::{NamedBand, Raster, population_layer};
use crate::model::AgeBand;

use super::srs::crs_of;
use super::*;

/// The most cells a coverage table may have (about 7 000 × 7 000: a county at 5 m), so that a
/// hostile file's bounds never make an allocation over 1 GiB; larger is refused.
const MAX_CELLS: usize = 50_000_000;

/// A raster table listed in gpkg_contents.
pub(super) struct RasterSpec {
    pub(super) name: String,
    /// `2d-gridded-coverage` or `tiles`.
    pub(super) data_type: String,
    pub(super) description: String,
    /// gpkg_contents min_x, min_y, max_x, max_y, when all four are given.
    pub(super) bounds: Option<[f64; 4]>,
}

/// The raster tables of gpkg_contents (coverages and tiles), by name.
pub(super) fn raster_tables(conn: &Connection) -> std::result::Result<Vec<RasterSpec>, String> {
    let mut st = conn
        .prepare(
            "SELECT table_name, lower(data_type), COALESCE(description, ''), min_x, min_y, max_x, max_y \
             FROM gpkg_contents WHERE lower(data_type) IN ('2d-gridded-coverage', 'tiles') \
             ORDER BY table_name",
        )
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| {
            let b = [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?];
            Ok(RasterSpec {
                name: r.get(0)?,
                data_type: r.get(1)?,
                description: r.get(2)?,
                bounds: match b {
                    [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
                    _ => None,
                },
            })
        })
        .map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| e.to_string())
}

/// How a coverage's tiles are encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CodedAs {
    /// 16-bit greyscale PNG.
    Integer,
    /// 32-bit float TIFF.
    Float,
}

/// A coverage's gpkg_2d_gridded_coverage_ancillary row.
struct Coverage {
    coded: CodedAs,
    scale: f64,
    offset: f64,
    data_null: Option<f64>,
}

/// The tile matrix of one zoom level, placed in the matrix set's bounds.
struct Matrix {
    zoom: i64,
    matrix_width: i64,
    matrix_height: i64,
    tile_width: usize,
    tile_height: usize,
    pixel: [f64; 2],
    /// The matrix set's upper-left corner.
    origin: [f64; 2],
}

fn coverage(conn: &Connection, table: &str) -> std::result::Result<Coverage, String> {
    let row = conn.query_row(
        "SELECT datatype, COALESCE(scale, 1.0), COALESCE(offset, 0.0), data_null \
         FROM gpkg_2d_gridded_coverage_ancillary WHERE tile_matrix_set_name = ?1",
        [table],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, Option<f64>>(3)?,
            ))
        },
    );
    let (datatype, scale, offset, data_null) = match row {
        Ok(r) => r,
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Err(
                "it has no row in gpkg_2d_gridded_coverage_ancillary (its data type, scale and nodata are unknown)"
                    .into(),
            );
        }
        Err(e) => return Err(format!("gpkg_2d_gridded_coverage_ancillary: {e}")),
    };
    let coded = match datatype.trim().to_ascii_lowercase().as_str() {
        "integer" => CodedAs::Integer,
        "float" => CodedAs::Float,
        other => {
            return Err(format!(
                "its data type \"{other}\" is neither integer (PNG tiles) nor float (TIFF tiles)"
            ));
        }
    };
    if !(scale.is_finite() && offset.is_finite()) || scale == 0.0 {
        return Err(format!(
            "its scale {scale} or offset {offset} is not usable"
        ));
    }
    Ok(Coverage {
        coded,
        scale,
        offset,
        data_null,
    })
}

/// The tile matrix of the highest zoom level with tiles, checked against the matrix set.
fn matrix(conn: &Connection, table: &str) -> std::result::Result<(Matrix, i64, [f64; 4]), String> {
    let (srs_id, set) = conn
        .query_row(
            "SELECT srs_id, min_x, min_y, max_x, max_y FROM gpkg_tile_matrix_set WHERE table_name = ?1",
            [table],
            |r| Ok((r.get::<_, i64>(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])),
        )
        .map_err(|e| format!("no row in gpkg_tile_matrix_set ({e})"))?;
    let set: [f64; 4] = set;
    let zoom: Option<i64> = conn
        .query_row(
            &format!("SELECT max(zoom_level) FROM {}", quote(table)),
            [],
            |r| r.get(0),
        )
        .map_err(|e| format!("its tiles cannot be listed ({e})"))?;
    let zoom = zoom.ok_or("it has no tiles")?;
    let m = conn
        .query_row(
            "SELECT matrix_width, matrix_height, tile_width, tile_height, pixel_x_size, pixel_y_size \
             FROM gpkg_tile_matrix WHERE table_name = ?1 AND zoom_level = ?2",
            rusqlite::params![table, zoom],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, f64>(4)?,
                    r.get::<_, f64>(5)?,
                ))
            },
        )
        .map_err(|e| format!("zoom level {zoom} has tiles but no row in gpkg_tile_matrix ({e})"))?;
    let (mw, mh, tw, th, px, py) = m;
    let usable = mw > 0
        && mh > 0
        && (1..=4096).contains(&tw)
        && (1..=4096).contains(&th)
        && px > 0.0
        && py > 0.0
        && set.iter().all(|v| v.is_finite());
    if !usable {
        return Err(format!(
            "the tile matrix of zoom level {zoom} is not usable ({mw} × {mh} tiles of {tw} × {th} cells of {px} × {py})"
        ));
    }
    // The matrix spans the set's bounds: matrix_width × tile_width × pixel_x_size = max_x - min_x.
    let span = [set[2] - set[0], set[3] - set[1]];
    let covered = [mw as f64 * tw as f64 * px, mh as f64 * th as f64 * py];
    for axis in 0..2 {
        if (covered[axis] - span[axis]).abs() > 1e-6 * span[axis].abs().max(1.0) + px.max(py) * 0.01
        {
            return Err(format!(
                "inconsistent sizes: the tile matrix of zoom level {zoom} spans {} × {} but the matrix set's bounds {} × {}",
                covered[0], covered[1], span[0], span[1]
            ));
        }
    }
    Ok((
        Matrix {
            zoom,
            matrix_width: mw,
            matrix_height: mh,
            tile_width: tw as usize,
            tile_height: th as usize,
            pixel: [px, py],
            origin: [set[0], set[3]],
        },
        srs_id,
        set,
    ))
}

/// The samples of one tile, coded (before scale and offset), row by row.
fn decode_tile(blob: &[u8], coded: CodedAs, m: &Matrix) -> std::result::Result<Vec<f64>, String> {
    let (values, w, h) = match coded {
        CodedAs::Integer => {
            let mut dec = png::Decoder::new(std::io::Cursor::new(blob));
            dec.set_transformations(png::Transformations::IDENTITY);
            let mut reader = dec.read_info().map_err(|e| format!("not a PNG ({e})"))?;
            let info = reader.info();
            let (w, h) = (info.width as usize, info.height as usize);
            if (w, h) != (m.tile_width, m.tile_height) {
                // Before the pixels are allocated: a header may claim any size.
                return Err(format!(
                    "a PNG of {w} × {h} cells, the tile matrix says {} × {}",
                    m.tile_width, m.tile_height
                ));
            }
            if info.color_type != png::ColorType::Grayscale {
                return Err(format!("a {:?} PNG, not greyscale values", info.color_type));
            }
            let depth = info.bit_depth;
            let size = reader
                .output_buffer_size()
                .ok_or("the PNG's size overflows")?;
            let mut buf = vec![0u8; size];
            let frame = reader
                .next_frame(&mut buf)
                .map_err(|e| format!("the PNG cannot be decoded ({e})"))?;
            let buf = &buf[..frame.buffer_size()];
            let values: Vec<f64> = match depth {
                png::BitDepth::Sixteen => buf
                    .chunks_exact(2)
                    .map(|b| f64::from(u16::from_be_bytes([b[0], b[1]])))
                    .collect(),
                png::BitDepth::Eight => buf.iter().map(|&b| f64::from(b)).collect(),
                other => return Err(format!("a {other:?}-bit PNG, not 8- or 16-bit values")),
            };
            (values, w, h)
        }
        CodedAs::Float => {
            let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(blob))
                .map_err(|e| format!("not a TIFF ({e})"))?;
            let (w, h) = dec.dimensions().map_err(|e| format!("no size ({e})"))?;
            if (w as usize, h as usize) != (m.tile_width, m.tile_height) {
                return Err(format!(
                    "a TIFF of {w} × {h} cells, the tile matrix says {} × {}",
                    m.tile_width, m.tile_height
                ));
            }
            let values = match dec
                .read_image()
                .map_err(|e| format!("the TIFF cannot be decoded ({e})"))?
            {
                tiff::decoder::DecodingResult::F32(v) => v.into_iter().map(f64::from).collect(),
                tiff::decoder::DecodingResult::F64(v) => v,
                _ => return Err("the TIFF does not hold 32-bit float values".into()),
            };
            (values, w as usize, h as usize)
        }
    };
    if w != m.tile_width || h != m.tile_height || values.len() != w * h {
        return Err(format!(
            "{w} × {h} cells ({} values), the tile matrix says {} × {}",
            values.len(),
            m.tile_width,
            m.tile_height
        ));
    }
    Ok(values)
}

/// The cells of a coverage table as a [`Raster`], its srs_id, and the tiles that could not be
/// decoded (a message each: their cells are missing, as if the file were truncated).
fn read_cells(
    conn: &Connection,
    path: &Path,
    spec: &RasterSpec,
) -> std::result::Result<(Raster, i64, Vec<String>), String> {
    let cov = coverage(conn, &spec.name)?;
    let (m, srs_id, set) = matrix(conn, &spec.name)?;
    // The raster's extent: the contents' bounds when they lie in the set, else the set's.
    let inside = |b: &[f64; 4]| {
        let tol = m.pixel[0].max(m.pixel[1]) * 1e-3;
        b[0] >= set[0] - tol && b[1] >= set[1] - tol && b[2] <= set[2] + tol && b[3] <= set[3] + tol
    };
    let extent = spec
        .bounds
        .filter(|b| b[2] > b[0] && b[3] > b[1] && inside(b))
        .unwrap_or(set);
    let col0 = ((extent[0] - set[0]) / m.pixel[0]).round().max(0.0) as usize;
    let row0 = ((set[3] - extent[3]) / m.pixel[1]).round().max(0.0) as usize;
    let width = ((extent[2] - extent[0]) / m.pixel[0]).round().max(1.0) as usize;
    let height = ((extent[3] - extent[1]) / m.pixel[1]).round().max(1.0) as usize;
    if width.saturating_mul(height) > MAX_CELLS {
        return Err(format!(
            "{width} × {height} cells at zoom level {}: more than towncircle reads ({MAX_CELLS})",
            m.zoom
        ));
    }
    let tile_ancillary = tile_ancillary(conn, &spec.name)?;
    let mut values: Vec<Option<f64>> = vec![None; width * height];
    let (mut warnings, mut bad_tiles) = (Vec::new(), Vec::new());
    let file = path.display();
    let mut read_tiles = 0usize;
    let (mut no_ancillary, mut outside) = (Vec::new(), 0usize);
    let mut st = conn
        .prepare(&format!(
            "SELECT id, tile_column, tile_row, tile_data FROM {} WHERE zoom_level = ?1",
            quote(&spec.name)
        ))
        .map_err(|e| e.to_string())?;
    let mut rows = st.query([m.zoom]).map_err(|e| e.to_string())?;
    loop {
        let row = match rows.next() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => return Err(format!("its tiles cannot be read ({e})")),
        };
        let id: i64 = row.get(0).map_err(|e| e.to_string())?;
        let tc: i64 = row.get(1).map_err(|e| e.to_string())?;
        let tr: i64 = row.get(2).map_err(|e| e.to_string())?;
        let at = format!("tile zoom {} row {tr} column {tc}", m.zoom);
        if !(0..m.matrix_width).contains(&tc) || !(0..m.matrix_height).contains(&tr) {
            outside += 1;
            continue;
        }
        let decoded = match row.get_ref(3) {
            Ok(ValueRef::Blob(b)) => decode_tile(b, cov.coded, &m),
            _ => Err("no tile data".into()),
        };
        let samples = match decoded {
            Ok(v) => v,
            Err(e) => {
                bad_tiles.push(format!(
                    "{file}: table \"{}\", {at}: {e}; its cells are left empty",
                    spec.name
                ));
                continue;
            }
        };
        read_tiles += 1;
        let (t_scale, t_offset) = match tile_ancillary.get(&id) {
            Some(&so) => so,
            None => {
                if cov.coded == CodedAs::Integer {
                    no_ancillary.push(at);
                }
                (1.0, 0.0)
            }
        };
        // Saturating: a hostile matrix may claim ~2^63 tiles of a tiny pixel.
        let tile_col0 = (tc as usize).saturating_mul(m.tile_width);
        let tile_row0 = (tr as usize).saturating_mul(m.tile_height);
        for (k, &c) in samples.iter().enumerate() {
            let gc = tile_col0.saturating_add(k % m.tile_width);
            let gr = tile_row0.saturating_add(k / m.tile_width);
            let (Some(col), Some(r)) = (gc.checked_sub(col0), gr.checked_sub(row0)) else {
                continue;
            };
            if col >= width || r >= height || c.is_nan() || cov.data_null == Some(c) {
                continue;
            }
            let v = (c * t_scale + t_offset) * cov.scale + cov.offset;
            values[r * width + col] = v.is_finite().then_some(v);
        }
    }
    if read_tiles == 0 {
        let why = bad_tiles.first().cloned().unwrap_or_default();
        return Err(format!(
            "no tile of zoom level {} could be read (the first: {why})",
            m.zoom
        ));
    }
    if let Some(first) = no_ancillary.first() {
        warnings.push(format!(
            "{file}: table \"{}\": {} tiles ({first} …) have no row in gpkg_2d_gridded_tile_ancillary: scale 1 and offset 0 were taken",
            spec.name,
            no_ancillary.len()
        ));
    }
    if outside > 0 {
        warnings.push(format!(
            "{file}: table \"{}\": {outside} tiles of zoom level {} lie outside its tile matrix and were not read",
            spec.name, m.zoom
        ));
    }
    let raster = Raster {
        width,
        height,
        values,
        origin: [
            m.origin[0] + col0 as f64 * m.pixel[0],
            m.origin[1] - row0 as f64 * m.pixel[1],
        ],
        cell: m.pixel,
        crs: None,
        nodata: cov.data_null,
        description: Some(spec.description.trim().to_string()).filter(|d| !d.is_empty()),
        age_band_item: None,
        warnings,
    };
    Ok((raster, srs_id, bad_tiles))
}

/// Per tile id its (scale, offset) from gpkg_2d_gridded_tile_ancillary.
fn tile_ancillary(
    conn: &Connection,
    table: &str,
) -> std::result::Result<HashMap<i64, (f64, f64)>, String> {
    let mut st = conn
        .prepare(
            "SELECT tpudt_id, COALESCE(scale, 1.0), COALESCE(offset, 0.0) \
             FROM gpkg_2d_gridded_tile_ancillary WHERE tpudt_name = ?1",
        )
        .map_err(|e| format!("gpkg_2d_gridded_tile_ancillary cannot be read ({e})"))?;
    let rows = st
        .query_map([table], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                (r.get::<_, f64>(1)?, r.get::<_, f64>(2)?),
            ))
        })
        .map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<HashMap<_, _>>>()
        .map_err(|e| format!("gpkg_2d_gridded_tile_ancillary cannot be read ({e})"))
}

/// A coverage table as a population layer (named by the table; its age band from its description,
/// else its name). Errors name the table.
pub(super) fn read_coverage(
    conn: &Connection,
    path: &Path,
    spec: &RasterSpec,
    options: &ReadOptions,
) -> std::result::Result<Layer, String> {
    let named = |e: String| format!("raster table \"{}\": {e}", spec.name);
    let (raster, srs_id, bad_tiles) = read_cells(conn, path, spec).map_err(named)?;
    let mut srs_warning = None;
    let crs = match &options.crs {
        Some(c) => CrsInfo::user(c.clone()),
        None => crs_of(conn, srs_id).unwrap_or_else(|why| {
            srs_warning = Some(why);
            CrsInfo::unknown()
        }),
    };
    let source = SourceInfo {
        path: path.to_path_buf(),
        format: Format::GeoPackage,
        table: Some(spec.name.clone()),
        encoding: None,
    };
    let band = NamedBand {
        band: AgeBand::from_name(&spec.name),
        what: "table name",
    };
    let mut layer = population_layer(&raster, Layer::new(spec.name.clone(), source, crs), band)
        .map_err(|e| named(e.to_string()))?;
    if let Some(why) = srs_warning {
        layer.issues.push(Issue::warning(None, why));
    }
    for t in bad_tiles {
        layer
            .issues
            .push(Issue::warning(None, t).of_kind(crate::model::IssueKind::Truncated));
    }
    Ok(layer)
}

/// The warning for a `tiles` table: imagery, not a population.
pub(super) fn tiles_skipped(spec: &RasterSpec) -> String {
    format!(
        "table \"{}\" holds image tiles (imagery, a basemap), not a population raster: not read; \
         population rasters in a GeoPackage are 2D gridded coverages (gdal_translate -of GPKG -ot Float32)",
        spec.name
    )
}
