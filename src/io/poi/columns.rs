//! Finding the columns of a POI table by their names (Amap, Baidu, Tencent and hand-made exports): longitude, latitude, a joined location, name, type, type code, address, and a CRS written into a header or the file name.

use super::*;

/// The CRS a column name or file name hints at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsTag {
    Wgs84,
    Gcj02,
    Bd09,
}

impl CrsTag {
    pub(super) fn crs(self) -> Crs {
        match self {
            CrsTag::Wgs84 => Crs::WGS84,
            CrsTag::Gcj02 => Crs::Gcj02,
            CrsTag::Bd09 => Crs::Bd09,
        }
    }
}

/// The columns of a POI table that towncircle understands (indices into the headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub lon: Option<usize>,
    pub lat: Option<usize>,
    /// One column holding `"lng,lat"` (used when there is no lon/lat pair).
    pub location: Option<usize>,
    pub name: Option<usize>,
    /// 类型 / type / 大类 / 中类 / 小类.
    pub kind: Option<usize>,
    pub typecode: Option<usize>,
    pub address: Option<usize>,
    /// The CRS the chosen coordinate column names hint at, with that column's name.
    pub crs_hint: Option<(CrsTag, String)>,
}

impl Columns {
    /// True when the table has coordinates: a lon/lat pair or a combined column.
    pub fn has_coordinates(&self) -> bool {
        (self.lon.is_some() && self.lat.is_some()) || self.location.is_some()
    }
}

pub(super) const LON_NAMES: &[&str] = &[
    "lng",
    "lon",
    "long",
    "longitude",
    "x",
    "pointx",
    "xcoord",
    "经度",
    "东经",
    "x坐标",
    "经度坐标",
    "经度值",
];
pub(super) const LAT_NAMES: &[&str] = &[
    "lat",
    "latitude",
    "y",
    "pointy",
    "ycoord",
    "纬度",
    "北纬",
    "y坐标",
    "纬度坐标",
    "纬度值",
];
pub(super) const LOCATION_NAMES: &[&str] = &[
    "location",
    "坐标",
    "经纬度",
    "经纬度坐标",
    "lnglat",
    "lonlat",
    "coordinates",
    "coordinate",
    "坐标点",
];
pub(super) const NAME_NAMES: &[&str] = &[
    "名称",
    "name",
    "poi名称",
    "poiname",
    "设施名称",
    "名字",
    "title",
];
pub(super) const TYPE_NAMES: &[&str] = &[
    "类型",
    "type",
    "poi类型",
    "poitype",
    "类别",
    "分类",
    "小类",
    "中类",
    "大类",
];
pub(super) const TYPECODE_NAMES: &[&str] = &[
    "类型编码",
    "typecode",
    "poi类型编码",
    "poitypecode",
    "分类编码",
    "编码",
];
pub(super) const ADDRESS_NAMES: &[&str] = &["地址", "address", "addr", "详细地址", "poi地址"];

/// CRS tags as whole tokens of a column name (`gcj_lng`, `lng_bd`).
pub(super) const TAG_TOKENS: &[(&str, CrsTag)] = &[
    ("wgs84", CrsTag::Wgs84),
    ("wgs", CrsTag::Wgs84),
    ("84", CrsTag::Wgs84),
    ("gcj02", CrsTag::Gcj02),
    ("gcj", CrsTag::Gcj02),
    ("高德", CrsTag::Gcj02),
    ("火星", CrsTag::Gcj02),
    ("gd", CrsTag::Gcj02),
    ("bd09", CrsTag::Bd09),
    ("bd09ll", CrsTag::Bd09),
    ("bd", CrsTag::Bd09),
    ("百度", CrsTag::Bd09),
];
/// CRS tags glued to a name (`wgs84经度`, `lnggcj02`, `高德经度`): only unambiguous ones.
pub(super) const TAG_GLUED: &[(&str, CrsTag)] = &[
    ("wgs84", CrsTag::Wgs84),
    ("gcj02", CrsTag::Gcj02),
    ("bd09ll", CrsTag::Bd09),
    ("bd09", CrsTag::Bd09),
    ("高德", CrsTag::Gcj02),
    ("火星", CrsTag::Gcj02),
    ("百度", CrsTag::Bd09),
];

/// A header lower-cased, with full-width brackets and separators turned into `_`.
pub(super) fn tokens(header: &str) -> Vec<String> {
    let lower = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    lower
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '_' | '-'
                        | '.'
                        | '('
                        | ')'
                        | '（'
                        | '）'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '/'
                        | ':'
                        | '：'
                )
        })
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The header with separators removed: `Type_Code` -> `typecode`.
pub(super) fn compact(header: &str) -> String {
    tokens(header).concat()
}

/// The header without any CRS tag, and the tag.
pub(super) fn strip_crs_tag(header: &str) -> (String, Option<CrsTag>) {
    let mut tag = None;
    let mut rest = String::new();
    for t in tokens(header) {
        if let Some((_, g)) = TAG_TOKENS.iter().find(|(name, _)| *name == t) {
            tag = Some(*g);
            continue;
        }
        let mut t = t;
        for (glued, g) in TAG_GLUED {
            if t.len() > glued.len() && t.contains(glued) {
                t = t.replacen(glued, "", 1);
                tag = Some(*g);
            }
        }
        rest.push_str(&t);
    }
    (rest, tag)
}

pub(super) fn find_named(compacts: &[String], names: &[&str]) -> Option<usize> {
    // The order of `names` is a priority: 类型 before 大类.
    names
        .iter()
        .find_map(|n| compacts.iter().position(|c| c == n))
}

/// Find the coordinate, name, type, type code and address columns, case-insensitively, by English
/// or Chinese names. Where both WGS84 and GCJ-02/BD-09 pairs are present, WGS84 (or an untagged
/// pair) is preferred.
pub fn detect_columns(headers: &[String]) -> Columns {
    let compacts: Vec<String> = headers.iter().map(|h| compact(h)).collect();
    let stripped: Vec<(String, Option<CrsTag>)> =
        headers.iter().map(|h| strip_crs_tag(h)).collect();
    let candidates = |names: &[&str]| -> Vec<(usize, Option<CrsTag>)> {
        let mut found: Vec<(usize, usize, Option<CrsTag>)> = stripped
            .iter()
            .enumerate()
            .filter_map(|(i, (base, tag))| {
                names
                    .iter()
                    .position(|n| n == base)
                    .map(|rank| (rank, i, *tag))
            })
            .collect();
        found.sort_by_key(|&(rank, i, _)| (rank, i));
        found.into_iter().map(|(_, i, t)| (i, t)).collect()
    };
    let lons = candidates(LON_NAMES);
    let lats = candidates(LAT_NAMES);
    let mut cols = Columns::default();
    let preference = [
        Some(CrsTag::Wgs84),
        None,
        Some(CrsTag::Gcj02),
        Some(CrsTag::Bd09),
    ];
    for want in preference {
        let lon = lons.iter().find(|(_, t)| *t == want);
        let lat = lats.iter().find(|(_, t)| *t == want);
        if let (Some(&(lon, tag)), Some(&(lat, _))) = (lon, lat) {
            cols.lon = Some(lon);
            cols.lat = Some(lat);
            cols.crs_hint = tag.map(|t| (t, headers[lon].trim().to_string()));
            break;
        }
    }
    if cols.lon.is_none()
        && let (Some(&(lon, tag)), Some(&(lat, lat_tag))) = (lons.first(), lats.first())
        && lon != lat
    {
        cols.lon = Some(lon);
        cols.lat = Some(lat);
        cols.crs_hint = tag
            .map(|t| (t, headers[lon].trim().to_string()))
            .or_else(|| lat_tag.map(|t| (t, headers[lat].trim().to_string())));
    }
    if let Some(&(loc, tag)) = candidates(LOCATION_NAMES).first() {
        cols.location = Some(loc);
        if cols.lon.is_none() {
            cols.crs_hint = tag.map(|t| (t, headers[loc].trim().to_string()));
        }
    }
    cols.name = find_named(&compacts, NAME_NAMES);
    cols.kind = find_named(&compacts, TYPE_NAMES);
    cols.typecode = find_named(&compacts, TYPECODE_NAMES);
    cols.address = find_named(&compacts, ADDRESS_NAMES);
    cols
}

/// The CRS a file name hints at (`高德POI.csv`, `baidu_poi.xlsx`).
pub(super) fn file_name_hint(path: &Path) -> Option<CrsTag> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if ["高德", "amap", "gaode", "gcj", "火星"]
        .iter()
        .any(|k| name.contains(k))
    {
        Some(CrsTag::Gcj02)
    } else if ["百度", "baidu", "bd09"].iter().any(|k| name.contains(k)) {
        Some(CrsTag::Bd09)
    } else {
        None
    }
}
