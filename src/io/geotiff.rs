//! Population rasters: a single-band GeoTIFF (WorldPop 100 m, a census grid, a statistics
//! bureau's 人口 raster) read into cells with their georeferencing, CRS and nodata.
//!
//! Read: 8–64-bit integer and 32/64-bit float samples, striped or tiled, uncompressed, deflate
//! or LZW (the `tiff` crate); the georeferencing from ModelPixelScale + ModelTiepoint (north-up
//! rasters; a ModelTransformation without rotation too); the CRS from the GeoKeys
//! (ProjectedCSTypeGeoKey, else GeographicTypeGeoKey, as EPSG codes); nodata from GDAL's tag.
//! Several bands: the first is read and a warning says so. Not read: rotated rasters, user-defined
//! CRS GeoKeys (an error names the file; give the CRS by hand), a TIFF without georeferencing
//! (an error).
//!
//! As a layer ([`read_layer`]): one point per cell with people (count > 0) at the cell's centre,
//! with its count (`population`) and the cell's size, role [`Role::Population`]: demand spreads
//! each cell's count to the buildings in it (see `access::demand`).
//!
//! Age bands (年龄段): a raster counting only some ages (the elderly, 60+) says so by its first
//! band's GDAL description (`DESCRIPTION` in the GDAL_METADATA tag, as `gdal_edit.py` or
//! rasterio's `set_band_description` write it) or an `age_band` metadata item, else by its file
//! name (`pop_60plus.tif`, `age_3-5.tif`: see [`AgeBand::from_file_name`]); the layer's
//! [`Layer::age_band`] carries it (`--age-band` overrides it on load).

use std::path::Path;

use tiff::decoder::{Decoder, DecodingResult, ifd::Value};
use tiff::tags::Tag;

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location};
use crate::model::layer::{
    AttrValue, Feature, Field, FieldKind, Format, Issue, SourceId, SourceInfo,
};
use crate::model::{AgeBand, Layer, Role};

use super::ReadOptions;

/// The fields of a population raster's layer.
pub const POPULATION_FIELD: &str = "population";
pub const CELL_FIELD: &str = "cell_size";

/// A GeoTIFF as a layer of its populated cells (see the module). The CRS is the user's, else
/// the raster's GeoKeys', else guessed on load from the magnitudes.
pub fn read_layer(path: &Path, options: &ReadOptions) -> crate::error::Result<Layer> {
    let raster = read_geotiff(path).map_err(|m| IoError::invalid(path, Location::File, m))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "population".into());
    let crs = match (&options.crs, &raster.crs) {
        (Some(c), _) => CrsInfo::user(c.clone()),
        (None, Some(c)) => CrsInfo::declared(c.clone(), "GeoTIFF GeoKeys"),
        (None, None) => CrsInfo::unknown(),
    };
    let source = SourceInfo {
        path: path.to_path_buf(),
        format: Format::GeoTiff,
        table: None,
        encoding: None,
    };
    let named = NamedBand {
        band: AgeBand::from_file_name(path),
        what: "file name",
    };
    population_layer(&raster, Layer::new(name, source, crs), named)
}

/// The age band a raster's name gives (a file name, a GeoPackage table name), and what the name is.
#[derive(Debug, Clone, Copy)]
pub struct NamedBand {
    pub band: Option<AgeBand>,
    /// `file name`, `table name`: for the warning when the metadata says otherwise.
    pub what: &'static str,
}

/// `layer` (named, with its source and CRS) filled with the populated cells of `raster`: one point
/// per cell with people, role population, the age band from the raster's metadata else `named`.
/// Shared by the GeoTIFF and GeoPackage (2D gridded coverage) readers.
pub fn population_layer(
    raster: &Raster,
    mut layer: Layer,
    named: NamedBand,
) -> crate::error::Result<Layer> {
    layer.fields = vec![
        Field::new(POPULATION_FIELD, FieldKind::Float),
        Field::new(CELL_FIELD, FieldKind::Float),
    ];
    layer.role_hint = Some(Role::Population);
    let from_metadata = raster
        .age_band_item
        .as_deref()
        .or(raster.description.as_deref())
        .and_then(AgeBand::from_description);
    let from_name = named.band;
    if let (Some(m), Some(n)) = (from_metadata, from_name)
        && m != n
    {
        layer.issues.push(Issue::warning(
            None,
            format!(
                "the raster's metadata says ages {m}, its {} {n}: {m} is used (give --age-band to choose)",
                named.what
            ),
        ));
    }
    layer.age_band = from_metadata.or(from_name);
    let size = raster.cell[0].max(raster.cell[1]);
    let (mut empty, mut negative) = (0usize, 0usize);
    for row in 0..raster.height {
        for col in 0..raster.width {
            let i = row * raster.width + col;
            match raster.values[i] {
                Some(v) if v > 0.0 => {
                    let c = raster.centre(col, row);
                    layer.features.push(Feature {
                        geometry: geo_types::Geometry::Point(geo_types::Point::new(c[0], c[1])),
                        attrs: vec![AttrValue::Float(v), AttrValue::Float(size)],
                        source_id: SourceId::Feature(i as u64 + 1),
                        category: None,
                    });
                }
                Some(v) if v < 0.0 => negative += 1,
                _ => empty += 1,
            }
        }
    }
    for w in &raster.warnings {
        layer.issues.push(Issue::warning(None, w.clone()));
    }
    if negative > 0 {
        layer.issues.push(Issue::warning(
            None,
            format!("{negative} cells with a negative count were left out (not a population)"),
        ));
    }
    if layer.features.is_empty() {
        return Err(IoError::EmptyLayer {
            path: layer.source.path.clone(),
            detail: format!(
                "no cell of the {} × {} raster has people ({empty} empty or nodata)",
                raster.width, raster.height
            ),
        }
        .into());
    }
    Ok(layer)
}

/// A raster read from a GeoTIFF: `width` × `height` cells, row by row from the top.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    /// Per cell its value; None for nodata (and NaN).
    pub values: Vec<Option<f64>>,
    /// Upper-left corner of the upper-left cell, in the raster's CRS.
    pub origin: [f64; 2],
    /// Cell size (x, y), positive; rows go down (y decreases).
    pub cell: [f64; 2],
    pub crs: Option<Crs>,
    pub nodata: Option<f64>,
    /// The first band's description (GDAL_METADATA `DESCRIPTION`), when the file has one.
    pub description: Option<String>,
    /// An `age_band` (or `年龄段`) metadata item of the file or its first band.
    pub age_band_item: Option<String>,
    /// What was read only partly or guessed (extra bands, point-registered cells…).
    pub warnings: Vec<String>,
}

impl Raster {
    /// The sum of every cell with a value.
    pub fn total(&self) -> f64 {
        self.values.iter().flatten().sum()
    }

    /// The centre of cell (col, row).
    pub fn centre(&self, col: usize, row: usize) -> [f64; 2] {
        [
            self.origin[0] + (col as f64 + 0.5) * self.cell[0],
            self.origin[1] - (row as f64 + 0.5) * self.cell[1],
        ]
    }
}

const GT_RASTER_TYPE: u16 = 1025;
const RASTER_PIXEL_IS_POINT: u16 = 2;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
/// GeoTIFF's "user-defined" key value.
const USER_DEFINED: u16 = 32767;

/// The colour model of a TIFF that is a picture (imagery, a scanned plan), not values.
fn image_colours<R: std::io::Read + std::io::Seek>(dec: &mut Decoder<R>) -> Option<&'static str> {
    match dec
        .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .ok()
        .flatten()?
    {
        2 => Some("RGB"),
        3 => Some("palette"),
        5 => Some("CMYK"),
        6 => Some("YCbCr"),
        _ => None,
    }
}

/// Is the TIFF at `path` a population raster towncircle reads (one band of values, not an
/// image, georeferenced)? From its header only: folders take their TIFFs by it, so an aerial
/// image or a scanned plan beside the data is left out as a PDF would be.
pub fn is_population_raster(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(mut dec) = Decoder::new(std::io::BufReader::new(file)) else {
        return false;
    };
    let bands = dec
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .ok()
        .flatten()
        .unwrap_or(1);
    let georeferenced = matches!(dec.find_tag(Tag::ModelTransformationTag), Ok(Some(_)))
        || (matches!(dec.find_tag(Tag::ModelPixelScaleTag), Ok(Some(_)))
            && matches!(dec.find_tag(Tag::ModelTiepointTag), Ok(Some(_))));
    image_colours(&mut dec).is_none() && bands == 1 && georeferenced
}

/// Read the first band of a GeoTIFF. Errors name the file and say what is missing or broken.
pub fn read_geotiff(path: &Path) -> Result<Raster, String> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let mut dec = Decoder::new(std::io::BufReader::new(file))
        .map_err(|e| format!("{name}: not a TIFF file ({e})"))?;
    let (w, h) = dec
        .dimensions()
        .map_err(|e| format!("{name}: no image size ({e})"))?;
    let (width, height) = (w as usize, h as usize);
    if let Some(kind) = image_colours(&mut dec) {
        return Err(format!(
            "{name}: an image ({kind} colours), not a population raster: towncircle reads single-band counts of people per cell (WorldPop, census grids)"
        ));
    }
    let mut warnings = Vec::new();
    let bands = dec
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .ok()
        .flatten()
        .unwrap_or(1)
        .max(1) as usize;
    if bands > 1 {
        warnings.push(format!("{name}: {bands} bands, only the first is read"));
    }

    // Georeferencing.
    let scale = dec.find_tag(Tag::ModelPixelScaleTag).ok().flatten();
    let tie = dec.find_tag(Tag::ModelTiepointTag).ok().flatten();
    let matrix = dec.find_tag(Tag::ModelTransformationTag).ok().flatten();
    let floats = |v: Value| v.into_f64_vec().ok();
    let (origin, cell) = match (scale.and_then(floats), tie.and_then(floats), matrix) {
        (Some(s), Some(t), _) if s.len() >= 2 && t.len() >= 6 => {
            // Tiepoint raster (i, j) = model (x, y).
            let cell = [s[0], s[1]];
            ([t[3] - t[0] * cell[0], t[4] + t[1] * cell[1]], cell)
        }
        (_, _, Some(m)) => {
            let m = floats(m).unwrap_or_default();
            if m.len() < 16 {
                return Err(format!(
                    "{name}: a ModelTransformation of {} values",
                    m.len()
                ));
            }
            if m[1] != 0.0 || m[4] != 0.0 {
                return Err(format!(
                    "{name}: a rotated raster (ModelTransformation with rotation) is not read"
                ));
            }
            ([m[3], m[7]], [m[0], -m[5]])
        }
        _ => {
            return Err(format!(
                "{name}: no georeferencing (neither ModelPixelScale + ModelTiepoint nor \
                 ModelTransformation): not a GeoTIFF"
            ));
        }
    };
    if !(cell[0] > 0.0 && cell[1] > 0.0 && origin.iter().all(|v| v.is_finite())) {
        return Err(format!(
            "{name}: bad cell size {cell:?} or origin {origin:?}"
        ));
    }

    // GeoKeys: header (version, revision, minor, count), then count × (id, location, n, value).
    let mut crs = None;
    let mut origin = origin;
    if let Ok(keys) = dec.get_tag_u16_vec(Tag::GeoKeyDirectoryTag) {
        let key = |id: u16| {
            keys.get(4..)?
                .chunks_exact(4)
                .find(|k| k[0] == id && k[1] == 0)
                .map(|k| k[3])
        };
        let code = key(PROJECTED_CS_TYPE).or_else(|| key(GEOGRAPHIC_TYPE));
        match code {
            Some(USER_DEFINED) => warnings.push(format!(
                "{name}: a user-defined CRS in its GeoKeys, not read: give the CRS by hand"
            )),
            Some(c) => crs = Some(Crs::Epsg(u32::from(c))),
            None => warnings.push(format!("{name}: no CRS in its GeoKeys")),
        }
        if key(GT_RASTER_TYPE) == Some(RASTER_PIXEL_IS_POINT) {
            // The tiepoint is the centre of the first cell: move to its corner.
            origin = [origin[0] - cell[0] / 2.0, origin[1] + cell[1] / 2.0];
        }
    } else {
        warnings.push(format!("{name}: no GeoKeys: CRS unknown"));
    }
    let nodata = dec
        .get_tag_ascii_string(Tag::GdalNodata)
        .ok()
        .and_then(|s| s.trim_matches(char::from(0)).trim().parse::<f64>().ok());
    let (description, age_band_item) = dec
        .get_tag_ascii_string(Tag::Unknown(GDAL_METADATA))
        .map(|xml| gdal_metadata(&xml))
        .unwrap_or_default();

    let image = dec
        .read_image()
        .map_err(|e| format!("{name}: the cells could not be read ({e})"))?;
    let raw: Vec<f64> = match image {
        DecodingResult::U8(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f64).collect(),
        DecodingResult::I8(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f64).collect(),
        DecodingResult::F16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F64(v) => v,
    };
    if raw.len() != width * height * bands {
        return Err(format!(
            "{name}: {} samples for {width} × {height} cells × {bands} bands",
            raw.len()
        ));
    }
    let values = raw
        .chunks_exact(bands)
        .map(|s| {
            let v = s[0];
            let missing = v.is_nan() || nodata.is_some_and(|n| v == n);
            (!missing).then_some(v)
        })
        .collect();
    Ok(Raster {
        width,
        height,
        values,
        origin,
        cell,
        crs,
        nodata,
        description,
        age_band_item,
        warnings,
    })
}

/// GDAL's metadata tag (XML: `<GDALMetadata><Item name=… sample=… role=…>value</Item>…`).
const GDAL_METADATA: u16 = 42112;

/// From GDAL's metadata XML: the first band's description and an `age_band` item (of the file
/// or its first band).
fn gdal_metadata(xml: &str) -> (Option<String>, Option<String>) {
    let attr = |tag: &str, key: &str| -> Option<String> {
        let at = tag.find(&format!("{key}=\""))? + key.len() + 2;
        let end = tag[at..].find('"')?;
        Some(tag[at..at + end].to_string())
    };
    let (mut description, mut age_band) = (None, None);
    let mut rest = xml;
    while let Some(open) = rest.find("<Item") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let Some(close) = after.find("</Item>") else {
            break;
        };
        let value = unescape_xml(after.get(tag_end + 1..close).unwrap_or_default());
        let first_band = attr(tag, "sample").is_none_or(|s| s == "0");
        match attr(tag, "name").as_deref() {
            Some("DESCRIPTION") if attr(tag, "sample").as_deref() == Some("0") => {
                description.get_or_insert(value);
            }
            Some(n)
                if first_band
                    && (n.eq_ignore_ascii_case("age_band") || n == "年龄段" || n == "年龄") =>
            {
                age_band.get_or_insert(value);
            }
            _ => {}
        }
        rest = &after[close + "</Item>".len()..];
    }
    let keep = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    (keep(description), keep(age_band))
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rasters")
            .join(name)
    }

    /// The fixtures' cells, as tests/fixtures/rasters/README.md says GDAL wrote them:
    /// ((row·7 + col·3) mod 11) + frac, nodata where (row + col) mod 13 = 0 (when the file has
    /// nodata).
    fn expected(w: usize, h: usize, frac: f64, with_nodata: bool) -> Vec<Option<f64>> {
        (0..h)
            .flat_map(|r| {
                (0..w).map(move |c| {
                    let missing = with_nodata && (r + c) % 13 == 0;
                    (!missing).then_some(((r * 7 + c * 3) % 11) as f64 + frac)
                })
            })
            .collect()
    }

    #[test]
    fn float_deflate_tiled_in_cgcs2000() {
        let r = read_geotiff(&fixture("pop-4549-deflate-tiled.tif")).expect("read");
        assert_eq!((r.width, r.height), (40, 30));
        assert_eq!(r.crs, Some(Crs::Epsg(4549)));
        assert_eq!(r.origin, [480_000.0, 3_310_000.0]);
        assert_eq!(r.cell, [100.0, 100.0]);
        assert_eq!(r.nodata, Some(-9999.0));
        assert_eq!(r.values, expected(40, 30, 0.25, true));
        assert!((r.total() - 5816.75).abs() < 1e-9, "GDAL's sum");
        assert_eq!(r.centre(0, 0), [480_050.0, 3_309_950.0]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn uint16_lzw_striped_in_utm_and_int32_in_lon_lat() {
        let r = read_geotiff(&fixture("pop-32651-lzw-striped-uint16.tif")).expect("read");
        assert_eq!(
            (r.width, r.height, r.crs.clone()),
            (33, 25, Some(Crs::Epsg(32651)))
        );
        assert_eq!(r.values, expected(33, 25, 0.0, true));
        assert_eq!(r.total(), 3807.0);
        let r = read_geotiff(&fixture("pop-4326-int32.tif")).expect("read");
        assert_eq!(
            (r.width, r.height, r.crs.clone()),
            (10, 12, Some(Crs::Epsg(4326)))
        );
        assert_eq!(r.nodata, None);
        assert_eq!(r.values, expected(10, 12, 0.0, false));
        assert_eq!(r.total(), 597.0);
        assert!((r.origin[0] - 119.9).abs() < 1e-12 && (r.origin[1] - 30.3).abs() < 1e-12);
    }

    /// As a layer: a point per cell with people, at the centre, with its count; the role a
    /// population raster's; nodata and empty cells left out; the total kept.
    #[test]
    fn a_raster_as_a_layer_of_populated_cells() {
        let path = fixture("pop-4549-deflate-tiled.tif");
        let l = read_layer(&path, &ReadOptions::default()).expect("layer");
        let cells = expected(40, 30, 0.25, true);
        assert_eq!(l.features.len(), cells.iter().flatten().count());
        assert_eq!(l.role_hint, Some(Role::Population));
        assert_eq!(l.source_crs.crs, Some(Crs::Epsg(4549)));
        let total: f64 = l.features.iter().filter_map(|f| f.attrs[0].as_f64()).sum();
        assert!((total - 5816.75).abs() < 1e-9);
        let first = &l.features[0];
        assert_eq!(
            first.source_id,
            SourceId::Feature(2),
            "cell (0, 0) is nodata"
        );
        let geo_types::Geometry::Point(p) = first.geometry else {
            panic!("a point")
        };
        assert_eq!((p.x(), p.y()), (480_150.0, 3_309_950.0));
        assert_eq!(first.attrs[1].as_f64(), Some(100.0));
        // The user's CRS wins over the file's.
        let user = ReadOptions {
            crs: Some(Crs::Epsg(4550)),
            ..Default::default()
        };
        let l = read_layer(&path, &user).expect("layer");
        assert_eq!(l.source_crs.crs, Some(Crs::Epsg(4550)));
        // Through io::read by the file's extension; errors name the file.
        assert_eq!(
            crate::io::read(&path, &ReadOptions::default())
                .expect("read")
                .len(),
            1
        );
        let e = crate::io::read(&fixture("plain-no-georef.tif"), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("plain-no-georef.tif"), "{e}");
    }

    /// An aerial image is refused by name; only population rasters are taken from folders.
    #[test]
    fn images_are_not_population_rasters() {
        let e = read_geotiff(&fixture("imagery-rgb-4549.tif")).unwrap_err();
        assert!(
            e.contains("imagery-rgb-4549.tif") && e.contains("RGB"),
            "{e}"
        );
        assert!(!is_population_raster(&fixture("imagery-rgb-4549.tif")));
        assert!(!is_population_raster(&fixture("plain-no-georef.tif")));
        assert!(is_population_raster(&fixture("pop-4549-deflate-tiled.tif")));
        let dir = tempfile::tempdir().expect("tmp");
        for f in [
            "imagery-rgb-4549.tif",
            "plain-no-georef.tif",
            "pop-4326-int32.tif",
        ] {
            std::fs::copy(fixture(f), dir.path().join(f)).expect("copy");
        }
        let files = crate::io::data_files_in(dir.path());
        assert_eq!(files, vec![dir.path().join("pop-4326-int32.tif")]);
    }

    /// The age band of a raster: GDAL's band description (written by rasterio), else the file
    /// name; the description wins over a name that says otherwise (with a warning), and
    /// `--age-band` (LoadOptions::age_band_for) over both. A total-population raster has none.
    #[test]
    fn age_bands_from_description_file_name_or_the_user() {
        let layer = |p: &Path| read_layer(p, &ReadOptions::default()).expect("layer");
        let r = read_geotiff(&fixture("dxf-town-band-4549.tif")).expect("read");
        assert_eq!(r.description.as_deref(), Some("age 3-5"));
        let band = |t: &str| AgeBand::parse(t).ok();
        assert_eq!(
            layer(&fixture("dxf-town-band-4549.tif")).age_band,
            band("3-5")
        );
        assert_eq!(
            layer(&fixture("demo-town-pop60plus-4326.tif")).age_band,
            band("60+")
        );
        for f in ["demo-town-pop-4326.tif", "pop-4549-deflate-tiled.tif"] {
            assert_eq!(layer(&fixture(f)).age_band, None, "{f}");
        }
        let dir = tempfile::tempdir().expect("tmp");
        let renamed = dir.path().join("pop_60plus.tif");
        std::fs::copy(fixture("dxf-town-band-4549.tif"), &renamed).expect("copy");
        let l = layer(&renamed);
        assert_eq!(l.age_band, band("3-5"));
        assert!(
            l.issues
                .iter()
                .any(|i| i.message.contains("3-5") && i.message.contains("60+")),
            "{:?}",
            l.issues
        );
        let options = crate::io::LoadOptions {
            age_band_for: vec![("pop_60plus.tif".into(), AgeBand::ELDERLY)],
            ..Default::default()
        };
        let ds = crate::io::load(std::slice::from_ref(&renamed), &options);
        assert_eq!(ds.layers[0].age_band, Some(AgeBand::ELDERLY));
    }

    #[test]
    fn gdal_metadata_items() {
        let xml = r#"<GDALMetadata>
  <Item name="AREA_OR_POINT">Area</Item>
  <Item name="DESCRIPTION" sample="1" role="description">second</Item>
  <Item name="DESCRIPTION" sample="0" role="description">60岁以上 &amp; older</Item>
  <Item name="age_band" sample="0">65+</Item>
</GDALMetadata>"#;
        assert_eq!(
            gdal_metadata(xml),
            (Some("60岁以上 & older".into()), Some("65+".into()))
        );
        assert_eq!(gdal_metadata("<GDALMetadata><Item name="), (None, None));
        assert_eq!(gdal_metadata(""), (None, None));
    }

    #[test]
    fn bad_rasters_are_named_errors() {
        let e = read_geotiff(&fixture("plain-no-georef.tif")).unwrap_err();
        assert!(
            e.contains("plain-no-georef.tif") && e.contains("no georeferencing"),
            "{e}"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let junk = dir.path().join("人口.tif");
        std::fs::write(&junk, b"II*\0garbage").expect("write");
        let e = read_geotiff(&junk).unwrap_err();
        assert!(e.contains("人口.tif"), "{e}");
        // Truncated: the first half of a real one.
        let bytes = std::fs::read(fixture("pop-4549-deflate-tiled.tif")).expect("fixture");
        let cut = dir.path().join("cut.tif");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
        let e = read_geotiff(&cut).unwrap_err();
        assert!(e.contains("cut.tif"), "{e}");
        let e = read_geotiff(&dir.path().join("missing.tif")).unwrap_err();
        assert!(e.contains("missing.tif"), "{e}");
    }
}
