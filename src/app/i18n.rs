//! The user interface's words in Chinese (default) and English.
//!
//! Every label goes through [`Lang::t`] with a constant from [`tx`]; messages with values are
//! small functions here too, so a translator finds all text in one file.

use serde::{Deserialize, Serialize};

use crate::model::Role;

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// One piece of interface text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Lang {
    /// The text in this language.
    pub fn t(self, text: Text) -> &'static str {
        match self {
            Lang::Zh => text.zh,
            Lang::En => text.en,
        }
    }

    /// A layer role's name.
    pub fn role(self, role: Role) -> &'static str {
        match self {
            Lang::Zh => role.zh(),
            Lang::En => match role {
                Role::Boundary => "Township boundary",
                Role::BuiltUpArea => "Built-up area",
                Role::Villages => "Villages",
                Role::Roads => "Roads",
                Role::Facilities => "Facilities",
                Role::Buildings => "Buildings / population",
                Role::Greenway => "Greenway",
                Role::Sewers => "Sewers",
                Role::Water => "Water",
                Role::Grid => "Governance grid",
                Role::AdminBoundaries => "Admin boundaries",
                Role::Population => "Population raster",
                Role::Parcels => "Land parcels",
            },
        }
    }

    /// A facility category group's name (the `group` of assets/categories.toml).
    pub fn group(self, group: &str) -> String {
        let t = match group {
            "education" => tx::G_EDUCATION,
            "health" => tx::G_HEALTH,
            "elderly" => tx::G_ELDERLY,
            "commerce" => tx::G_COMMERCE,
            "culture_sport" => tx::G_CULTURE_SPORT,
            "municipal" => tx::G_MUNICIPAL,
            "transport" => tx::G_TRANSPORT,
            "governance" => tx::G_GOVERNANCE,
            "" => tx::G_UNMAPPED,
            other => return self.land_use(other).unwrap_or(other).to_string(),
        };
        self.t(t).to_string()
    }

    /// A parcel legend row's name: a land-use class (its Chinese name, as the legend keys it) or
    /// parcels without a known code; None for other keys.
    fn land_use(self, key: &str) -> Option<&'static str> {
        use crate::model::landuse::LandUseClass as C;
        if key == crate::model::landuse::NO_CODE_ZH {
            return Some(match self {
                Lang::Zh => crate::model::landuse::NO_CODE_ZH,
                Lang::En => "Land use unknown",
            });
        }
        let class = C::ALL.into_iter().find(|c| c.zh() == key)?;
        Some(match self {
            Lang::Zh => class.zh(),
            Lang::En => match class {
                C::Residential => "Residential",
                C::PublicService => "Public administration and services",
                C::Commercial => "Commercial and business",
                C::Industrial => "Industrial",
                C::Warehouse => "Warehousing",
                C::Transport => "Transport",
                C::Utilities => "Utilities",
                C::Green => "Green and open space",
                C::Special => "Special use",
                C::Water => "Water",
                C::Agriculture => "Farm and forest land",
                C::Other => "Other land",
            },
        })
    }

    /// "N features" under a layer name.
    pub fn feature_count(self, n: usize) -> String {
        match self {
            Lang::Zh => format!("{n} 个要素"),
            Lang::En => format!("{n} features"),
        }
    }

    /// The notice after files were loaded.
    pub fn loaded(self, layers: usize, features: usize, seconds: f64) -> String {
        match self {
            Lang::Zh => format!("已加载 {layers} 个图层、{features} 个要素（{seconds:.1} 秒）"),
            Lang::En => format!("Loaded {layers} layers, {features} features ({seconds:.1} s)"),
        }
    }

    /// A file that failed to load; `error` names the file already.
    pub fn load_failed(self, error: &str) -> String {
        match self {
            Lang::Zh => format!("无法加载：{error}"),
            Lang::En => format!("Cannot load: {error}"),
        }
    }

    /// Warnings raised while loading a layer.
    /// One data-quality finding for the message panel: kind, file, what, first detail, action.
    pub fn quality_line(self, q: &crate::model::QualityRecord) -> String {
        let detail = match (q.details.first(), self) {
            (None, _) => String::new(),
            (Some(d), Lang::Zh) => format!("（例如 {d}）"),
            (Some(d), Lang::En) => format!(" (e.g. {d})"),
        };
        match self {
            Lang::Zh => format!(
                "数据质量 [{}] {}：{}{detail}。{}",
                q.kind.label(true),
                q.place(),
                q.what(true),
                q.action(true)
            ),
            Lang::En => format!(
                "Data quality [{}] {}: {}{detail}. {}",
                q.kind.label(false),
                q.place(),
                q.what(false),
                q.action(false)
            ),
        }
    }

    /// Beside the analysis: how many loaded files lost features.
    pub fn data_incomplete(self, files: usize) -> String {
        match self {
            Lang::Zh => {
                format!("⚠ 数据不完整：{files} 个图层有要素未读入，相关结论可能改变（见消息面板）")
            }
            Lang::En => format!(
                "⚠ Incomplete data: {files} layer(s) have features that were not read; verdicts using them may change (see messages)"
            ),
        }
    }

    /// The edit count of a scenario and how long the last update took.
    pub fn scenario_edits(self, edits: usize, last_ms: f64) -> String {
        match self {
            Lang::Zh => format!("{edits} 项修改 · 覆盖率更新 {last_ms:.1} 毫秒"),
            Lang::En => format!("{edits} edit(s) · coverage updated in {last_ms:.1} ms"),
        }
    }

    /// What the suggested sites do: the category, tier, coverage before and after.
    pub fn suggest_summary(
        self,
        category: &str,
        minutes: u32,
        before: Option<f64>,
        after: Option<f64>,
    ) -> String {
        let p = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.1}%"));
        match self {
            Lang::Zh => format!(
                "{category} {minutes} 分钟覆盖：{} → {}（最大覆盖模型，现有设施保留）",
                p(before),
                p(after)
            ),
            Lang::En => format!(
                "{category} within {minutes} min: {} → {} (maximal covering, existing kept)",
                p(before),
                p(after)
            ),
        }
    }

    /// A facility placed beyond the snap distance of every road of some modes.
    pub fn off_network(self, xy: [f64; 2], modes: &str) -> String {
        let (x, y) = (xy[0], xy[1]);
        match self {
            Lang::Zh => format!(
                "({x:.0}, {y:.0}) 处的设施离道路太远（超过吸附距离：{modes}），按这些方式无人能到达；请把它移到道路旁"
            ),
            Lang::En => format!(
                "The facility at ({x:.0}, {y:.0}) is too far from any road (beyond the snap distance: {modes}): nobody reaches it by these modes; move it next to a road"
            ),
        }
    }

    /// The report was written.
    pub fn report_written(self, dir: &str, files: usize) -> String {
        match self {
            Lang::Zh => format!("分析报告已导出（{files} 个文件）：{dir}"),
            Lang::En => format!("Analysis report exported ({files} files): {dir}"),
        }
    }

    /// The map was exported.
    pub fn exported(self, path: &str) -> String {
        match self {
            Lang::Zh => format!("地图已导出：{path}"),
            Lang::En => format!("Map exported: {path}"),
        }
    }

    /// Rows shown in the attribute table.
    /// A control-point table's column: 0 local x, 1 local y, 2 target x, 3 target y.
    pub fn point_column(self, column: usize) -> &'static str {
        let names = match self {
            Lang::Zh => ["本地X", "本地Y", "目标X", "目标Y"],
            Lang::En => ["local x", "local y", "target x", "target y"],
        };
        names.get(column).copied().unwrap_or("")
    }

    /// A cell of the control-point table that is not a number: its `row` (from 1), `column`
    /// ([`Lang::point_column`]) and `text` (empty: nothing typed).
    pub fn bad_cell(self, row: usize, column: usize, text: &str) -> String {
        let col = self.point_column(column);
        match (self, text.is_empty()) {
            (Lang::Zh, true) => format!("控制点第 {row} 行：{col} 为空"),
            (Lang::Zh, false) => format!("控制点第 {row} 行：{col}「{text}」不是数字"),
            (Lang::En, true) => format!("control point row {row}: {col} is empty"),
            (Lang::En, false) => format!("control point row {row}: {col} '{text}' is not a number"),
        }
    }

    /// After a layer's error: how many more layers failed too (nothing for none).
    pub fn more_layers(self, n: usize) -> String {
        match (self, n) {
            (_, 0) => String::new(),
            (Lang::Zh, n) => format!("（另有 {n} 个图层同样失败）"),
            (Lang::En, n) => format!(" (and {n} more layers)"),
        }
    }

    /// A CRS the user typed that is not one.
    pub fn bad_crs(self, text: &str, error: &str) -> String {
        match self {
            Lang::Zh => format!("无法识别坐标系「{text}」：{error}"),
            Lang::En => format!("Unknown CRS '{text}': {error}"),
        }
    }

    /// The CRS the magnitudes say, when none is given.
    pub fn crs_guess(self, label: &str) -> String {
        match self {
            Lang::Zh => format!("未指定时按坐标量级推测为：{label}"),
            Lang::En => format!("Without one, the magnitudes say: {label}"),
        }
    }

    /// Scale, rotation and RMS of a control-point fit.
    pub fn fit_summary(self, ct: &crate::crs::ControlTransform) -> String {
        let t = &ct.fit.transform;
        let ppm = (t.scale() - 1.0) * 1e6;
        let rot = t.rotation().to_degrees();
        let n = ct.points.len();
        let rms = ct.fit.rms;
        match (self, ct.fit.sigma0.is_some()) {
            (Lang::Zh, true) => format!(
                "{n} 个控制点：比例 {:.6}（{ppm:+.0} ppm），旋转 {rot:.4}°，中误差 RMS {rms:.3} m",
                t.scale()
            ),
            (Lang::Zh, false) => format!(
                "{n} 个控制点：比例 {:.6}（{ppm:+.0} ppm），旋转 {rot:.4}°；两点恰好确定转换，无从检核，请添加第三点",
                t.scale()
            ),
            (Lang::En, true) => format!(
                "{n} control points: scale {:.6} ({ppm:+.0} ppm), rotation {rot:.4}°, RMS {rms:.3} m",
                t.scale()
            ),
            (Lang::En, false) => format!(
                "{n} control points: scale {:.6} ({ppm:+.0} ppm), rotation {rot:.4}°; two points fit exactly and check nothing: add a third",
                t.scale()
            ),
        }
    }

    /// The control point (its row in the table) whose residual says it is likely mistyped.
    pub fn suspect_point(self, row: usize, residual_m: f64) -> String {
        let limit = crate::crs::ControlTransform::SUSPECT_RESIDUAL_M;
        match self {
            Lang::Zh => format!(
                "第 {row} 个控制点残差 {residual_m:.3} m（超过 {limit} m）：很可能输入有误，请检查其坐标"
            ),
            Lang::En => format!(
                "Control point {row} is {residual_m:.3} m off (over {limit} m): likely mistyped, check its coordinates"
            ),
        }
    }

    pub fn rows_shown(self, shown: usize, total: usize) -> String {
        match self {
            Lang::Zh => format!("显示 {shown} / {total} 行"),
            Lang::En => format!("{shown} of {total} rows"),
        }
    }
}

macro_rules! texts {
    ($($(#[$m:meta])* $name:ident = $zh:literal, $en:literal;)*) => {
        $( $(#[$m])* pub const $name: Text = Text { zh: $zh, en: $en }; )*
        /// Every text, for tests.
        pub const ALL: &[Text] = &[$($name),*];
    };
}

/// The interface texts.
pub mod tx {
    use super::Text;

    texts! {
        APP_TITLE = "镇村生活圈规划助手", "Town living-circle planner";
        FILE = "文件", "File";
        OPEN_FILES = "打开文件…", "Open files…";
        OPEN_DEMO = "打开示例镇", "Open the demo town";
        RECENT = "最近打开", "Recent files";
        NO_RECENT = "（无）", "(none)";
        CLEAR_RECENT = "清除记录", "Clear the list";
        EXPORT_PNG = "导出地图为 PNG…", "Export map as PNG…";
        CLOSE_ALL = "关闭所有图层", "Close all layers";
        QUIT = "退出", "Quit";
        VIEW = "视图", "View";
        SHOW_TABLE = "属性表", "Attribute table";
        SHOW_LOG = "消息", "Messages";
        LANGUAGE = "语言", "Language";
        LAYERS = "图层", "Layers";
        NO_LAYERS = "还没有图层：把文件拖到窗口里，或用“文件 → 打开文件…”。", "No layers yet: drop files on the window, or use File → Open files….";
        NO_DEMO = "未找到示例镇（sample-maps/qingxi-demo-town）。请打开自己的数据。", "The demo town (sample-maps/qingxi-demo-town) was not found. Open your own data.";
        ROLE = "角色", "Role";
        ROLE_UNKNOWN = "未定", "Unassigned";
        AGE_BAND = "年龄段", "Age band";
        OPACITY = "不透明度", "Opacity";
        MOVE_UP = "上移", "Move up";
        MOVE_DOWN = "下移", "Move down";
        REMOVE = "移除图层", "Remove layer";
        ZOOM_LAYER = "缩放到图层", "Zoom to layer";
        OPEN_TABLE = "打开属性表", "Open attribute table";
        LEGEND = "图例", "Legend";
        ZOOM_TOWN = "全镇", "Whole town";
        ZOOM_SELECTION = "缩放到选中", "Zoom to selection";
        BOX_ZOOM = "框选放大", "Box zoom";
        BOX_ZOOM_HINT = "拖动鼠标框出要放大的范围（或按住 Shift 拖动）", "Drag a box to zoom into (or drag with Shift held)";
        ZOOM_IN = "放大", "Zoom in";
        ZOOM_OUT = "缩小", "Zoom out";
        NORTH = "北", "N";
        CURSOR = "光标", "Cursor";
        WORKING_CRS = "工作坐标系", "Working CRS";
        FEATURE = "要素", "Feature";
        FEATURE_INFO = "要素属性", "Feature attributes";
        NOTHING_SELECTED = "点击地图上的要素查看属性。", "Click a feature on the map to see its attributes.";
        CATEGORY = "设施类别", "Facility category";
        SOURCE = "来源", "Source";
        LAYER = "图层", "Layer";
        CLEAR_SELECTION = "取消选择", "Clear selection";
        TABLE_OF = "属性表：", "Attribute table: ";
        FILTER = "筛选", "Filter";
        FILTER_HINT = "输入文字筛选任一字段", "Type to filter on any field";
        NO_ACTIVE_LAYER = "在图层面板点“属性表”选择一个图层。", "Choose a layer with its “Table” button in the layers panel.";
        ANALYSIS = "分析", "Analysis";
        PROFILE_SHIPPED = "浙江省美丽城镇（内置）", "Zhejiang Beautiful Towns (shipped)";
        PROFILE_FROM_FILE = "从文件…", "From file…";
        MODE_PER_TIER = "按层级（标准规定）", "Per tier (as the profile says)";
        MODE_CAR = "小汽车", "Car";
        OVERLAY_FOR = "图示设施", "Overlays for";
        OVERLAY_TIER = "缺口层级", "Gaps at tier";
        OVERLAYS = "分析图层", "Analysis overlays";
        OV_ISOCHRONES = "等时圈", "Isochrones";
        OV_GRID = "出行时间网格", "Travel-time grid";
        OV_GAPS = "服务缺口", "Service gaps";
        OV_UNCOVERED = "未覆盖建筑", "Uncovered buildings";
        OV_SCENARIO = "方案设施", "Scenario facilities";
        OV_DIFFERENCE = "方案覆盖变化", "Coverage change";
        SCENARIOS = "方案", "Scenarios";
        SCENARIO = "方案", "Scenario";
        SCENARIO_BASE = "现状", "Base";
        SCENARIO_NEW = "新建方案", "New scenario";
        SCENARIO_NEEDS_ANALYSIS = "先运行分析，再在方案中增减、移动设施。", "Run the analysis first, then add, move or remove facilities in a scenario.";
        TOOL_ADD = "添加设施", "Add facility";
        TOOL_MOVE = "移动设施", "Move facility";
        TOOL_REMOVE = "移除设施", "Remove facility";
        TOOL_RECATEGORIZE = "改类型", "Change type";
        SCENARIO_CATEGORY = "设施类型", "Facility type";
        CAPACITY = "容量（可选）", "Capacity (optional)";
        CAPACITY_HINT = "床位/学位/座位", "beds / places / seats";
        CAPACITY_INVALID = "容量须为正数，或留空", "Capacity must be a positive number, or empty";
        UNDO = "撤销", "Undo";
        REDO = "重做", "Redo";
        SCENARIO_COMPARE = "现状与方案比较（全镇）", "Base and scenario (whole town)";
        TYPE = "类型", "Type";
        BASE_PERCENT = "现状覆盖率", "Base %";
        SCENARIO_PERCENT = "方案覆盖率", "Scenario %";
        TIER = "圈层", "Tier";
        PEOPLE_GAINED = "覆盖人口变化", "People covered ±";
        NO_VERDICT_CHANGE = "“十个一”结论无变化", "No ten-ones verdict changes";
        REPORT_WAIT_SCENARIO = "方案的十个一仍在计算，请稍候再导出报告", "The scenario's ten ones are still being computed: export the report in a moment";
        SCENARIO_NO_FACILITY = "此处附近没有设施", "No facility near this point";
        ANALYSING = "正在分析", "Analysing";
        ANALYSIS_STEP = "计算", "Computing";
        ANALYSIS_FAILED = "分析失败", "Analysis failed";
        NO_TIERS = "没有选中的生活圈层级", "no circle tier is selected";
        NEEDS_LAYERS = "先打开图层", "Open layers first";
        COVERAGE = "覆盖率", "Coverage";
        ALL_REQUIRED = "全部必配设施覆盖", "All required facilities";
        TOWN = "镇域", "Town";
        BUILT_UP = "建成区", "Built-up area";
        NO_RESULTS = "还没有结果", "No results yet";
        TEN_ONES = "“十个一”达标情况", "The ten ones";
        TENONES_PENDING = "“十个一”评价规则尚未接入", "The ten-ones rules are not connected yet";
        MISSING = "缺少数据", "Missing data";
        FAILING_PLACES = "未达标位置", "Failing places";
        PEOPLE = "人", "people";
        THRESHOLDS = "采用的标准值", "Thresholds used";
        RECOMMENDATION = "建议", "Recommendation";
        WARNINGS = "注意", "Warnings";
        PROFILE = "标准", "Profile";
        MODE = "出行方式", "Travel mode";
        MODE_WALK = "步行", "Walking";
        MODE_BIKE = "自行车", "Cycling";
        MODE_EBIKE = "电动自行车", "E-bike";
        TIERS = "生活圈层级", "Circle tiers";
        MINUTES = "分钟", "min";
        RUN = "运行分析", "Run analysis";
        CANCEL = "取消", "Cancel";
        OPEN_PROJECT = "打开项目…", "Open project…";
        SUGGEST = "建议选址", "Suggest sites";
        SUGGEST_COUNT = "新增数量", "New sites";
        ACCEPT = "采纳", "Accept";
        ACCEPTED = "已采纳", "accepted";
        OV_SUGGESTED = "建议选址", "Suggested sites";
        OV_ACCESSIBILITY = "容量可达性 (2SFCA)", "Capacity accessibility (2SFCA)";
        SAVE_PROJECT = "保存项目", "Save project";
        SAVE_PROJECT_AS = "项目另存为…", "Save project as…";
        PROJECT_SAVED = "项目已保存", "Project saved";
        PROJECT_SAVE_FAILED = "项目保存失败（原文件未改动）", "Saving the project failed (the file is unchanged)";
        PROJECT_OPEN_FAILED = "无法打开项目（当前工作未改动）", "Cannot open the project (the session is unchanged)";
        PROJECT_OPENED = "已打开项目", "Project opened";
        PROJECT_EDIT_LOST = "方案中的一项编辑无法恢复（数据已变化）", "A scenario edit could not be restored (the data changed)";
        PROJECT_INPUTS_LEFT_OUT = "项目中以下输入文件未找到，未加载", "Input files of the project not found and not loaded";
        PROJECT_MISSING_TITLE = "找不到项目的输入文件", "Project inputs not found";
        PROJECT_MISSING_TEXT = "以下文件已移动、改名或不在此电脑上。请指出它们的新位置：", "These files were moved, renamed or are not on this computer. Show where they are now:";
        LOCATE = "查找…", "Locate…";
        OPEN_WITHOUT_MISSING = "不加载这些文件，继续打开", "Open without them";
        INPUT_FILES = "个输入文件", "input files";
        RECOVERY_TITLE = "恢复未保存的工作", "Restore unsaved work";
        RECOVERY_TEXT = "上次退出时有未保存的工作（自动保存的副本）。要恢复吗？", "The last session ended with unsaved work (an autosaved copy). Restore it?";
        RESTORE = "恢复", "Restore";
        DISCARD = "丢弃", "Discard";
        RECOVERY_DAMAGED = "自动保存的副本已损坏", "The autosaved copy is damaged";
        AUTOSAVE_FAILED = "自动保存失败", "Autosave failed";
        LOADING = "正在加载", "Loading";
        READING = "读取", "Reading";
        PREPARING = "坐标转换与校验", "Reprojecting and checking";
        CANCELLED = "已取消", "Cancelled";
        JOB_CRASHED = "后台任务意外中止", "The background job stopped unexpectedly";
        DROP_HERE = "松开鼠标以加载这些文件", "Release to load these files";
        ERRORS = "错误", "errors";
        NO_MESSAGES = "没有消息。", "No messages.";
        DATA_INCOMPLETE = "数据不完整", "incomplete data";
        DATA_GUESSED = "有推测/未归类", "guessed or unclassified";
        CLEAR = "清除", "Clear";
        EXPORT_NEEDS_WINDOW = "导出需要在窗口中进行", "Export needs a window";
        EXPORT_FAILED = "导出失败", "Export failed";
        EXPORT_REPORT = "导出分析报告…", "Export analysis report…";
        BATCH_MENU = "批量分析…", "City batch…";
        BATCH = "批量分析", "City batch";
        BATCH_HINT = "城市文件夹：每个镇一个数据文件夹或一个项目文件（.towncircle），按同一设置逐镇分析，并生成全市排名表（city.xlsx、city.html）。", "City folder: one data folder or one project file (.towncircle) per town; every town is analysed with the same settings, then the city table (city.xlsx, city.html).";
        BATCH_CITY = "城市文件夹", "City folder";
        BATCH_OUT = "输出文件夹", "Output folder";
        BATCH_NOT_FOLDER = "不存在或不是文件夹", "is missing or not a folder";
        BATCH_PICK = "选择…", "Choose…";
        BATCH_JOBS = "同时分析的镇数", "Towns at once";
        BATCH_JOBS_AUTO = "按处理器核数", "one per core";
        BATCH_RESUME = "续跑：跳过输出完整且数据未变的镇", "Resume: skip towns whose outputs are complete and inputs unchanged";
        BATCH_START = "开始批量分析", "Start";
        BATCH_TOWNS = "个镇", "towns";
        BATCH_FAILED = "个失败", "failed";
        BATCH_OPEN_TABLE = "打开全市排名表", "Open the city table";
        REPORT_NEEDS_ANALYSIS = "请先运行分析，再导出报告", "Run the analysis before exporting the report";
        REPORT_JOB = "导出报告", "Report export";
        DISMISS = "关闭", "Dismiss";
        UNMAPPED = "未分类", "Unclassified";
        G_EDUCATION = "教育", "Education";
        G_HEALTH = "医疗卫生", "Health";
        G_ELDERLY = "养老", "Elderly care";
        G_COMMERCE = "商业服务", "Commerce";
        G_CULTURE_SPORT = "文化体育", "Culture & sport";
        G_MUNICIPAL = "市政设施", "Municipal";
        G_TRANSPORT = "交通", "Transport";
        G_GOVERNANCE = "公共管理", "Governance";
        G_UNMAPPED = "未分类", "Unclassified";
        OK = "确定", "OK";
        KIND_POINT = "点", "points";
        KIND_LINE = "线", "lines";
        KIND_POLYGON = "面", "polygons";
        KIND_MIXED = "混合", "mixed";
        KIND_EMPTY = "空", "empty";
        CAD_DIALOG = "CAD 图层与坐标", "CAD layers and coordinates";
        CAD_OPEN = "CAD 图层与坐标…", "CAD layers and coordinates…";
        CAD_LAYERS_HINT = "图纸中的图层：按图层名推测用途，可修改；保存项目时一并保存。", "The drawing's layers: the role is guessed from the layer name and can be changed; the project keeps it.";
        CAD_READING = "正在读取图纸的图层…", "Reading the drawing's layers…";
        CAD_LAYER = "CAD 图层", "CAD layer";
        CAD_ENTITIES = "实体数", "Entities";
        CAD_GEOMETRY = "几何类型", "Geometry";
        CAD_CATEGORY = "设施类别", "Facility category";
        CAD_UNUSED = "不使用", "Unused";
        CAD_GUESSED = "推测用途", "Guessed role";
        CAD_COORDINATES = "坐标", "Coordinates";
        CAD_CRS = "坐标系", "CRS";
        CAD_CRS_AUTO = "自动：按坐标量级推测", "auto: from the magnitudes";
        CAD_CRS_PRESETS = "常用坐标系", "Common CRSs";
        CAD_NEEDS_POINTS = "图中坐标不属于已知坐标系（独立坐标系？）：请给出坐标系或至少 2 个控制点。", "The drawing's coordinates fit no known CRS (a local grid?): give its CRS or at least 2 control points.";
        CAD_POINTS_HINT = "控制点（四参数转换）：图上坐标 → 上面坐标系中的坐标。", "Control points (four-parameter transform): drawing coordinates → coordinates in the CRS above.";
        CAD_RESIDUAL = "残差 (m)", "Residual (m)";
        CAD_SUSPECT_HINT = "残差超过 1 m：该点很可能输入有误（数字打错或 X/Y 对调）", "Residual over 1 m: this point is likely mistyped (a wrong digit or X and Y swapped)";
        CAD_REMOVE_POINT = "删除此控制点", "Remove this control point";
        CAD_ADD_POINT = "添加控制点", "Add a control point";
        CAD_LOAD_CSV = "从 CSV 载入…", "Load from CSV…";
        CAD_CSV_FAILED = "无法读取控制点文件", "Cannot read the control-point file";
        CAD_NO_FIT = "无法计算转换", "No transform";
        CAD_RELOAD_FAILED = "按新坐标重新加载失败，原图层保留", "Reloading with the new coordinates failed; the layers loaded before stay";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_they_differ() {
        for t in tx::ALL {
            assert!(!t.zh.is_empty() && !t.en.is_empty(), "{t:?}");
            assert_ne!(t.zh, t.en, "untranslated: {t:?}");
            assert!(
                !t.en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{t:?}"
            );
        }
        assert_eq!(Lang::En.t(tx::LAYERS), "Layers");
        assert_eq!(Lang::Zh.t(tx::LAYERS), "图层");
        assert_eq!(Lang::Zh.role(Role::BuiltUpArea), "建成区");
        assert_eq!(Lang::En.group("health"), "Health");
        assert_eq!(Lang::Zh.group(""), "未分类");
    }
}
