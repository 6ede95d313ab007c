use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::model::layer::SourceId;

fn sample() -> Project {
    let mut p = Project::new(vec![
        Input::new("道路.shp"),
        Input::new("/data/poi/POI_高德导出.csv"),
    ]);
    p.inputs[1].role = Some(Role::Facilities);
    p.inputs[1].crs = Some("gcj02".into());
    p.inputs[1].encoding = Some("GBK".into());
    p.profile = Some("zhejiang-beautiful-towns".into());
    p.analysis.mode = Some("walk".into());
    p.analysis.minutes = Some(vec![5, 15, 30]);
    p.analysis.clip_bbox = Some([119.9, 30.0, 120.0, 30.1]);
    let mut s = Scenario::new("方案一");
    s.note = Some("溪西安置小区补一所幼儿园".into());
    s.edits = vec![
        Edit::Add {
            key: 0,
            category: "kindergarten".into(),
            lonlat: [119.948_123_456, 30.052_654_321],
            name: Some("溪西幼儿园".into()),
            capacity: Some(180.0),
        },
        Edit::Move {
            facility: FacilityRef::Added { key: 0 },
            lonlat: [119.95, 30.05],
        },
        Edit::Move {
            facility: FacilityRef::Existing {
                file: "POI_高德导出.csv".into(),
                layer: "POI_高德导出".into(),
                feature: SourceId::Line(12),
            },
            lonlat: [119.96, 30.04],
        },
        Edit::Remove {
            facility: FacilityRef::Existing {
                file: "a.gpkg".into(),
                layer: "设施".into(),
                feature: SourceId::Feature(3),
            },
        },
        Edit::Recategorize {
            facility: FacilityRef::Existing {
                file: "x.osm.pbf".into(),
                layer: "facilities".into(),
                feature: SourceId::OsmWay(-42),
            },
            category: "park".into(),
        },
    ];
    p.scenarios.push(s);
    p.scenarios.push(Scenario::new("方案二"));
    p.active_scenario = Some("方案一".into());
    p.view = Some(View {
        centre: [119.95, 30.05],
        m_per_pt: 4.5,
        extra: toml::Table::new(),
    });
    p
}

#[test]
fn write_then_read_gives_the_same_project() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("清溪.towncircle");
    let p = sample();
    p.write(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("format = \"towncircle-project\"\nversion = 1\n"),
        "{text}"
    );
    assert!(
        text.contains("op = \"add\"") && text.contains("feature = \"line 12\""),
        "{text}"
    );
    assert_eq!(Project::read(&path).unwrap(), p);
    // No temporary file left beside it.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn unknown_keys_of_the_same_version_are_kept_on_a_resave() {
    let text = r#"format = "towncircle-project"
version = 1
future_top = "kept"
[analysis]
mode = "walk"
future_setting = 3
[[inputs]]
path = "a.shp"
future_flag = true
[view]
centre = [120.0, 30.0]
m_per_pt = 2.0
layers_hidden = ["建筑"]
"#;
    let p = Project::from_toml(text, Path::new("f.towncircle")).unwrap();
    assert_eq!(
        p.extra.get("future_top").and_then(|v| v.as_str()),
        Some("kept")
    );
    let again = Project::from_toml(&p.to_toml().unwrap(), Path::new("f.towncircle")).unwrap();
    assert_eq!(again, p);
    assert_eq!(
        again
            .analysis
            .extra
            .get("future_setting")
            .and_then(|v| v.as_integer()),
        Some(3)
    );
    assert_eq!(
        again.inputs[0]
            .extra
            .get("future_flag")
            .and_then(|v| v.as_bool()),
        Some(true)
    );
    assert!(again.view.unwrap().extra.contains_key("layers_hidden"));
}

#[test]
fn a_newer_version_is_refused_and_the_file_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("new.towncircle");
    let text = "format = \"towncircle-project\"\nversion = 2\n[[inputs]]\nfancy = { a = 1 }\n";
    std::fs::write(&path, text).unwrap();
    let err = Project::read(&path).unwrap_err();
    assert!(
        matches!(err, ProjectError::Newer { version: 2, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("made by a newer towncircle") && msg.contains("new.towncircle"),
        "{msg}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_corrupt_file_names_the_file_line_and_reason() {
    let p = Path::new("坏.towncircle");
    // A syntax error on line 4.
    let syntax = "format = \"towncircle-project\"\nversion = 1\n[[inputs]]\npath = \"a.shp\n";
    let e = Project::from_toml(syntax, p).unwrap_err();
    let ProjectError::Corrupt { line, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*line, 4, "{e}");
    assert!(e.to_string().contains("坏.towncircle"), "{e}");
    // A value of the wrong kind on line 5.
    let kind = "format = \"towncircle-project\"\nversion = 1\n[[inputs]]\npath = \"a.shp\"\nrole = \"motorway\"\n";
    let e = Project::from_toml(kind, p).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line 5") && msg.contains("motorway"), "{msg}");
    // A bad edit on line 8.
    let edit = "format = \"towncircle-project\"\nversion = 1\n[[scenarios]]\nname = \"a\"\n[[scenarios.edits]]\nop = \"remove\"\nfacility = { file = \"a.shp\", layer = \"a\", feature = \"record 3\" }\n";
    let msg = Project::from_toml(edit, p).unwrap_err().to_string();
    assert!(msg.contains("line 7") && msg.contains("record 3"), "{msg}");
    let op = "format = \"towncircle-project\"\nversion = 1\n[[scenarios]]\nname = \"a\"\n[[scenarios.edits]]\nop = \"teleport\"\n";
    let msg = Project::from_toml(op, p).unwrap_err().to_string();
    assert!(msg.contains("teleport") && msg.contains("line 6"), "{msg}");
    let missing = "format = \"towncircle-project\"\nversion = 1\n[[scenarios]]\nname = \"a\"\n[[scenarios.edits]]\nop = \"move\"\nfacility = { key = 1 }\n";
    let msg = Project::from_toml(missing, p).unwrap_err().to_string();
    assert!(
        msg.contains("line 5") && msg.contains("needs lonlat"),
        "{msg}"
    );
    // Not a project, not text.
    let msg = Project::from_toml("version = 1\n", p)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not a towncircle project"), "{msg}");
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("b.towncircle");
    std::fs::write(&bin, b"format = \"towncircle-project\"\n\xff\xfe").unwrap();
    let msg = Project::read(&bin).unwrap_err().to_string();
    assert!(msg.contains("line 2") && msg.contains("UTF-8"), "{msg}");
    let msg = Project::read(&tmp.path().join("none.towncircle"))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("none.towncircle"), "{msg}");
}

#[test]
fn rules_the_types_cannot_say() {
    let p = Path::new("p.towncircle");
    let head = "format = \"towncircle-project\"\nversion = 1\n";
    let twice = format!("{head}[[scenarios]]\nname = \"A\"\n[[scenarios]]\nname = \"A\"\n");
    let msg = Project::from_toml(&twice, p).unwrap_err().to_string();
    assert!(msg.contains("two scenarios are called \"A\""), "{msg}");
    let keys = format!(
        "{head}[[scenarios]]\nname = \"A\"\n[[scenarios.edits]]\nop = \"add\"\nkey = 1\ncategory = \"park\"\nlonlat = [120.0, 30.0]\n[[scenarios.edits]]\nop = \"add\"\nkey = 1\ncategory = \"park\"\nlonlat = [120.0, 30.0]\n"
    );
    let msg = Project::from_toml(&keys, p).unwrap_err().to_string();
    assert!(msg.contains("edit 2") && msg.contains("key 1"), "{msg}");
    let active = format!("{head}active_scenario = \"B\"\n");
    let msg = Project::from_toml(&active, p).unwrap_err().to_string();
    assert!(msg.contains("\"B\""), "{msg}");
}

#[test]
fn inputs_are_written_relative_and_missing_ones_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let town = tmp.path().join("town");
    std::fs::create_dir_all(town.join("poi")).unwrap();
    std::fs::write(town.join("poi").join("a.csv"), "名称,经度,纬度\n").unwrap();
    let other = tmp.path().join("other.geojson");
    std::fs::write(&other, "{}").unwrap();
    let file = town.join("t.towncircle");
    let mut p = Project::default();
    p.add_input(&file, &town.join("poi").join("a.csv")).role = Some(Role::Facilities);
    p.add_input(&file, &other);
    p.add_input(&file, &town.join("gone.shp"));
    assert_eq!(p.inputs[0].path, "poi/a.csv");
    assert_eq!(Path::new(&p.inputs[1].path), other.as_path());
    let r = p.resolve_inputs(&file);
    assert_eq!(r.found.len(), 2);
    assert_eq!(r.missing.len(), 1);
    assert_eq!(r.missing[0].written, "gone.shp");
    let msg = r.missing_message(&file).unwrap();
    assert!(
        msg.contains("gone.shp") && msg.contains("t.towncircle"),
        "{msg}"
    );
    let err = p.load_plan(&file).unwrap_err().to_string();
    assert!(err.contains("gone.shp"), "{err}");
    // The project moves with its folder.
    p.inputs.pop();
    p.write(&file).unwrap();
    let moved = tmp.path().join("moved");
    std::fs::rename(&town, &moved).unwrap();
    let q = Project::read(&moved.join("t.towncircle")).unwrap();
    let plan = q.load_plan(&moved.join("t.towncircle")).unwrap();
    assert_eq!(plan.files[0], moved.join("poi").join("a.csv"));
    assert_eq!(
        plan.roles,
        vec![(moved.join("poi").join("a.csv"), Role::Facilities)]
    );
}

#[test]
fn load_plan_turns_overrides_into_options() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("p.towncircle");
    for f in ["a.csv", "b.shp"] {
        std::fs::write(tmp.path().join(f), "").unwrap();
    }
    let mut p = Project::new(vec![Input::new("a.csv"), Input::new("b.shp")]);
    p.inputs[0].crs = Some("GCJ-02".into());
    p.inputs[0].encoding = Some("GBK".into());
    p.analysis.crs = Some("EPSG:4549".into());
    p.analysis.encoding = Some("UTF-8".into());
    let plan = p.load_plan(&file).unwrap();
    let a = tmp.path().join("a.csv").display().to_string();
    assert_eq!(
        plan.options.crs_for,
        vec![(a.clone(), crate::crs::Crs::Gcj02)]
    );
    assert_eq!(plan.options.encoding_for, vec![(a, encoding_rs::GBK)]);
    assert_eq!(plan.options.default_crs, Some(crate::crs::Crs::Epsg(4549)));
    assert_eq!(plan.options.read.encoding, Some(encoding_rs::UTF_8));
    p.inputs[1].crs = Some("EPSG:99999999".into());
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("99999999"),
        "{msg}"
    );
    p.inputs[1].crs = None;
    p.inputs[1].encoding = Some("klingon".into());
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("klingon"),
        "{msg}"
    );
    // A population raster's age band, as --age-band; written back as it was read.
    p.inputs[1].encoding = None;
    p.inputs[1].age_band = Some("60岁以上".into());
    let plan = p.load_plan(&file).unwrap();
    let b = tmp.path().join("b.shp").display().to_string();
    assert_eq!(
        plan.options.age_band_for,
        vec![(b.clone(), crate::model::AgeBand::ELDERLY)]
    );
    let again = Project::from_toml(&p.to_toml().unwrap(), &file).unwrap();
    assert_eq!(again.inputs[1].age_band.as_deref(), Some("60岁以上"));
    assert!(again.inputs[1].extra.is_empty());
    p.inputs[1].age_band = Some("old folks".into());
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("old folks"),
        "{msg}"
    );
    // A drawing's control points, relative to the project; a bad file names the input.
    p.inputs[1].age_band = None;
    std::fs::write(
        tmp.path().join("控制点.csv"),
        "local_x,local_y,x,y\n0,0,100,200\n10,0,110,200\n",
    )
    .unwrap();
    p.inputs[1].control_points = Some(ControlPoints::File("控制点.csv".into()));
    let plan = p.load_plan(&file).unwrap();
    let (key, ct) = &plan.options.control_for[0];
    assert_eq!(key, &b);
    assert_eq!(ct.points.len(), 2);
    assert_eq!(ct.fit.transform.tx, 100.0);
    let again = Project::from_toml(&p.to_toml().unwrap(), &file).unwrap();
    assert_eq!(
        again.inputs[1].control_points,
        Some(ControlPoints::File("控制点.csv".into()))
    );
    assert!(again.inputs[1].extra.is_empty());
    // The same points written in the project (as the app keeps typed points): the same fit,
    // named after the project file; they round-trip as a TOML array.
    p.inputs[1].control_points = Some(ControlPoints::Inline(vec![
        [0.0, 0.0, 100.0, 200.0],
        [10.0, 0.0, 110.0, 200.0],
    ]));
    let plan = p.load_plan(&file).unwrap();
    let (_, inline) = &plan.options.control_for[0];
    assert_eq!(inline.fit, ct.fit);
    assert_eq!(inline.points_file, file);
    let text = p.to_toml().unwrap();
    let again = Project::from_toml(&text, &file).unwrap();
    assert_eq!(again.inputs[1].control_points, p.inputs[1].control_points);
    // One point, or two at one place: no transform, and the input is named.
    p.inputs[1].control_points = Some(ControlPoints::Inline(vec![[0.0, 0.0, 100.0, 200.0]]));
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("at least 2 control points"),
        "{msg}"
    );
    p.inputs[1].control_points = Some(ControlPoints::File("nowhere.csv".into()));
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("nowhere.csv"),
        "{msg}"
    );
    // A drawing's seven-parameter datum shift, kept as written; a bad one names the input.
    p.inputs[1].control_points = None;
    p.inputs[1].datum_shift = Some("-62.312,103.887,71.451,1.2431,-2.0476,3.1592,-2.817,pv".into());
    let plan = p.load_plan(&file).unwrap();
    let (key, shift) = &plan.options.datum_shift_for[0];
    assert_eq!(key, &b);
    assert_eq!(
        shift.convention,
        crate::crs::RotationConvention::PositionVector
    );
    assert_eq!(shift.rx_arcsec, 1.2431);
    let again = Project::from_toml(&p.to_toml().unwrap(), &file).unwrap();
    assert_eq!(again.inputs[1].datum_shift, p.inputs[1].datum_shift);
    assert!(again.inputs[1].extra.is_empty());
    p.inputs[1].datum_shift = Some("-62.312,103.887,71.451".into());
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)")
            && msg.contains("datum_shift")
            && msg.contains("seven numbers"),
        "{msg}"
    );
    // Each layer's role of a multi-layer file; `none` leaves a layer unused.
    p.inputs[1].datum_shift = None;
    p.inputs[1].layer_roles = [("用地红线", "built_up_area"), ("水系", "none")]
        .into_iter()
        .map(|(l, r)| (l.to_string(), r.to_string()))
        .collect();
    let plan = p.load_plan(&file).unwrap();
    assert_eq!(
        plan.options.layer_role_for,
        vec![
            (b.clone(), "水系".to_string(), None),
            (b.clone(), "用地红线".to_string(), Some(Role::BuiltUpArea)),
        ]
    );
    let again = Project::from_toml(&p.to_toml().unwrap(), &file).unwrap();
    assert_eq!(again.inputs[1].layer_roles, p.inputs[1].layer_roles);
    assert!(again.inputs[1].extra.is_empty());
    p.inputs[1]
        .layer_roles
        .insert("绿化".into(), "parks".into());
    let msg = p.load_plan(&file).unwrap_err().to_string();
    assert!(
        msg.contains("input 2 (b.shp)") && msg.contains("绿化") && msg.contains("parks"),
        "{msg}"
    );
}

#[test]
fn relocating_an_input_moves_the_edits_that_name_it() {
    let file = Path::new("/data/t.towncircle");
    let mut p = sample();
    p.inputs[1].path = "POI_高德导出.csv".into();
    let changed = p.relocate_input(file, 1, Path::new("/data/new/POI_高德导出.csv"));
    assert_eq!(changed, 1);
    assert_eq!(p.inputs[1].path, "new/POI_高德导出.csv");
    let Some(FacilityRef::Existing { file: f, .. }) = p.scenarios[0].edits[2].facility() else {
        panic!()
    };
    assert_eq!(f, "new/POI_高德导出.csv");
    // Rebasing onto another folder and back gives the same paths.
    let before = p.clone();
    p.rebase(Some(file), Some(Path::new("/elsewhere/t.towncircle")));
    assert_eq!(p.inputs[0].path, "/data/道路.shp");
    p.rebase(Some(Path::new("/elsewhere/t.towncircle")), Some(file));
    assert_eq!(p.inputs, before.inputs);
    assert_eq!(p.scenarios, before.scenarios);
}

fn lonlat() -> impl Strategy<Value = [f64; 2]> {
    (
        -180_000_000_000i64..=180_000_000_000,
        -90_000_000_000i64..=90_000_000_000,
    )
        .prop_map(|(x, y)| [x as f64 / 1e9, y as f64 / 1e9])
}

fn facility_ref() -> impl Strategy<Value = FacilityRef> {
    let source = prop_oneof![
        any::<u64>().prop_map(SourceId::Feature),
        any::<u64>().prop_map(SourceId::Line),
        any::<u64>().prop_map(SourceId::Row),
        any::<i64>().prop_map(SourceId::OsmNode),
        any::<i64>().prop_map(SourceId::OsmWay),
        any::<i64>().prop_map(SourceId::OsmRelation),
    ];
    prop_oneof![
        any::<u32>().prop_map(|key| FacilityRef::Added { key }),
        (".{0,12}", ".{0,8}", source).prop_map(|(file, layer, feature)| FacilityRef::Existing {
            file,
            layer,
            feature
        }),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<u32>(),
            "[a-z_]{1,20}",
            lonlat(),
            proptest::option::of(".{0,10}"),
            proptest::option::of(0.0f64..1e6)
        )
            .prop_map(|(key, category, lonlat, name, capacity)| Edit::Add {
                key,
                category,
                lonlat,
                name,
                capacity
            }),
        (facility_ref(), lonlat()).prop_map(|(facility, lonlat)| Edit::Move { facility, lonlat }),
        facility_ref().prop_map(|facility| Edit::Remove { facility }),
        (facility_ref(), "[a-z_]{1,20}")
            .prop_map(|(facility, category)| Edit::Recategorize { facility, category }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any sequence of edits is written and read back equal.
    #[test]
    fn any_edits_round_trip(edits in proptest::collection::vec(edit(), 0..12), note in proptest::option::of(".{0,20}")) {
        // Keys of added facilities are unique in a valid file.
        let mut seen = std::collections::BTreeSet::new();
        let edits: Vec<Edit> = edits
            .into_iter()
            .filter(|e| match e {
                Edit::Add { key, .. } => seen.insert(*key),
                _ => true,
            })
            .collect();
        let mut p = Project::new(vec![Input::new("a.shp")]);
        p.scenarios.push(Scenario { name: "方案".into(), note, edits });
        let text = p.to_toml().unwrap();
        let back = Project::from_toml(&text, Path::new("p.towncircle")).unwrap();
        prop_assert_eq!(back, p);
    }
}
