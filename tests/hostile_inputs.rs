//! Hostile inputs that a random mutation rarely builds: a GeoPackage whose feature table is a
//! recursive view that never ends, and a shapefile record that claims 10^8 points. Each must end
//! in a clear error (or a skipped feature) within bounded time and memory.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use towncircle::io::{LoadOptions, ReadOptions, load};

fn sample(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps")
        .join(rel)
}

/// Runs `f` on a thread; panics when it does not finish in `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

#[test]
fn a_geopackage_with_an_endless_recursive_view_is_refused_in_bounded_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let ds = load(
        &[sample("qingxi-demo-town/行政村.shp")],
        &LoadOptions::default(),
    );
    let gpkg = dir.path().join("loop.gpkg");
    towncircle::io::gpkg::write(&gpkg, &[&ds.layers[0]]).expect("write");
    {
        let conn = rusqlite::Connection::open(&gpkg).expect("open");
        conn.execute_batch(
            "CREATE VIEW endless AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
               SELECT x AS fid, NULL AS geom FROM r;
             INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
               VALUES ('endless', 'features', 'endless', 4549);
             INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
               VALUES ('endless', 'geom', 'GEOMETRY', 4549, 0, 0);",
        )
        .expect("add the view");
    }
    let path = gpkg.clone();
    let result = within(Duration::from_secs(60), move || {
        towncircle::io::read(&path, &ReadOptions::default()).map(|ls| {
            ls.iter()
                .map(|l| {
                    let lost = towncircle::io::quality::layer_records(l).iter().any(|q| {
                        q.loses_features && q.details.iter().any(|d| d.contains("endless"))
                    });
                    (l.name.clone(), l.features.len(), usize::from(lost))
                })
                .collect::<Vec<_>>()
        })
    });
    match result {
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("loop.gpkg"), "{msg}");
        }
        Ok(layers) => {
            // The good table is read; the endless view is not, and the data-quality records
            // say the file was read only partly, naming it.
            assert!(layers.iter().any(|(_, n, _)| *n == 14), "{layers:?}");
            assert!(layers.iter().any(|(_, _, lost)| *lost == 1), "{layers:?}");
            assert!(layers.iter().all(|(_, n, _)| *n < 10_000_000), "{layers:?}");
        }
    }
}

/// An .xlsx whose sheet declares 3 GB unpacked (a zip bomb's signature) is refused before it is
/// opened, with the file named; the same workbook with honest sizes reads.
#[test]
fn an_xlsx_declaring_gigabytes_unpacked_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("好.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["名称", "经度", "纬度"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    sheet.write_string(1, 0, "清溪镇卫生院").expect("cell");
    sheet.write_number(1, 1, 119.95).expect("cell");
    sheet.write_number(1, 2, 30.05).expect("cell");
    book.save(&good).expect("save");
    let layers =
        towncircle::io::read(&good, &ReadOptions::default()).expect("the honest one reads");
    assert_eq!(layers[0].features.len(), 1);

    // Patch every central-directory entry's uncompressed size (offset 24) to 3 GB.
    let mut bytes = std::fs::read(&good).expect("read");
    let mut i = 0;
    let mut patched = 0;
    while i + 46 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            bytes[i + 24..i + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
            patched += 1;
        }
        i += 1;
    }
    assert!(patched > 0);
    let bomb = dir.path().join("炸弹.xlsx");
    std::fs::write(&bomb, bytes).expect("write");
    let path = bomb.clone();
    let err = within(Duration::from_secs(30), move || {
        towncircle::io::read(&path, &ReadOptions::default()).map(|_| ())
    })
    .expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("炸弹.xlsx") && msg.contains("zip bomb"),
        "{msg}"
    );
}
