//! Reading an OSM extract into one layer per theme (roads, facilities, buildings, admin boundaries).

use super::build::{build_admin, build_buildings, build_facilities, build_roads};
use super::clip::apply_clip;
use super::pbf::{Bad, Raw, WayRec, not_pbf, panic_message, scan};
use super::schema::Schema;
use super::*;

/// Read an OSM PBF extract into four layers: roads, facilities, buildings, admin boundaries
/// (always all four, each possibly empty), in WGS84 lon/lat.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<Layer>> {
    let meta = std::fs::metadata(path).map_err(|e| IoError::open(path, e))?;
    if meta.len() == 0 {
        return Err(not_pbf(path, "the file is empty"));
    }
    // Open it once here so permission problems read as such, not as a bad file.
    std::fs::File::open(path).map_err(|e| IoError::open(path, e))?;
    let schema = Schema::new();
    let raw = match catch_unwind(AssertUnwindSafe(|| scan(path, &schema))) {
        Ok(Ok(raw)) => raw,
        Ok(Err(Bad(why))) => return Err(not_pbf(path, &why)),
        Err(payload) => {
            return Err(not_pbf(
                path,
                &format!("the decoder failed: {}", panic_message(payload.as_ref())),
            ));
        }
    };
    let mut layers = build_layers(path, &raw, &schema);
    if let Some(clip) = &options.clip {
        apply_clip(&mut layers, clip);
    }
    Ok(layers)
}

/// Build the four layers from what was read.
pub(super) fn build_layers(path: &Path, raw: &Raw, schema: &Schema) -> Vec<Layer> {
    let way_index: HashMap<i64, &WayRec> = raw
        .ways
        .iter()
        .chain(&raw.member_ways)
        .map(|w| (w.id, w))
        .collect();
    vec![
        build_roads(path, raw),
        build_facilities(path, raw, schema, &way_index),
        build_buildings(path, raw, &way_index),
        build_admin(path, raw, &way_index),
    ]
}
