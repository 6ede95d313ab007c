//! Data quality (数据质量): what was read only partly, assumed or left out, as structured
//! records that travel with every result — console, summary.json, report.html, results.xlsx and
//! the app. A reader's free-text [`super::Issue`]s carry an [`IssueKind`] and the number of
//! features they stand for; `io::quality` and `access::quality` turn them (and the CRS and
//! encoding decisions, unmapped categories, facilities off the network, the straight-line
//! fallback) into [`QualityRecord`]s.

use serde::{Deserialize, Serialize};

use super::role::Role;

/// What kind of problem a reader's issue is, for the data-quality summary.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The file ends early: records were cut off or lie past its end.
    Truncated,
    /// A feature that could not be used (bad geometry, no coordinates, outside the earth).
    Skipped,
    /// Geometry that was repaired, or is still invalid but used.
    Repaired,
    /// Attribute values that could not be read as their type and were read as empty.
    Attributes,
    /// The coordinate system: guessed, overridden, axes swapped.
    Crs,
    /// The text encoding: guessed or contradicted.
    Encoding,
    /// Anything else a reader noticed.
    #[default]
    Other,
}

/// The kinds of data-quality record, from the most serious down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityKind {
    /// A file that could not be read at all.
    UnreadableFile,
    /// The file ends early; features past the cut are lost.
    Truncated,
    /// Features skipped while reading (bad geometry, no coordinates…).
    SkippedFeatures,
    /// A layer with no feature at all (when its features were skipped, a
    /// [`QualityKind::SkippedFeatures`] record says so too).
    EmptyLayer,
    /// The coordinate system was guessed from coordinate magnitudes.
    GuessedCrs,
    /// The text encoding of the attributes was guessed.
    GuessedEncoding,
    /// Facility features that match no category of the taxonomy (not counted as facilities).
    UnmappedCategories,
    /// Facilities too far from any usable road, or on a fragment cut off from the main network.
    FacilitiesOffNetwork,
    /// Residents (demand points) too far from any usable road.
    DemandOffNetwork,
    /// Travel times were computed in straight lines, not on the road network.
    EuclideanFallback,
    /// Attribute values read as empty.
    BadAttributes,
    /// Geometry repaired or used while invalid.
    RepairedGeometry,
    /// A population raster used only in part (cells outside the town boundary, residential
    /// buildings in cells without people) or not at all (no cell inside the boundary).
    PopulationRaster,
    /// Age-band population rasters are loaded, but some facility types serve a band without
    /// one: their coverage counts the total population.
    AgeBandMissing,
    /// Land parcels (用地地块) without a land-use code, or with one neither code system knows
    /// (kept, drawn grey, not residential).
    ParcelCodes,
    /// Other warnings.
    Other,
}

impl QualityKind {
    /// Does a record of this kind mean features of a file were not read? `analyze --strict`
    /// refuses to write a report when any record does.
    pub fn loses_features(self) -> bool {
        matches!(
            self,
            QualityKind::UnreadableFile | QualityKind::Truncated | QualityKind::SkippedFeatures
        )
    }

    /// A short name, in Chinese or English.
    pub fn label(self, zh: bool) -> &'static str {
        let (z, e) = match self {
            QualityKind::UnreadableFile => ("文件无法读取", "file not readable"),
            QualityKind::Truncated => ("文件不完整", "file incomplete"),
            QualityKind::SkippedFeatures => ("要素被跳过", "features skipped"),
            QualityKind::EmptyLayer => ("图层为空", "empty layer"),
            QualityKind::GuessedCrs => ("坐标系为推测", "coordinate system guessed"),
            QualityKind::GuessedEncoding => ("编码为推测", "encoding guessed"),
            QualityKind::UnmappedCategories => ("设施未归类", "facilities not classified"),
            QualityKind::FacilitiesOffNetwork => ("设施不在路网上", "facilities off the network"),
            QualityKind::DemandOffNetwork => ("居民点不在路网上", "residents off the network"),
            QualityKind::EuclideanFallback => ("按直线距离计算", "straight-line distances"),
            QualityKind::BadAttributes => ("属性值无法读取", "attribute values unreadable"),
            QualityKind::RepairedGeometry => ("几何已修复", "geometry repaired"),
            QualityKind::PopulationRaster => {
                ("人口栅格部分未用", "population raster partly unused")
            }
            QualityKind::AgeBandMissing => ("年龄段人口缺失", "age-band population missing"),
            QualityKind::ParcelCodes => ("地块用地代码缺失或未知", "parcel land-use codes"),
            QualityKind::Other => ("其他警告", "other warnings"),
        };
        if zh { z } else { e }
    }
}

/// One data-quality finding about one file/layer (or about the analysis as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityRecord {
    /// The file, as given by the user (empty for findings about the analysis as a whole).
    pub file: String,
    /// The layer (table, OSM theme, sheet) inside the file; the file name for one-layer files.
    pub layer: String,
    /// The layer's role in the analysis, when known.
    pub role: Option<Role>,
    pub kind: QualityKind,
    /// True when features of the file were not read (see [`QualityKind::loses_features`]).
    pub loses_features: bool,
    /// How many features the finding concerns (lost, guessed for, unmapped…), when known.
    pub features_affected: Option<usize>,
    /// How many features the layer holds as read.
    pub features_read: Option<usize>,
    /// Up to a few of the reader's own messages, naming features (English).
    pub details: Vec<String>,
}

/// How many reader messages a record keeps as examples.
pub const MAX_DETAILS: usize = 5;

impl QualityRecord {
    pub fn new(file: impl Into<String>, layer: impl Into<String>, kind: QualityKind) -> Self {
        QualityRecord {
            file: file.into(),
            layer: layer.into(),
            role: None,
            kind,
            loses_features: kind.loses_features(),
            features_affected: None,
            features_read: None,
            details: Vec::new(),
        }
    }

    /// Where: the file, with the layer when it differs from the file name.
    pub fn place(&self) -> String {
        let file_name = std::path::Path::new(&self.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match (self.file.is_empty(), self.layer.is_empty()) {
            (true, true) => String::new(),
            (true, false) => self.layer.clone(),
            (false, true) => self.file.clone(),
            (false, false)
                if self.layer == file_name
                    || file_name.starts_with(&format!("{}.", self.layer)) =>
            {
                self.file.clone()
            }
            (false, false) => format!("{} [{}]", self.file, self.layer),
        }
    }

    /// One sentence saying what happened, with the counts.
    pub fn what(&self, zh: bool) -> String {
        let n = self.features_affected;
        let read = self.features_read;
        let count = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_else(|| "?".into());
        match (self.kind, zh) {
            (QualityKind::UnreadableFile, true) => "整个文件未能读取，其内容未参与分析".into(),
            (QualityKind::UnreadableFile, false) => {
                "the whole file could not be read and is not in the analysis".into()
            }
            (QualityKind::Truncated, true) => format!(
                "文件不完整（被截断或缺少部分）：读取 {} 个要素，{} 个要素丢失或缺少属性",
                count(read),
                count(n)
            ),
            (QualityKind::Truncated, false) => format!(
                "the file is incomplete (truncated or a part missing): {} features read, {} lost or without attributes",
                count(read),
                count(n)
            ),
            (QualityKind::SkippedFeatures, true) => {
                format!(
                    "{} 个要素无法使用而被跳过（读取 {} 个）",
                    count(n),
                    count(read)
                )
            }
            (QualityKind::SkippedFeatures, false) => format!(
                "{} features could not be used and were skipped ({} read)",
                count(n),
                count(read)
            ),
            (QualityKind::EmptyLayer, true) => "图层中没有可用的要素".into(),
            (QualityKind::EmptyLayer, false) => "the layer holds no usable feature".into(),
            (QualityKind::GuessedCrs, true) => {
                format!(
                    "文件未声明坐标系，已按坐标数值推测（{} 个要素）",
                    count(read)
                )
            }
            (QualityKind::GuessedCrs, false) => format!(
                "the file declares no coordinate system; it was guessed from the coordinates ({} features)",
                count(read)
            ),
            (QualityKind::GuessedEncoding, true) => "文件未声明文字编码，已推测".into(),
            (QualityKind::GuessedEncoding, false) => {
                "the file does not say its text encoding; it was guessed".into()
            }
            (QualityKind::UnmappedCategories, true) => {
                format!("{} 个设施要素未能归入任何设施类别，不计入覆盖", count(n))
            }
            (QualityKind::UnmappedCategories, false) => format!(
                "{} facility features match no category and do not count as facilities",
                count(n)
            ),
            (QualityKind::FacilitiesOffNetwork, true) => format!(
                "{} 个设施离可用道路过远或位于与主路网不连通的路段上",
                count(n)
            ),
            (QualityKind::FacilitiesOffNetwork, false) => format!(
                "{} facilities are too far from a usable road or on a fragment cut off from the main network",
                count(n)
            ),
            (QualityKind::DemandOffNetwork, true) => {
                format!("{} 个居民点离可用道路过远，视为不可达", count(n))
            }
            (QualityKind::DemandOffNetwork, false) => format!(
                "{} demand points are too far from a usable road and count as not reached",
                count(n)
            ),
            (QualityKind::EuclideanFallback, true) => "没有可用路网，出行时间按直线距离估算".into(),
            (QualityKind::EuclideanFallback, false) => {
                "no usable road network: travel times are straight-line estimates".into()
            }
            (QualityKind::BadAttributes, true) => {
                format!("{} 个属性值无法按其类型读取，按空值处理", count(n))
            }
            (QualityKind::BadAttributes, false) => format!(
                "{} attribute values could not be read as their type and were read as empty",
                count(n)
            ),
            (QualityKind::RepairedGeometry, true) => {
                format!("{} 个要素的几何已修复或仍不合法", count(n))
            }
            (QualityKind::RepairedGeometry, false) => format!(
                "{} features had their geometry repaired or still invalid",
                count(n)
            ),
            (QualityKind::PopulationRaster, true) => {
                format!("人口栅格有 {} 条未用于需求的情况", self.details.len())
            }
            (QualityKind::PopulationRaster, false) => format!(
                "{} parts of the population raster are not used as demand",
                self.details.len()
            ),
            (QualityKind::AgeBandMissing, true) => format!(
                "{} 类设施服务的年龄段没有人口栅格，其覆盖率按总人口计算",
                count(n)
            ),
            (QualityKind::AgeBandMissing, false) => format!(
                "{} facility types serve an age band with no population raster: their coverage counts the total population",
                count(n)
            ),
            (QualityKind::ParcelCodes, true) => format!(
                "{} 个地块没有可识别的用地代码（共读取 {} 个地块）",
                count(n),
                count(read)
            ),
            (QualityKind::ParcelCodes, false) => format!(
                "{} of {} parcels have no land-use code either code system knows",
                count(n),
                count(read)
            ),
            (QualityKind::Other, true) => format!("{} 条其他警告", self.details.len()),
            (QualityKind::Other, false) => format!("{} other warnings", self.details.len()),
        }
    }

    /// What the user can do about it.
    pub fn action(&self, zh: bool) -> &'static str {
        match (self.kind, zh) {
            (QualityKind::UnreadableFile, true) => "修复或重新导出该文件后重新分析",
            (QualityKind::UnreadableFile, false) => "repair or re-export the file and run again",
            (QualityKind::Truncated, true) => {
                "文件可能在复制或下载时中断：取得完整文件后重新分析；在此之前依赖该图层的结论不可靠"
            }
            (QualityKind::Truncated, false) => {
                "the copy or download was probably cut short: get the whole file and run again; until then verdicts that use this layer are not reliable"
            }
            (QualityKind::SkippedFeatures, true) => "在 GIS 中检查并修复所列要素后重新导出",
            (QualityKind::SkippedFeatures, false) => {
                "check and repair the listed features in a GIS, then re-export"
            }
            (QualityKind::EmptyLayer, true) => "检查导出设置，或移除该文件",
            (QualityKind::EmptyLayer, false) => "check the export, or remove the file",
            (QualityKind::GuessedCrs, true) => {
                "确认坐标系：附带 .prj，或用 --crs / --crs-for 指定（界面中“坐标系”）"
            }
            (QualityKind::GuessedCrs, false) => {
                "confirm the coordinate system: ship the .prj, or give --crs / --crs-for"
            }
            (QualityKind::GuessedEncoding, true) => {
                "若属性文字乱码，附带 .cpg 或用 --encoding 指定（UTF-8、GBK）"
            }
            (QualityKind::GuessedEncoding, false) => {
                "if attribute text looks garbled, ship a .cpg or give --encoding (UTF-8, GBK)"
            }
            (QualityKind::UnmappedCategories, true) => {
                "查看未归类示例；如属公共服务设施，在分类文件（--categories）中补充规则"
            }
            (QualityKind::UnmappedCategories, false) => {
                "look at the unmapped examples; if some are public services, add rules to the taxonomy (--categories)"
            }
            (QualityKind::FacilitiesOffNetwork, true) => {
                "检查这些设施的位置和附近道路是否连通（道路图层是否缺路段）"
            }
            (QualityKind::FacilitiesOffNetwork, false) => {
                "check these facilities' positions and whether the roads near them connect (missing road segments?)"
            }
            (QualityKind::DemandOffNetwork, true) => "补充通往这些建筑的道路，或检查其位置",
            (QualityKind::DemandOffNetwork, false) => {
                "add the roads that serve these buildings, or check their positions"
            }
            (QualityKind::EuclideanFallback, true) => "加载道路图层后重新分析",
            (QualityKind::EuclideanFallback, false) => "load a road layer and run again",
            (QualityKind::BadAttributes, true) => "检查所列字段的取值（如人口应为数字）",
            (QualityKind::BadAttributes, false) => {
                "check the listed fields' values (population must be a number)"
            }
            (QualityKind::RepairedGeometry, true) => "在 GIS 中检查所列要素",
            (QualityKind::RepairedGeometry, false) => "check the listed features in a GIS",
            (QualityKind::PopulationRaster, true) => {
                "确认栅格坐标系与镇域一致；无人口格内的住宅是否有人居住请核实"
            }
            (QualityKind::PopulationRaster, false) => {
                "check that the raster's coordinate system matches the town boundary; check whether the buildings in cells without people are lived in"
            }
            (QualityKind::AgeBandMissing, true) => {
                "加载该年龄段的人口栅格（文件名如 pop_60plus.tif、age_3-5.tif，或 --age-band 60+=文件）"
            }
            (QualityKind::AgeBandMissing, false) => {
                "load a population raster of that age band (named like pop_60plus.tif or age_3-5.tif, or give --age-band 60+=FILE)"
            }
            (QualityKind::ParcelCodes, true) => {
                "在属性（用地性质、用地代码、DLBM 等）或地块内的标注中写明用地代码（如 0701、R2）"
            }
            (QualityKind::ParcelCodes, false) => {
                "give each parcel its land-use code (0701, R2 …) in an attribute (用地性质, 用地代码, DLBM …) or in the label inside it"
            }
            (QualityKind::Other, true) => "查看详情",
            (QualityKind::Other, false) => "see the details",
        }
    }
}

/// Records of kinds that lose features.
pub fn losing(records: &[QualityRecord]) -> impl Iterator<Item = &QualityRecord> {
    records.iter().filter(|r| r.loses_features)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_loses_features_a_guess_does_not() {
        assert!(QualityKind::Truncated.loses_features());
        assert!(QualityKind::UnreadableFile.loses_features());
        assert!(!QualityKind::GuessedCrs.loses_features());
        assert!(!QualityKind::UnmappedCategories.loses_features());
        let r = QualityRecord::new("a/行政村.shp", "行政村", QualityKind::Truncated);
        assert!(r.loses_features);
        assert_eq!(r.place(), "a/行政村.shp");
        let t = QualityRecord::new("x.gpkg", "roads", QualityKind::GuessedCrs);
        assert_eq!(t.place(), "x.gpkg [roads]");
    }

    #[test]
    fn sentences_carry_the_counts() {
        let mut r = QualityRecord::new("v.shp", "v", QualityKind::Truncated);
        r.features_read = Some(7);
        r.features_affected = Some(7);
        assert_eq!(
            r.what(false),
            "the file is incomplete (truncated or a part missing): 7 features read, 7 lost or without attributes"
        );
        assert!(r.what(true).contains("读取 7 个要素，7 个要素丢失"));
        assert!(!r.action(true).is_empty());
    }
}
