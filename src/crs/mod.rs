//! Coordinate reference systems: what a file says or what we guess, transforms into one metric
//! working CRS, and the Chinese obfuscated systems GCJ-02 and BD-09.
//!
//! Degrees live only here and at display; everything downstream is in metres.

pub mod control;
pub mod datum;
pub mod detect;
pub mod gcj02;
pub mod transform;
pub mod wkt;

use serde::{Deserialize, Serialize};

use crate::error::CrsError;

pub use control::{
    ControlPoint, ControlTransform, Similarity2D, SimilarityFit, fit_similarity,
    parse_control_points,
};
pub use datum::{DatumShift, RotationConvention};
pub use detect::{Guess, guess_from_extent, working_crs_for};
pub use transform::Transformer;

/// A coordinate reference system towncircle can transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Crs {
    /// An EPSG code (4326, 4490, 4549, 32651, 3857, ...).
    Epsg(u32),
    /// GCJ-02 ("Mars coordinates"): obfuscated lon/lat used by Amap and Tencent.
    Gcj02,
    /// BD-09: Baidu's lon/lat, obfuscated on top of GCJ-02.
    Bd09,
    /// A definition read from WKT that matches no EPSG code, as a PROJ string.
    Custom { name: String, proj4: String },
}

impl Crs {
    pub const WGS84: Crs = Crs::Epsg(4326);
    pub const CGCS2000: Crs = Crs::Epsg(4490);

    /// Parse what a user or a file may write: `EPSG:4549`, `4549`,
    /// `urn:ogc:def:crs:EPSG::4549`, `CRS84`, `WGS84`, `CGCS2000`, `GCJ-02`, `BD-09`, or a PROJ string.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        let compact: String = lower
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect();
        match compact.as_str() {
            "wgs84" | "crs84" | "urn:ogc:def:crs:ogc:1.3:crs84" | "urn:ogc:def:crs:ogc::crs84" => {
                return Ok(Crs::WGS84);
            }
            "cgcs2000" => return Ok(Crs::CGCS2000),
            "gcj02" | "gcj" | "amap" | "gaode" | "火星坐标" | "高德" => {
                return Ok(Crs::Gcj02);
            }
            "bd09" | "bd09ll" | "baidu" | "百度" => return Ok(Crs::Bd09),
            _ => {}
        }
        if t.starts_with('+') {
            transform::check_proj4(t)?;
            return Ok(Crs::Custom {
                name: t.to_string(),
                proj4: t.to_string(),
            });
        }
        let code = lower
            .rsplit([':', '/'])
            .next()
            .unwrap_or("")
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|_| {
                lower.contains("epsg") || lower.chars().all(|c| c.is_ascii_digit() || c == ' ')
            });
        match code {
            Some(code) => {
                let crs = Crs::Epsg(code);
                transform::check_supported(&crs)?;
                Ok(crs)
            }
            None => Err(CrsError::Unknown(format!("\"{t}\""))),
        }
    }

    /// True for lon/lat systems (degrees).
    pub fn is_geographic(&self) -> bool {
        match self {
            Crs::Gcj02 | Crs::Bd09 => true,
            Crs::Epsg(code) => transform::epsg_is_geographic(*code),
            Crs::Custom { proj4, .. } => {
                proj4.contains("+proj=longlat") || proj4.contains("+proj=latlong")
            }
        }
    }

    /// A short label: `EPSG:4549`, `GCJ-02`, ...
    pub fn label(&self) -> String {
        match self {
            Crs::Epsg(code) => format!("EPSG:{code}"),
            Crs::Gcj02 => "GCJ-02".into(),
            Crs::Bd09 => "BD-09".into(),
            Crs::Custom { name, .. } => name.clone(),
        }
    }

    /// A descriptive name where we know one.
    pub fn description(&self) -> String {
        if let Crs::Epsg(c) = self
            && let Some(name) = gk_3_degree_name(*c)
        {
            return name;
        }
        match self {
            Crs::Epsg(4326) => "WGS 84".into(),
            Crs::Epsg(4490) => "CGCS2000".into(),
            Crs::Epsg(3857) => "WGS 84 / Pseudo-Mercator".into(),
            Crs::Epsg(4610) => "Xian 1980".into(),
            Crs::Epsg(4214) => "Beijing 1954".into(),
            Crs::Epsg(c @ 32601..=32660) => format!("WGS 84 / UTM zone {}N", c - 32600),
            Crs::Epsg(c @ 32701..=32760) => format!("WGS 84 / UTM zone {}S", c - 32700),
            Crs::Gcj02 => "GCJ-02 (Amap/Tencent obfuscated lon/lat)".into(),
            Crs::Bd09 => "BD-09 (Baidu obfuscated lon/lat)".into(),
            other => other.label(),
        }
    }
}

/// China's 3-degree Gauss-Kruger families in EPSG: (datum, the code of zone 25 with zone prefix,
/// the code of CM 75E without); each runs through zone 45 / CM 135E.
const GK_3_DEGREE: [(&str, u32, u32); 3] = [
    ("CGCS2000", 4513, 4534),
    ("Xian 1980", 2349, 2370),
    ("Beijing 1954", 2401, 2422),
];

/// `CGCS2000 / 3-degree Gauss-Kruger zone 40`, `Xian 1980 / 3-degree Gauss-Kruger CM 120E`, …
fn gk_3_degree_name(code: u32) -> Option<String> {
    GK_3_DEGREE.iter().find_map(|&(datum, zone25, cm75)| {
        if (zone25..=zone25 + 20).contains(&code) {
            Some(format!(
                "{datum} / 3-degree Gauss-Kruger zone {}",
                code - zone25 + 25
            ))
        } else if (cm75..=cm75 + 20).contains(&code) {
            Some(format!(
                "{datum} / 3-degree Gauss-Kruger CM {}E",
                (code - cm75 + 25) * 3
            ))
        } else {
            None
        }
    })
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// How a layer's CRS was decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "lowercase")]
pub enum CrsOrigin {
    /// The file declared it (a .prj, a GeoJSON `crs` member, a GeoPackage srs).
    Declared(String),
    /// The format defines it (RFC 7946 GeoJSON, OSM: WGS84).
    FormatDefault(String),
    /// Guessed from coordinate magnitudes; the reason says how.
    Guessed(String),
    /// The user chose it.
    User,
    /// Reprojected by towncircle into the working CRS.
    Working,
    /// Not known.
    Unknown,
}

/// A layer's CRS and how it was decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrsInfo {
    pub crs: Option<Crs>,
    pub origin: CrsOrigin,
}

impl CrsInfo {
    pub fn declared(crs: Crs, how: impl Into<String>) -> Self {
        CrsInfo {
            crs: Some(crs),
            origin: CrsOrigin::Declared(how.into()),
        }
    }

    pub fn format_default(crs: Crs, why: impl Into<String>) -> Self {
        CrsInfo {
            crs: Some(crs),
            origin: CrsOrigin::FormatDefault(why.into()),
        }
    }

    pub fn user(crs: Crs) -> Self {
        CrsInfo {
            crs: Some(crs),
            origin: CrsOrigin::User,
        }
    }

    pub fn unknown() -> Self {
        CrsInfo {
            crs: None,
            origin: CrsOrigin::Unknown,
        }
    }

    pub fn is_guessed(&self) -> bool {
        matches!(self.origin, CrsOrigin::Guessed(_))
    }
}
