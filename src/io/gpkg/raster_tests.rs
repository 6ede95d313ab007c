//! GeoPackage rasters (2D gridded coverages) against the GeoTIFFs GDAL made them from
//! (tests/fixtures/rasters/make_gpkg_rasters.py).

use super::*;
use crate::io::geotiff::{POPULATION_FIELD, Raster, read_geotiff};
use crate::model::{AgeBand, Role};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters")
        .join(name)
}

fn layer<'a>(layers: &'a [Layer], table: &str) -> &'a Layer {
    layers
        .iter()
        .find(|l| l.source.table.as_deref() == Some(table))
        .unwrap_or_else(|| panic!("no layer for table {table}"))
}

/// The cells of a population layer, by cell index (source id - 1), and their total.
fn cells(l: &Layer) -> (std::collections::BTreeMap<u64, f64>, f64) {
    let i = l
        .fields
        .iter()
        .position(|f| f.name == POPULATION_FIELD)
        .expect("population field");
    let mut out = std::collections::BTreeMap::new();
    for f in &l.features {
        let SourceId::Feature(id) = f.source_id else {
            panic!("a cell without an index");
        };
        let AttrValue::Float(v) = f.attrs[i] else {
            panic!("a count that is not a number");
        };
        out.insert(id - 1, v);
    }
    let total = out.values().sum();
    (out, total)
}

/// The populated cells of a GeoTIFF, as the layer numbers them.
fn tif_cells(r: &Raster) -> std::collections::BTreeMap<u64, f64> {
    r.values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|v| *v > 0.0).map(|v| (i as u64, v)))
        .collect()
}

fn point(l: &Layer, id: u64) -> [f64; 2] {
    let f = l
        .features
        .iter()
        .find(|f| f.source_id == SourceId::Feature(id + 1))
        .expect("the cell");
    match &f.geometry {
        Geometry::Point(p) => [p.x(), p.y()],
        g => panic!("not a point: {g:?}"),
    }
}

fn warnings(l: &Layer) -> Vec<&str> {
    l.issues.iter().map(|i| i.message.as_str()).collect()
}

#[test]
fn a_float_coverage_is_the_geotiff_it_was_made_from() {
    let layers = read(&fixture("dxf-town-pop-4549.gpkg"), &ReadOptions::default()).expect("read");
    assert_eq!(
        layers.len(),
        2,
        "two coverages; the imagery table is not a layer"
    );
    let tif = read_geotiff(&fixture("dxf-town-pop-4549.tif")).expect("tif");
    let pop = layer(&layers, "dxf_town_pop");
    assert_eq!(pop.name, "dxf_town_pop");
    assert_eq!(pop.role_hint, Some(Role::Population));
    assert_eq!(pop.source.format, Format::GeoPackage);
    assert_eq!(pop.crs.crs, Some(Crs::Epsg(4549)));
    assert_eq!(pop.age_band, None);
    let (got, total) = cells(pop);
    assert_eq!(got, tif_cells(&tif), "the same cells, the same counts");
    assert_eq!(total, tif.total());
    assert_eq!(total, 5220.0);
    // The extent: the first and last cells' centres where the GeoTIFF has them.
    for id in [
        *got.keys().next().expect("a cell"),
        *got.keys().last().expect("a cell"),
    ] {
        let (col, row) = (id as usize % tif.width, id as usize / tif.width);
        assert_eq!(point(pop, id), tif.centre(col, row));
    }
    let band = layer(&layers, "age_3_5");
    assert_eq!(band.age_band, AgeBand::parse("3-5").ok());
    let band_tif = read_geotiff(&fixture("dxf-town-band-4549.tif")).expect("tif");
    assert_eq!(cells(band).0, tif_cells(&band_tif));
    assert_eq!(cells(band).1, 786.0);
    let skipped: Vec<&str> = layers
        .iter()
        .flat_map(|l| warnings(l))
        .filter(|m| m.contains("\"basemap\""))
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].contains("not a population raster"),
        "{}",
        skipped[0]
    );
}

#[test]
fn an_integer_coverage_reads_png_tiles_with_their_scale_and_offset() {
    let layers = read(&fixture("pop-4549-uint16.gpkg"), &ReadOptions::default()).expect("read");
    assert_eq!(layers.len(), 2);
    // UInt16 (scale 1, offset 0): exact.
    let tif = read_geotiff(&fixture("dxf-town-pop-4549.tif")).expect("tif");
    let (got, total) = cells(layer(&layers, "dxf_town_pop"));
    assert_eq!(got, tif_cells(&tif));
    assert_eq!(total, 5220.0);
    // Float32 quantised by GDAL into 16 bits per tile: (max - min) / 65534 per step.
    let tif = read_geotiff(&fixture("pop-4549-deflate-tiled.tif")).expect("tif");
    let want = tif_cells(&tif);
    let (got, total) = cells(layer(&layers, "pop_scaled"));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the same cells have people (nodata where the GeoTIFF has it)"
    );
    let step = 10.0 / 65534.0;
    for (id, v) in &got {
        assert!(
            (v - want[id]).abs() <= step,
            "cell {id}: {v} vs {}",
            want[id]
        );
    }
    assert!(
        (total - 5816.75).abs() <= step * got.len() as f64,
        "{total}"
    );
}

/// A copy of a fixture, changed by `sql`.
fn broken(name: &str, sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).expect("copy");
    let conn = Connection::open(&path).expect("open");
    // Broken on purpose: past the GeoPackage's foreign keys and checks.
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON;")
        .expect("pragmas");
    conn.execute_batch(sql).expect("change");
    (dir, path)
}

/// The layers of a copy of a fixture changed by `sql`.
fn read_changed(name: &str, sql: &str) -> Vec<Layer> {
    let (_dir, path) = broken(name, sql);
    read(&path, &ReadOptions::default()).expect("read")
}

#[test]
fn a_truncated_tile_is_named_and_the_rest_is_read() {
    let (_dir, path) = broken(
        "dxf-town-pop-4549.gpkg",
        "UPDATE dxf_town_pop SET tile_data = substr(tile_data, 1, 60) \
         WHERE zoom_level = 2 AND tile_row = 0 AND tile_column = 1",
    );
    let layers = read(&path, &ReadOptions::default()).expect("read");
    let pop = layer(&layers, "dxf_town_pop");
    let w = warnings(pop);
    let tile = w
        .iter()
        .find(|m| m.contains("tile zoom 2 row 0 column 1"))
        .unwrap_or_else(|| panic!("{w:?}"));
    assert!(tile.contains("\"dxf_town_pop\"") && tile.contains("dxf-town-pop-4549.gpkg"));
    assert!(
        pop.issues
            .iter()
            .any(|i| i.message == *tile && i.kind == crate::model::IssueKind::Truncated),
        "a tile not read is a truncation (data-quality 文件不完整)"
    );
    // The other tiles and the other table are read.
    let (got, total) = cells(pop);
    assert!(!got.is_empty() && total < 5220.0, "{total}");
    assert!(got.keys().all(|id| {
        let (col, row) = (id % 19, id / 19);
        !((8..16).contains(&col) && row < 8)
    }));
    assert_eq!(cells(layer(&layers, "age_3_5")).1, 786.0);
}

#[test]
fn a_broken_table_is_an_error_naming_it_and_the_others_load() {
    let cases = [
        (
            "UPDATE gpkg_2d_gridded_coverage_ancillary SET datatype = 'complex' WHERE tile_matrix_set_name = 'age_3_5'",
            "age_3_5",
            "data type \"complex\"",
        ),
        (
            "DELETE FROM gpkg_2d_gridded_coverage_ancillary WHERE tile_matrix_set_name = 'age_3_5'",
            "age_3_5",
            "no row in gpkg_2d_gridded_coverage_ancillary",
        ),
        (
            "UPDATE gpkg_tile_matrix SET matrix_width = 3 WHERE table_name = 'dxf_town_pop' AND zoom_level = 2",
            "dxf_town_pop",
            "inconsistent sizes",
        ),
        (
            "UPDATE gpkg_tile_matrix SET matrix_width = 2, matrix_height = 2, tile_width = 16, \
             tile_height = 16 WHERE table_name = 'dxf_town_pop' AND zoom_level = 2",
            "dxf_town_pop",
            "a TIFF of 8 × 8 cells, the tile matrix says 16 × 16",
        ),
        (
            "UPDATE gpkg_tile_matrix SET matrix_width = 2000000, matrix_height = 2000000, \
             pixel_x_size = 0.0001, pixel_y_size = 0.0001 \
             WHERE table_name = 'dxf_town_pop' AND zoom_level = 2",
            "dxf_town_pop",
            "more than towncircle reads",
        ),
        (
            "DELETE FROM gpkg_tile_matrix WHERE table_name = 'dxf_town_pop' AND zoom_level = 2",
            "dxf_town_pop",
            "no row in gpkg_tile_matrix",
        ),
    ];
    for (sql, table, why) in cases {
        let layers = read_changed("dxf-town-pop-4549.gpkg", sql);
        assert_eq!(layers.len(), 1, "{sql}");
        assert_ne!(layers[0].name, table);
        let w = warnings(&layers[0]);
        assert!(
            w.iter()
                .any(|m| m.contains(&format!("raster table \"{table}\"")) && m.contains(why)),
            "{sql}: {w:?}"
        );
    }
}

#[test]
fn a_geopackage_of_broken_rasters_or_imagery_only_is_an_error_naming_the_file() {
    let (_dir, path) = broken(
        "dxf-town-pop-4549.gpkg",
        "UPDATE dxf_town_pop SET tile_data = x'89504e47'; \
         DELETE FROM gpkg_contents WHERE table_name = 'age_3_5'",
    );
    let e = read(&path, &ReadOptions::default())
        .expect_err("nothing readable")
        .to_string();
    assert!(e.contains("dxf-town-pop-4549.gpkg"), "{e}");
    assert!(e.contains("no tile of zoom level 2 could be read"), "{e}");
    assert!(e.contains("tile zoom 2 row"), "{e}");
    assert!(e.contains("\"basemap\" holds image tiles"), "{e}");
}

#[test]
fn an_age_band_in_the_description_wins_over_the_table_name_with_a_warning() {
    let layers = read_changed(
        "dxf-town-pop-4549.gpkg",
        "UPDATE gpkg_contents SET description = '60岁以上' WHERE table_name = 'age_3_5'",
    );
    let band = layer(&layers, "age_3_5");
    assert_eq!(band.age_band, AgeBand::parse("60+").ok());
    assert!(
        warnings(band)
            .iter()
            .any(|m| m.contains("its table name 3-5")),
        "{:?}",
        warnings(band)
    );
}

#[test]
fn integer_tiles_without_their_scale_and_offset_are_read_raw_and_said() {
    let layers = read_changed(
        "pop-4549-uint16.gpkg",
        "DELETE FROM gpkg_2d_gridded_tile_ancillary WHERE tpudt_name = 'pop_scaled'",
    );
    let scaled = layer(&layers, "pop_scaled");
    let w = warnings(scaled);
    assert!(
        w.iter().any(|m| m.contains("\"pop_scaled\"")
            && m.contains("6 tiles (tile zoom 2 row ")
            && m.contains("no row in gpkg_2d_gridded_tile_ancillary")),
        "{w:?}"
    );
    // The exact table beside it is untouched.
    assert_eq!(cells(layer(&layers, "dxf_town_pop")).1, 5220.0);
}
