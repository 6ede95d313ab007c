//! Read the WKT of a shapefile .prj (ESRI or OGC flavour) into a [`Crs`].
//!
//! An `AUTHORITY["EPSG", n]` on the top node wins. Otherwise the parameters are read and matched
//! to the systems planners use (CGCS2000 Gauss-Kruger with or without zone prefix, WGS84 UTM,
//! Web Mercator, geographic WGS84/CGCS2000); anything else becomes a custom PROJ string.

use crate::error::CrsError;

use super::Crs;

/// A WKT node: `KEYWORD["text", 1.0, CHILD[...], ...]`.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Number(f64),
    Keyword(String, Vec<Node>),
}

impl Node {
    fn children(&self) -> &[Node] {
        match self {
            Node::Keyword(_, c) => c,
            _ => &[],
        }
    }
    fn keyword(&self) -> Option<&str> {
        match self {
            Node::Keyword(k, _) => Some(k.as_str()),
            _ => None,
        }
    }
    fn child(&self, kw: &str) -> Option<&Node> {
        self.children()
            .iter()
            .find(|c| c.keyword().is_some_and(|k| k.eq_ignore_ascii_case(kw)))
    }
    fn name(&self) -> Option<&str> {
        match self.children().first() {
            Some(Node::Text(t)) => Some(t.as_str()),
            _ => None,
        }
    }
    fn number(&self, i: usize) -> Option<f64> {
        match self.children().get(i) {
            Some(Node::Number(n)) => Some(*n),
            Some(Node::Text(t)) => t.parse().ok(),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn node(&mut self, depth: usize) -> Result<Node, String> {
        if depth > 32 {
            return Err("nested too deeply".into());
        }
        self.ws();
        match self.s.get(self.i) {
            None => Err("unexpected end".into()),
            Some(b'"') => {
                self.i += 1;
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i] != b'"' {
                    self.i += 1;
                }
                if self.i >= self.s.len() {
                    return Err("unterminated string".into());
                }
                let t = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                Ok(Node::Text(t))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'+' || *c == b'.' => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || b"+-.".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                t.parse::<f64>()
                    .map(Node::Number)
                    .map_err(|_| format!("bad number \"{t}\""))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let kw = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.ws();
                let open = self.s.get(self.i).copied();
                if open != Some(b'[') && open != Some(b'(') {
                    // A bare enum value such as `NORTH` in AXIS["X", NORTH].
                    return Ok(Node::Text(kw));
                }
                self.i += 1;
                let mut children = Vec::new();
                loop {
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b']') | Some(b')') => {
                            self.i += 1;
                            break;
                        }
                        Some(b',') => self.i += 1,
                        None => return Err(format!("unterminated {kw}[...]")),
                        _ => children.push(self.node(depth + 1)?),
                    }
                }
                Ok(Node::Keyword(kw, children))
            }
            Some(c) => Err(format!("unexpected character '{}'", *c as char)),
        }
    }
}

fn parse_tree(text: &str) -> Result<Node, CrsError> {
    let mut p = Parser {
        s: text.trim_start_matches('\u{feff}').as_bytes(),
        i: 0,
    };
    p.node(0)
        .map_err(|e| CrsError::BadDefinition(format!("WKT: {e}")))
}

fn authority_code(node: &Node) -> Option<u32> {
    let auth = node.child("AUTHORITY").or_else(|| node.child("ID"))?;
    let name = auth.name()?;
    if !name.eq_ignore_ascii_case("EPSG") {
        return None;
    }
    match auth.children().get(1) {
        Some(Node::Number(n)) => Some(*n as u32),
        Some(Node::Text(t)) => t.parse().ok(),
        _ => None,
    }
}

/// Normalise a WKT name for keyword matching: lower case, no separators.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Datum {
    Wgs84,
    Cgcs2000,
    Beijing1954,
    Xian1980,
    Other,
}

fn datum_of(geogcs: &Node) -> (Datum, Option<(f64, f64)>) {
    let datum = geogcs.child("DATUM");
    let spheroid = datum.and_then(|d| d.child("SPHEROID").or_else(|| d.child("ELLIPSOID")));
    let axes = spheroid.and_then(|s| Some((s.number(1)?, s.number(2)?)));
    let names = format!(
        "{} {} {}",
        norm(geogcs.name().unwrap_or("")),
        norm(datum.and_then(|d| d.name()).unwrap_or("")),
        norm(spheroid.and_then(|s| s.name()).unwrap_or(""))
    );
    let d = if names.contains("2000") || names.contains("cgcs") || names.contains("china2000") {
        Datum::Cgcs2000
    } else if names.contains("beijing") || names.contains("1954") || names.contains("krasovsky") {
        Datum::Beijing1954
    } else if names.contains("xian") || names.contains("1980") {
        Datum::Xian1980
    } else if names.contains("wgs84") || names.contains("wgs1984") {
        Datum::Wgs84
    } else {
        match axes {
            Some((a, f)) if (a - 6_378_137.0).abs() < 0.5 && (f - 298.257).abs() < 0.01 => {
                Datum::Wgs84
            }
            _ => Datum::Other,
        }
    };
    (d, axes)
}

fn ellps_param(datum: Datum, axes: Option<(f64, f64)>) -> String {
    match datum {
        Datum::Wgs84 => "+datum=WGS84".into(),
        Datum::Cgcs2000 => "+ellps=GRS80".into(),
        Datum::Beijing1954 => "+ellps=krass".into(),
        Datum::Xian1980 => "+a=6378140 +rf=298.257".into(),
        Datum::Other => match axes {
            Some((a, rf)) if rf > 0.0 => format!("+a={a} +rf={rf}"),
            Some((a, _)) => format!("+a={a} +b={a}"),
            None => "+datum=WGS84".into(),
        },
    }
}

/// Parameters of a PROJCS, keyed by normalised name.
fn parameter(projcs: &Node, names: &[&str]) -> Option<f64> {
    projcs
        .children()
        .iter()
        .filter(|c| {
            c.keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case("PARAMETER"))
        })
        .find(|c| {
            let n = norm(c.name().unwrap_or(""));
            names.iter().any(|want| n == *want)
        })
        .and_then(|c| c.number(1))
}

/// Parse the text of a .prj file (or any WKT1) into a CRS.
pub fn parse_wkt(text: &str) -> Result<Crs, CrsError> {
    let tree = parse_tree(text)?;
    let kw = tree.keyword().unwrap_or("").to_ascii_uppercase();
    if let Some(code) = authority_code(&tree) {
        let crs = Crs::Epsg(code);
        if super::transform::check_supported(&crs).is_ok() {
            return Ok(crs);
        }
    }
    let name = tree.name().unwrap_or("").to_string();
    match kw.as_str() {
        "GEOGCS" | "GEOGCRS" | "GEODCRS" => {
            let (datum, axes) = datum_of(&tree);
            match datum {
                Datum::Wgs84 => Ok(Crs::WGS84),
                Datum::Cgcs2000 => Ok(Crs::CGCS2000),
                d => Ok(Crs::Custom {
                    name,
                    proj4: format!("+proj=longlat {} +no_defs", ellps_param(d, axes)),
                }),
            }
        }
        "PROJCS" | "PROJCRS" => {
            let geog = tree
                .child("GEOGCS")
                .or_else(|| tree.child("BASEGEOGCRS"))
                .ok_or_else(|| CrsError::BadDefinition("WKT: PROJCS without GEOGCS".into()))?;
            let (datum, axes) = datum_of(geog);
            let projection = tree
                .child("PROJECTION")
                .and_then(|p| p.name())
                .map(norm)
                .unwrap_or_default();
            let fe = parameter(&tree, &["falseeasting"]).unwrap_or(0.0);
            let fn_ = parameter(&tree, &["falsenorthing"]).unwrap_or(0.0);
            let lon0 = parameter(
                &tree,
                &["centralmeridian", "longitudeoforigin", "longitudeofcenter"],
            )
            .unwrap_or(0.0);
            let lat0 = parameter(&tree, &["latitudeoforigin", "latitudeofcenter"]).unwrap_or(0.0);
            let k = parameter(&tree, &["scalefactor"]).unwrap_or(1.0);
            let unit = tree.child("UNIT").and_then(|u| u.number(1)).unwrap_or(1.0);
            let is_tm =
                projection.contains("transversemercator") || projection.contains("gausskruger");
            if is_tm && (unit - 1.0).abs() < 1e-9 && lat0 == 0.0 && fn_ == 0.0 {
                // CGCS2000 3-degree GK: k=1, CM a multiple of 3, FE 500 km (+ zone * 1e6).
                if datum == Datum::Cgcs2000 && (k - 1.0).abs() < 1e-12 && lon0 % 3.0 == 0.0 {
                    let zone = (lon0 / 3.0) as u32;
                    if (25..=45).contains(&zone) {
                        if fe == 500_000.0 {
                            return Ok(Crs::Epsg(4534 + zone - 25));
                        }
                        if fe == zone as f64 * 1e6 + 500_000.0 {
                            return Ok(Crs::Epsg(4513 + zone - 25));
                        }
                    }
                }
                // WGS84 UTM north.
                if datum == Datum::Wgs84 && (k - 0.9996).abs() < 1e-9 && fe == 500_000.0 {
                    let zone = ((lon0 + 183.0) / 6.0).round() as u32;
                    if (1..=60).contains(&zone) && (zone as f64 * 6.0 - 183.0 - lon0).abs() < 1e-9 {
                        return Ok(Crs::Epsg(32600 + zone));
                    }
                }
            }
            if (projection.contains("mercatorauxiliarysphere")
                || projection.contains("popularvisualisation"))
                || (norm(&name).contains("pseudomercator") || norm(&name).contains("webmercator"))
            {
                return Ok(Crs::Epsg(3857));
            }
            let proj = if is_tm {
                "tmerc"
            } else if projection.contains("mercator") {
                "merc"
            } else if projection.contains("lambertconformalconic") {
                "lcc"
            } else if projection.contains("albers") {
                "aea"
            } else {
                return Err(CrsError::Unknown(format!(
                    "projection \"{}\" in \"{name}\"",
                    tree.child("PROJECTION")
                        .and_then(|p| p.name())
                        .unwrap_or("?")
                )));
            };
            let mut def = format!(
                "+proj={proj} +lat_0={lat0} +lon_0={lon0} +k={k} +x_0={fe} +y_0={fn_} {} +units=m +no_defs",
                ellps_param(datum, axes)
            );
            if let (Some(p1), Some(p2)) = (
                parameter(&tree, &["standardparallel1"]),
                parameter(&tree, &["standardparallel2"]),
            ) {
                def.push_str(&format!(" +lat_1={p1} +lat_2={p2}"));
            }
            if (unit - 1.0).abs() > 1e-9 {
                def.push_str(&format!(" +to_meter={unit}"));
            }
            super::transform::check_proj4(&def)?;
            Ok(Crs::Custom { name, proj4: def })
        }
        other => Err(CrsError::Unknown(format!("WKT of type {other}"))),
    }
}

const ESRI_GCS_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
const ESRI_GCS_CGCS2000: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

/// A Transverse Mercator (Gauss-Kruger) PROJCS in ESRI style.
fn esri_tm(
    name: &str,
    geogcs: &str,
    projection: &str,
    false_easting_m: f64,
    central_meridian_deg: f64,
    scale: f64,
) -> String {
    format!(
        r#"PROJCS["{name}",{geogcs},PROJECTION["{projection}"],PARAMETER["False_Easting",{false_easting_m:?}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{central_meridian_deg:?}],PARAMETER["Scale_Factor",{scale:?}],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
    )
}

/// The ESRI-flavoured WKT1 of a .prj for the systems planners use: WGS84 (4326), CGCS2000
/// (4490), CGCS2000 3-degree Gauss-Kruger with zone prefix (4513-4533) or without (4534-4554),
/// WGS84 UTM north (32601-32660) and Web Mercator (3857). None for anything else.
pub fn to_esri_wkt(crs: &Crs) -> Option<String> {
    let Crs::Epsg(code) = *crs else {
        return None;
    };
    Some(match code {
        4326 => ESRI_GCS_WGS84.to_string(),
        4490 => ESRI_GCS_CGCS2000.to_string(),
        4513..=4533 => {
            let zone = code - 4513 + 25;
            esri_tm(
                &format!("CGCS2000_3_Degree_GK_Zone_{zone}"),
                ESRI_GCS_CGCS2000,
                "Gauss_Kruger",
                zone as f64 * 1e6 + 500_000.0,
                zone as f64 * 3.0,
                1.0,
            )
        }
        4534..=4554 => {
            let cm = (code - 4534 + 25) * 3;
            esri_tm(
                &format!("CGCS2000_3_Degree_GK_CM_{cm}E"),
                ESRI_GCS_CGCS2000,
                "Gauss_Kruger",
                500_000.0,
                cm as f64,
                1.0,
            )
        }
        32601..=32660 => {
            let zone = code - 32600;
            esri_tm(
                &format!("WGS_1984_UTM_Zone_{zone}N"),
                ESRI_GCS_WGS84,
                "Transverse_Mercator",
                500_000.0,
                zone as f64 * 6.0 - 183.0,
                0.9996,
            )
        }
        3857 => format!(
            r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",{ESRI_GCS_WGS84},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESRI_GK_CM120: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_GK_ZONE40: &str = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",40500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const ESRI_UTM51: &str = r#"PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const XIAN80: &str = r#"PROJCS["Xian_1980_3_Degree_GK_CM_120E",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn esri_prj_files_map_to_epsg() {
        assert_eq!(parse_wkt(ESRI_GK_CM120).expect("cm120"), Crs::Epsg(4549));
        assert_eq!(parse_wkt(ESRI_GK_ZONE40).expect("zone40"), Crs::Epsg(4528));
        assert_eq!(parse_wkt(ESRI_WGS84).expect("wgs"), Crs::WGS84);
        assert_eq!(parse_wkt(ESRI_UTM51).expect("utm"), Crs::Epsg(32651));
    }

    #[test]
    fn authority_wins_and_epsg_wkt_round_trips() {
        for code in [4549u16, 4528, 4490, 32650, 3857] {
            let def = crs_definitions::from_code(code).expect("def");
            assert_eq!(
                parse_wkt(def.wkt).expect("wkt"),
                Crs::Epsg(code as u32),
                "EPSG:{code}"
            );
        }
    }

    #[test]
    fn other_datum_becomes_custom() {
        match parse_wkt(XIAN80).expect("xian") {
            Crs::Custom { proj4, .. } => {
                assert!(proj4.contains("+a=6378140"), "{proj4}");
                assert!(proj4.contains("+lon_0=120"), "{proj4}");
            }
            other => panic!("expected custom, got {other:?}"),
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_wkt("").is_err());
        assert!(parse_wkt("PROJCS[\"x\"").is_err());
        assert!(parse_wkt("hello world").is_err());
        assert!(parse_wkt("\u{0}\u{1}").is_err());
        assert!(parse_wkt(&"A[".repeat(100)).is_err());
    }

    #[test]
    fn esri_wkt_round_trips() {
        for code in [
            4326u32, 4490, 4549, 4528, 4527, 4548, 32650, 32651, 3857, 4513, 4533, 4534, 4554,
        ] {
            let crs = Crs::Epsg(code);
            let wkt = to_esri_wkt(&crs).expect("known code");
            assert!(
                !wkt.contains("AUTHORITY"),
                "ESRI style has no authority: {wkt}"
            );
            assert_eq!(parse_wkt(&wkt).expect("parses"), crs, "EPSG:{code}: {wkt}");
        }
        assert_eq!(
            to_esri_wkt(&Crs::Epsg(4549)).as_deref(),
            Some(ESRI_GK_CM120)
        );
        assert_eq!(
            to_esri_wkt(&Crs::Epsg(4528)).as_deref(),
            Some(ESRI_GK_ZONE40)
        );
        assert_eq!(to_esri_wkt(&Crs::Epsg(4326)).as_deref(), Some(ESRI_WGS84));
        assert_eq!(to_esri_wkt(&Crs::Epsg(32651)).as_deref(), Some(ESRI_UTM51));
        assert_eq!(to_esri_wkt(&Crs::Gcj02), None);
        assert_eq!(to_esri_wkt(&Crs::Epsg(2385)), None);
    }
}
